//! Perl's printing of numbers.

/// C's `%.15g`, as Perl prints a number that is not an integer: 15 significant digits, trailing
/// zeros dropped, scientific notation below 1e-4 and from 1e15.
pub fn g15(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return if x.is_nan() {
            "nan".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let scientific = format!("{x:.14e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..15).contains(&exponent) {
        let mantissa = trim_fraction(mantissa);
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exponent.abs());
    }
    let decimals = usize::try_from(14 - exponent).unwrap_or(0);
    trim_fraction(&format!("{x:.decimals$}")).to_owned()
}

fn trim_fraction(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_perl() {
        for (x, expected) in [
            (1.0, "1"),
            (720.0, "720"),
            (100.0, "100"),
            (72.5, "72.5"),
            (0.1, "0.1"),
            (1.234_567_890_123_456_7, "1.23456789012346"),
            (1e20, "1e+20"),
            (-0.0, "0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123_456_789_012_345.0, "123456789012345"),
            (1_234_567_890_123_456.0, "1.23456789012346e+15"),
            (-2.5, "-2.5"),
            (12.5, "12.5"),
            (30.0, "30"),
        ] {
            assert_eq!(g15(x), expected, "{x}");
        }
    }
}
