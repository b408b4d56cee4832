//! Small text helpers that keep heavy machinery out of the wasm: the wizard writes numbers
//! with [`decimal`] and joins text with `concat` rather than `format!` or `to_string`
//! (`core::fmt`, about 1.3 KB gzip), and looks for a piece of text with [`find`] rather
//! than `str::find`, `contains` or `split_once` with a string pattern (the two-way
//! searcher).

/// `n` in decimal digits.
pub fn decimal(mut n: u64) -> String {
    let mut digits = Vec::with_capacity(20);
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

/// Where `needle` first starts in `hay`, as a byte index. A match always starts on a
/// character boundary: the first byte of a character never continues another. An empty
/// needle is found at 0.
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn find_agrees_with_str_find() {
        let hay = "https://campus.example/campus/api/ims/oneroster/v1p1?é=ü/?";
        for needle in [
            "",
            "://",
            "/v1p1",
            "/?",
            "é",
            "ü/",
            "campus",
            "nowhere",
            hay,
            "?é=ü/?x",
        ] {
            assert_eq!(find(hay, needle), hay.find(needle), "{needle:?}");
        }
        assert_eq!(find("", "a"), None);
        assert_eq!(find("ab", "abc"), None);
    }
}
