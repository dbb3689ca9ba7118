//! Money amounts: decimal text such as `"30"`, `"30.5"`, `"-12.00"` or `"+5.00"` turned into
//! signed pence exactly, with integer arithmetic only (no floating point anywhere).

use std::fmt;

/// Why a piece of text is not an amount; the caller names the field and the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AmountError {
    NotAnAmount,
    TooManyDecimals,
    TooLarge,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AmountError::NotAnAmount => "is not an amount",
            AmountError::TooManyDecimals => "has more than 2 decimal places",
            AmountError::TooLarge => "is too large",
        })
    }
}

/// Parses `[+-]digits[<sep>digits]` into pence, where `<sep>` is any of `separators`.
///
/// Surrounding whitespace is ignored. At least one digit is needed (`".50"` and `"30."` are
/// accepted, `"."` is not); at most two decimals are allowed.
pub(crate) fn parse_pence(text: &str, separators: &[char]) -> Result<i64, AmountError> {
    let t = text.trim();
    let (negative, rest) = if let Some(r) = t.strip_prefix('-') {
        (true, r)
    } else if let Some(r) = t.strip_prefix('+') {
        (false, r)
    } else {
        (false, t)
    };
    let (int, frac) = match rest.split_once(|c| separators.contains(&c)) {
        Some((i, f)) => (i, f),
        None => (rest, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || !all_digits(frac) || (int.is_empty() && frac.is_empty()) {
        return Err(AmountError::NotAnAmount);
    }
    if frac.len() > 2 {
        return Err(AmountError::TooManyDecimals);
    }
    let mut pounds: i64 = 0;
    for b in int.bytes() {
        pounds = pounds
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or(AmountError::TooLarge)?;
    }
    let mut pence: i64 = 0;
    for (i, b) in frac.bytes().enumerate() {
        let digit = i64::from(b - b'0');
        pence += if i == 0 { digit * 10 } else { digit };
    }
    let total = pounds
        .checked_mul(100)
        .and_then(|v| v.checked_add(pence))
        .ok_or(AmountError::TooLarge)?;
    Ok(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOT: &[char] = &['.'];
    const COMMA: &[char] = &[','];

    #[test]
    fn whole_and_fractional_amounts() {
        assert_eq!(parse_pence("30", DOT), Ok(3000));
        assert_eq!(parse_pence("30.5", DOT), Ok(3050));
        assert_eq!(parse_pence("30.50", DOT), Ok(3050));
        assert_eq!(parse_pence("30.05", DOT), Ok(3005));
        assert_eq!(parse_pence("-12.00", DOT), Ok(-1200));
        assert_eq!(parse_pence("+5.00", DOT), Ok(500));
        assert_eq!(parse_pence("  7.1 \r", DOT), Ok(710));
        assert_eq!(parse_pence("0.01", DOT), Ok(1));
        assert_eq!(parse_pence("-0.01", DOT), Ok(-1));
        assert_eq!(parse_pence(".50", DOT), Ok(50));
        assert_eq!(parse_pence("-.5", DOT), Ok(-50));
        assert_eq!(parse_pence("30.", DOT), Ok(3000));
        assert_eq!(parse_pence("0", DOT), Ok(0));
        assert_eq!(parse_pence("-0.00", DOT), Ok(0));
        assert_eq!(parse_pence("007.00", DOT), Ok(700));
    }

    #[test]
    fn decimal_comma() {
        assert_eq!(parse_pence("12,50", COMMA), Ok(1250));
        assert_eq!(parse_pence("-3,5", COMMA), Ok(-350));
        assert_eq!(parse_pence("12.50", COMMA), Err(AmountError::NotAnAmount));
        assert_eq!(parse_pence("12,50", DOT), Err(AmountError::NotAnAmount));
        assert_eq!(parse_pence("12,50", &['.', ',']), Ok(1250));
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        for bad in [
            "", " ", "-", "+", ".", "-.", "12.3.4", "1 000", "1,000.00", "£5", "5p", "--5", "+-5",
            "- 5", "5-", "abc", "1e3", "NaN", "٣", "１２",
        ] {
            assert_eq!(
                parse_pence(bad, DOT),
                Err(AmountError::NotAnAmount),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn rejects_more_than_two_decimals() {
        assert_eq!(
            parse_pence("30.500", DOT),
            Err(AmountError::TooManyDecimals)
        );
        assert_eq!(parse_pence("0.001", DOT), Err(AmountError::TooManyDecimals));
    }

    #[test]
    fn limits() {
        assert_eq!(parse_pence("92233720368547758.07", DOT), Ok(i64::MAX));
        assert_eq!(parse_pence("-92233720368547758.07", DOT), Ok(-i64::MAX));
        assert_eq!(
            parse_pence("92233720368547758.08", DOT),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            parse_pence("99999999999999999999999", DOT),
            Err(AmountError::TooLarge)
        );
    }
}
