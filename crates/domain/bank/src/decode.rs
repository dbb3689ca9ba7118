//! Turning statement bytes into text: UTF-8 (a byte-order mark is dropped) or, when the bytes
//! are not valid UTF-8, Windows-1252 (a superset of Latin-1 for printable characters), which
//! is what OFX 1.x files with `CHARSET:1252` and many CSV exports use.

use std::borrow::Cow;

/// Decodes `bytes` as UTF-8, falling back to Windows-1252; never fails.
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| windows_1252(b)).collect()),
    }
}

/// One Windows-1252 byte as a character. The five bytes the code page leaves undefined map
/// to the Latin-1 control character with the same value.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}',
        '\u{017D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}',
        '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}',
        '\u{9D}', '\u{017E}', '\u{0178}',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_kept_and_bom_dropped() {
        assert_eq!(decode("Zoë".as_bytes()), "Zoë");
        assert_eq!(decode(b"\xEF\xBB\xBFabc"), "abc");
        assert!(matches!(decode(b"abc"), Cow::Borrowed(_)));
    }

    #[test]
    fn invalid_utf8_is_windows_1252() {
        assert_eq!(decode(b"Zo\xEB M\xDCLLER"), "Zoë MÜLLER");
        assert_eq!(decode(b"\x80 5 \x93hi\x94 \x81"), "€ 5 “hi” \u{81}");
        assert_eq!(decode(b"\xFF"), "ÿ");
    }
}
