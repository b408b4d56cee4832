//! Where the host is in a URL as typed, and whether it holds letters outside ASCII: one
//! reading of the text for the wizard and the proxy, so that both give the same answer.
//!
//! Read on the text before any parser sees it: the workspace links the ASCII-only IDNA back
//! end (`idna_adapter` 1.0), which refuses such a host with an opaque error, and a full back
//! end would rewrite it; either way the administrator is asked for the `xn--` form.

use std::ops::Range;

/// Where the scheme's `:` is, when `text` starts with a scheme. `host:8080/…` is a host and
/// a port, not a scheme: a scheme's `:` is never followed by a digit.
pub fn scheme_end(text: &str) -> Option<usize> {
    let colon = text.find(':')?;
    let mut scheme = text[..colon].chars();
    let is_scheme = scheme.next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let port_follows = text[colon + 1..].starts_with(|c: char| c.is_ascii_digit());
    (is_scheme && !port_follows).then_some(colon)
}

/// The byte range of the host in `url` as typed, with or without a scheme: after the
/// scheme, any slashes and a user name, before the port, path, query or fragment. An IPv6
/// literal keeps its brackets.
pub fn host_span(url: &str) -> Range<usize> {
    let from = scheme_end(url).map_or(0, |colon| colon + 1);
    let rest = &url[from..];
    let start = from + (rest.len() - rest.trim_start_matches(['/', '\\']).len());
    let end = url[start..]
        .find(['/', '\\', '?', '#'])
        .map_or(url.len(), |at| start + at);
    let start = url[start..end]
        .rfind('@')
        .map_or(start, |at| start + at + 1);
    let host = &url[start..end];
    let len = if host.starts_with('[') {
        // An IPv6 literal: its colons are not a port's.
        host.find(']').map_or(host.len(), |at| at + 1)
    } else {
        host.find(':').unwrap_or(host.len())
    };
    start..start + len
}

/// The host of `url` as typed (see [`host_span`]), or None when there is none.
pub fn host_text(url: &str) -> Option<&str> {
    Some(&url[host_span(url)]).filter(|host| !host.is_empty())
}

/// True when the host of `url`, as typed, holds a letter outside ASCII, written out or
/// `%`-escaped (an escape of a byte above 0x7F).
pub fn is_non_ascii_host(url: &str) -> bool {
    let Some(host) = host_text(url) else {
        return false;
    };
    let bytes = host.as_bytes();
    !host.is_ascii()
        || bytes.iter().enumerate().any(|(at, b)| {
            *b == b'%'
                && bytes
                    .get(at + 1)
                    .and_then(|hi| char::from(*hi).to_digit(16))
                    .is_some_and(|hi| hi >= 8)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_is_found_with_or_without_scheme_user_port_and_path() {
        for (url, host) in [
            ("https://district.example/campus", Some("district.example")),
            (
                "HTTPS://District.Example:443/x?y#z",
                Some("District.Example"),
            ),
            ("district.example/campus/api", Some("district.example")),
            ("//district.example/campus", Some("district.example")),
            ("localhost:8080/sandbox", Some("localhost")),
            ("https://user:pa@ss@d.example:8443/", Some("d.example")),
            ("https:\\\\d.example\\x", Some("d.example")),
            ("http://[::1]:9/x", Some("[::1]")),
            ("[fe80::1%25eth0]:80/x", Some("[fe80::1%25eth0]")),
            ("https://d.example?x=é", Some("d.example")),
            ("https://", None),
            ("", None),
        ] {
            assert_eq!(host_text(url), host, "{url}");
        }
    }

    #[test]
    fn non_ascii_letters_in_the_host_are_found_typed_out_or_escaped() {
        for url in [
            "https://distrîct.example/ims/oneroster/rostering/v1p2",
            "distrîct.example/ims/oneroster/rostering/v1p2",
            "distrîct.example:443/ims/oneroster/rostering/v1p2",
            "https://DISTRÎCT.example:443/x",
            "https://distr%C3%AEct.example/x",
            "https://distr%c3%aect.example/x",
            "https://user@bücher.example/campus/oauth2/token",
            "https://user:pässword@bücher.example/",
            "https://bücher.example?x",
        ] {
            assert!(is_non_ascii_host(url), "{url}");
        }
    }

    #[test]
    fn ascii_hosts_and_non_ascii_elsewhere_are_not_flagged() {
        for url in [
            "https://xn--distrct-kza.example/ims/oneroster/rostering/v1p2",
            "https://d.example/é/ims/oneroster/rostering/v1p2",
            "https://d.example/x?appName=a&x=é#ü",
            "https://üser@d.example/",
            "https://d.example%2Fx/",
            "http://[::1]:9/x",
            "[fe80::1%25eth0]:80/x",
            "localhost:8080/sandbox",
            "not a url",
            "https://",
        ] {
            assert!(!is_non_ascii_host(url), "{url}");
        }
    }
}
