//! Validation of a head count given by hand (`GET /count/:value`).

/// Why a count was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountError {
    #[error("count must be a non-negative integer, got {0:?}")]
    NotANumber(String),
    #[error("count {count} is above the configured maximum of {max}")]
    TooLarge { count: u64, max: u32 },
}

/// Parses a count: ASCII digits only (no sign, no spaces), at most `max`.
pub fn parse_count(text: &str, max: u32) -> Result<u32, CountError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CountError::NotANumber(text.chars().take(40).collect()));
    }
    let count: u64 = text.parse().unwrap_or(u64::MAX);
    if count > u64::from(max) {
        return Err(CountError::TooLarge { count, max });
    }
    Ok(count as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_digits_up_to_the_maximum() {
        assert_eq!(parse_count("0", 10), Ok(0));
        assert_eq!(parse_count("007", 10), Ok(7));
        assert_eq!(parse_count("10", 10), Ok(10));
    }

    #[test]
    fn refuses_everything_else() {
        for bad in ["", "-1", "+1", "1.5", " 1", "1e3", "abc", "٣"] {
            assert!(
                matches!(parse_count(bad, 10), Err(CountError::NotANumber(_))),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_count("11", 10),
            Err(CountError::TooLarge { count: 11, max: 10 })
        );
        assert!(matches!(
            parse_count("99999999999999999999999", 10),
            Err(CountError::TooLarge { .. })
        ));
    }
}
