//! The vendor prefix: the only vendor-supplied text that reaches an extract's name or query.

/// The most characters a sanitized prefix keeps.
pub const MAX_PREFIX_CHARS: usize = 40;

/// The prefix used when a vendor's name has no ASCII letter or digit.
const FALLBACK_PREFIX: &str = "Vendor";

/// The letters and digits of `raw` (ASCII only), at most [`MAX_PREFIX_CHARS`], or `"Vendor"` when none.
///
/// Keeping nothing but ASCII alphanumerics means the prefix can never close a comment, start
/// a new line, quote an identifier or otherwise change the meaning of the SQL it is put in.
/// "Acme Learning, Inc." → "AcmeLearningInc"; "O'Brien \"Ed\" */ DROP" → "OBrienEdDROP".
#[must_use]
pub fn sanitize_prefix(raw: &str) -> String {
    let prefix: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(MAX_PREFIX_CHARS)
        .collect();
    if prefix.is_empty() {
        FALLBACK_PREFIX.to_owned()
    } else {
        prefix
    }
}

/// `"<prefix>DataExtracts"`: the value for every required (*) field of a new extract.
#[must_use]
pub fn required_value(prefix: &str) -> String {
    format!("{}DataExtracts", sanitize_prefix(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_ascii_letters_and_digits() {
        assert_eq!(sanitize_prefix("Acme Learning, Inc."), "AcmeLearningInc");
        assert_eq!(sanitize_prefix("O'Brien \"Ed\" */ DROP"), "OBrienEdDROP");
        assert_eq!(sanitize_prefix("Ñandú Learning 2"), "andLearning2");
    }

    #[test]
    fn falls_back_when_nothing_is_left() {
        assert_eq!(sanitize_prefix(""), "Vendor");
        assert_eq!(sanitize_prefix("--- */ ;'\n"), "Vendor");
        assert_eq!(sanitize_prefix("ÑÚ"), "Vendor");
    }

    #[test]
    fn cuts_to_the_maximum() {
        let long = "A".repeat(MAX_PREFIX_CHARS + 10);
        assert_eq!(sanitize_prefix(&long).len(), MAX_PREFIX_CHARS);
    }

    #[test]
    fn required_value_sanitizes_its_prefix() {
        assert_eq!(required_value("Acme"), "AcmeDataExtracts");
        assert_eq!(required_value("Acme, Inc."), "AcmeIncDataExtracts");
        assert_eq!(required_value("!!"), "VendorDataExtracts");
    }
}
