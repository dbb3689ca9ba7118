//! Finding a member's reference number in a payment's text, the way Swindon Makerspace does
//! it, with the prefix made configurable (Swindon's is `SM`, so member 42 pays with
//! `SM0042`).
//!
//! The text is scanned for the first place where the prefix appears (ignoring case),
//! followed by at most one whitespace character, followed by the number. People mistype, so
//! within the number the letter `O`/`o` counts as the digit `0` (`SMO042`), and when the
//! prefix is `SM`, `SN` is accepted for it too (`SN0042`). A prefix that is not followed by
//! a number (`SMITH`) is skipped and the scan goes on, as it does for a number that is 0 or
//! too large.

/// Swindon Makerspace's reference prefix.
pub const DEFAULT_REFERENCE_PREFIX: &str = "SM";

/// The member number referenced in `text` with `prefix`, if there is one (see the module
/// documentation for the rule). An empty prefix never matches.
pub fn member_reference(text: &str, prefix: &str) -> Option<i64> {
    if prefix.is_empty() {
        return None;
    }
    let text: Vec<char> = text.chars().collect();
    let prefix: Vec<char> = prefix.chars().collect();
    let typo: Option<[char; 2]> = (prefix.len() == 2
        && prefix.first().is_some_and(|c| c.eq_ignore_ascii_case(&'S'))
        && prefix.get(1).is_some_and(|c| c.eq_ignore_ascii_case(&'M')))
    .then_some(['S', 'N']);

    (0..text.len()).find_map(|start| {
        let rest = text.get(start..)?;
        let after = matches_prefix(rest, &prefix)
            .or_else(|| typo.and_then(|t| matches_prefix(rest, &t)))?;
        number_after(rest.get(after..)?)
    })
}

/// Length of `prefix` if `text` starts with it, ignoring case.
fn matches_prefix(text: &[char], prefix: &[char]) -> Option<usize> {
    let head = text.get(..prefix.len())?;
    head.iter()
        .zip(prefix)
        .all(|(a, b)| a.to_lowercase().eq(b.to_lowercase()))
        .then_some(prefix.len())
}

/// The number at the start of `text`, after at most one whitespace character, reading `O`
/// and `o` as `0`; `None` unless it is a positive `i64`.
fn number_after(text: &[char]) -> Option<i64> {
    let skip = usize::from(text.first().is_some_and(|c| c.is_whitespace()));
    let mut value: Option<i64> = None;
    for &c in text.get(skip..)? {
        let digit = match c {
            '0'..='9' => i64::from(u32::from(c) - u32::from('0')),
            'O' | 'o' => 0,
            _ => break,
        };
        value = Some(value.unwrap_or(0).checked_mul(10)?.checked_add(digit)?);
    }
    value.filter(|&v| v > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sm(text: &str) -> Option<i64> {
        member_reference(text, DEFAULT_REFERENCE_PREFIX)
    }

    #[test]
    fn plain_references() {
        assert_eq!(sm("SM0042"), Some(42));
        assert_eq!(sm("J SMITH SM0042          BGC"), Some(42));
        assert_eq!(sm("sm42"), Some(42));
        assert_eq!(sm("Sm 0042"), Some(42));
        assert_eq!(sm("SM\t7"), Some(7));
        assert_eq!(sm("membership SM123 march"), Some(123));
        assert_eq!(sm("XSM0042"), Some(42));
        assert_eq!(sm("SM0042ABC"), Some(42));
    }

    #[test]
    fn letter_o_is_zero() {
        assert_eq!(sm("SMO042"), Some(42));
        assert_eq!(sm("sm 0O42"), Some(42));
        assert_eq!(sm("SMOO42"), Some(42));
        assert_eq!(sm("smo1o"), Some(10));
        assert_eq!(sm("SM42O"), Some(420));
    }

    #[test]
    fn sn_is_a_typo_for_sm() {
        assert_eq!(sm("SN0042"), Some(42));
        assert_eq!(sm("sn 42"), Some(42));
        assert_eq!(member_reference("SN0042", "sm"), Some(42));
        assert_eq!(member_reference("SN0042", "HS"), None);
        assert_eq!(member_reference("SN0042", "SMX"), None);
    }

    #[test]
    fn skips_prefixes_without_a_number() {
        assert_eq!(sm("SMITH J SM0042"), Some(42));
        assert_eq!(sm("SMOKE SM12"), Some(12));
        assert_eq!(sm("SNOW SMITH SN 9"), Some(9));
        assert_eq!(sm("SM0 SM0000 SM5"), Some(5));
        assert_eq!(sm("SM99999999999999999999 SM3"), Some(3));
        assert_eq!(sm("SM9223372036854775807"), Some(i64::MAX));
        assert_eq!(sm("SM9223372036854775808"), None);
    }

    #[test]
    fn no_reference() {
        assert_eq!(sm(""), None);
        assert_eq!(sm("J SMITH"), None);
        assert_eq!(sm("SM"), None);
        assert_eq!(sm("SM  0042"), None);
        assert_eq!(sm("SM-0042"), None);
        assert_eq!(sm("S M0042"), None);
        assert_eq!(sm("SMOO"), None);
        assert_eq!(sm("0042"), None);
        assert_eq!(sm("SM 000"), None);
        assert_eq!(member_reference("SM0042", ""), None);
        assert_eq!(sm("SM١٢"), None);
    }

    #[test]
    fn other_prefixes() {
        assert_eq!(member_reference("Dues HACK 17", "HACK"), Some(17));
        assert_eq!(member_reference("dues hacko17", "HACK"), Some(17));
        assert_eq!(member_reference("HACKSPACE HACK-3 HACK3", "hack"), Some(3));
        assert_eq!(member_reference("Zoë ÉM12", "ém"), Some(12));
        assert_eq!(member_reference("SM12", "SMS"), None);
    }
}
