//! HiveWeb's canonical JSON, as Perl's `JSON->new->canonical` writes it: object keys sorted by
//! code point at every level, no whitespace, integers as plain decimals, other numbers as
//! Perl's `%.15g`, and strings escaped only where JSON requires it (control characters as
//! lower-case `\u00xx`; `/`, DEL and non-ASCII raw). The result is hashed as Latin-1 bytes, so a
//! character above U+00FF cannot be signed, and neither can an integer too large for 64 bits
//! (Perl's two JSON backends disagree on it).

use serde_json::{Number, Value};

/// Why a value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonError {
    #[error("a character above U+00FF cannot be signed")]
    WideCharacter,
    #[error("an integer does not fit in 64 bits")]
    IntegerTooLarge,
}

/// The canonical bytes of `value`: the canonical text in Latin-1.
pub fn canonical(value: &Value) -> Result<Vec<u8>, CanonError> {
    let mut text = String::new();
    write_value(&mut text, value);
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).map_err(|_| CanonError::WideCharacter))
        .collect()
}

/// The canonical text of `value` (before the Latin-1 step).
pub fn canonical_text(value: &Value) -> String {
    let mut text = String::new();
    write_value(&mut text, value);
    text
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(number) => write_number(out, number),
        Value::String(text) => write_string(out, text),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

fn write_number(out: &mut String, number: &Number) {
    if let Some(i) = number.as_i64() {
        out.push_str(&i.to_string());
    } else if let Some(u) = number.as_u64() {
        out.push_str(&u.to_string());
    } else {
        out.push_str(&offimic_perlcompat::number::g15(
            number.as_f64().unwrap_or(0.0),
        ));
    }
}

fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Refuses request text holding an integer literal that does not fit in 64 bits; such a number
/// has no agreed canonical form. Strings are skipped; only bare number tokens are examined.
pub fn check_integers(text: &str) -> Result<(), CanonError> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if b == b'-' || b.is_ascii_digit() {
            let start = i;
            i += 1;
            while i < bytes.len()
                && (bytes[i].is_ascii_digit()
                    || matches!(bytes[i], b'.' | b'e' | b'E' | b'+' | b'-'))
            {
                i += 1;
            }
            let token = &text[start..i];
            let is_integer = !token.contains(['.', 'e', 'E']);
            if is_integer && token.parse::<i64>().is_err() && token.parse::<u64>().is_err() {
                return Err(CanonError::IntegerTooLarge);
            }
            continue;
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(value: serde_json::Value) -> String {
        canonical_text(&value)
    }

    #[test]
    fn keys_are_sorted_at_every_level_and_output_is_compact() {
        let value: Value = serde_json::from_str(
            "{\n\t\"z\": 1,\n\t\"a\": {\"y\": [3, 2, 1], \"b\": null}, \"B\": true\n}",
        )
        .unwrap();
        assert_eq!(
            text(value),
            r#"{"B":true,"a":{"b":null,"y":[3,2,1]},"z":1}"#
        );
    }

    #[test]
    fn numbers_print_as_perl_does() {
        for (literal, expected) in [
            ("1.0", "1"),
            ("720.0", "720"),
            ("1E2", "100"),
            ("72.5", "72.5"),
            ("0.1", "0.1"),
            ("1.23456789012345678", "1.23456789012346"),
            ("1e20", "1e+20"),
            ("-0.0", "0"),
            ("0.0001", "0.0001"),
            ("0.00001", "1e-05"),
            ("123456789012345.0", "123456789012345"),
            ("1234567890123456.0", "1.23456789012346e+15"),
            ("-2.5", "-2.5"),
            ("-5", "-5"),
            ("18446744073709551615", "18446744073709551615"),
            ("-9223372036854775808", "-9223372036854775808"),
        ] {
            let value: Value = serde_json::from_str(literal).unwrap();
            assert_eq!(text(value), expected, "{literal}");
        }
    }

    #[test]
    fn strings_are_escaped_only_where_needed() {
        let value = json!({"s": "a\"b\\c\nd\te\u{1}f/g\u{7f}é\u{8}\u{c}\r"});
        assert_eq!(
            text(value),
            "{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001f/g\u{7f}é\\b\\f\\r\"}"
        );
    }

    #[test]
    fn latin1_hashing_and_wide_characters() {
        assert_eq!(
            canonical(&json!({"item": "café"})).unwrap(),
            b"{\"item\":\"caf\xe9\"}".to_vec()
        );
        assert_eq!(
            canonical(&json!({"item": "€"})),
            Err(CanonError::WideCharacter)
        );
    }

    #[test]
    fn oversized_integers_are_refused_but_strings_and_floats_pass() {
        assert_eq!(
            check_integers(r#"{"badge": 12345678901234567890123}"#),
            Err(CanonError::IntegerTooLarge)
        );
        assert_eq!(
            check_integers(r#"{"badge": -9223372036854775809}"#),
            Err(CanonError::IntegerTooLarge)
        );
        assert!(
            check_integers(
                r#"{"badge": 18446744073709551615, "x": 1e400, "s": "12345678901234567890123"}"#
            )
            .is_ok()
        );
        assert!(check_integers(r#"{"s": "quote \" 99999999999999999999999 inside"}"#).is_ok());
    }
}
