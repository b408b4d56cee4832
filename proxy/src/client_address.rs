//! Who a request comes from, for rate limits: the TCP peer, or — when the peer is one of the
//! configured trusted proxies — the rightmost `X-Forwarded-For`/`Forwarded` hop that is not.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::AppState;

/// A configured trusted proxy range could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// The operator sees: the address part is not an IPv4 or IPv6 address.
    #[error("'{0}' is not an IP address or CIDR range such as 10.0.0.0/8")]
    Address(String),
    /// The operator sees: the prefix length is not a number within the address's bits.
    #[error("'{0}' has a prefix length that is not 0 to 32 (IPv4) or 0 to 128 (IPv6)")]
    Prefix(String),
}

/// An address range, `10.0.0.0/8` or `2001:db8::/32` (a bare address is a range of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address
            .parse()
            .map_err(|_| CidrError::Address(text.to_owned()))?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| CidrError::Prefix(text.to_owned()))?,
        };
        Ok(Self { network, prefix })
    }
}

impl Cidr {
    /// True when `address` is in the range (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, address: IpAddr) -> bool {
        let mask = |bits: u32, total: u32| -> u128 {
            if bits == 0 {
                0
            } else {
                (!0u128) << (total - bits)
            }
        };
        match (self.network, canonical(address)) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                let mask = mask(u32::from(self.prefix), 32);
                u128::from(u32::from(network)) & mask == u128::from(u32::from(address)) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                let mask = mask(u32::from(self.prefix), 128);
                u128::from(network) & mask == u128::from(address) & mask
            }
            _ => false,
        }
    }
}

/// The proxies (load balancers) whose forwarding headers are believed; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<Cidr>);

impl TrustedProxies {
    /// True when `address` is one of the trusted proxies.
    pub fn contains(&self, address: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(address))
    }

    /// The client a request comes from: the TCP `peer` unless it is a trusted proxy; then the
    /// rightmost forwarded hop that is not itself trusted (entries left of it may be made up
    /// by the client, so they are never read). `X-Forwarded-For` is read when present,
    /// otherwise `Forwarded`. When every hop is trusted, the leftmost; when a hop cannot be
    /// read, the trusted hop that reported it.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.contains(peer) {
            return peer;
        }
        let hops = forwarded_hops(headers);
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(address) = parse_node(hop) else {
                return client;
            };
            client = canonical(address);
            if !self.contains(client) {
                return client;
            }
        }
        client
    }
}

/// The forwarding chain, leftmost (farthest) first, as written by the nearest proxies.
fn forwarded_hops(headers: &HeaderMap) -> Vec<String> {
    let values = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .map(|value| value.to_str().unwrap_or("unknown").to_owned())
            .collect::<Vec<_>>()
    };
    let x_forwarded_for = values("x-forwarded-for");
    if !x_forwarded_for.is_empty() {
        return x_forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(|hop| hop.trim().to_owned())
            .collect();
    }
    values("forwarded")
        .iter()
        .flat_map(|value| value.split(','))
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                .map_or("unknown", |(_, value)| value.trim().trim_matches('"'))
                .to_owned()
        })
        .collect()
}

/// An address as a hop names it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or
/// `[2001:db8::1]:4711`; None for `unknown`, obfuscated names and anything else.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim();
    if let Ok(address) = node.parse::<IpAddr>() {
        return Some(address);
    }
    if let Some(rest) = node.strip_prefix('[') {
        let (address, _) = rest.split_once(']')?;
        return address.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    node.parse::<SocketAddr>().ok().map(|s| s.ip())
}

/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, a dual-stack socket's view) as IPv4.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// What one client is counted as: its IPv4 address, or its IPv6 /64 (one subscriber's
/// network: a host can pick any of its 2^64 addresses, so each /128 is no one).
pub fn limit_key(address: IpAddr) -> Vec<u8> {
    match canonical(address) {
        IpAddr::V4(v4) => [&[4u8][..], &v4.octets()].concat(),
        IpAddr::V6(v6) => [&[6u8][..], &v6.octets()[..8]].concat(),
    }
}

/// The client address of a request, as [`TrustedProxies::client_address`] derives it; None
/// when the server was started without connect info (a router nested without it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl ClientAddress {
    /// The key this client's requests are counted under (see [`limit_key`]).
    pub fn limit_key(&self) -> Option<Vec<u8>> {
        self.0.map(limit_key)
    }
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip());
        Ok(Self(peer.map(|peer| {
            state
                .config
                .trusted_proxies
                .client_address(peer, &parts.headers)
        })))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn trusted(ranges: &[&str]) -> TrustedProxies {
        TrustedProxies(ranges.iter().map(|r| r.parse().unwrap()).collect())
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_parse_and_contain() {
        let range: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(range.contains(ip("10.200.1.1")));
        assert!(range.contains(ip("::ffff:10.0.0.1")), "mapped IPv4");
        assert!(!range.contains(ip("11.0.0.1")));
        assert!(!range.contains(ip("::1")));
        let one: Cidr = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")) && !v6.contains(ip("2001:db9::1")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")));
        assert!(matches!(
            "10.0.0.0/33".parse::<Cidr>(),
            Err(CidrError::Prefix(_))
        ));
        assert!(matches!(
            "ten/8".parse::<Cidr>(),
            Err(CidrError::Address(_))
        ));
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let proxies = trusted(&["10.0.0.0/8"]);
        let forged = headers(&[
            ("x-forwarded-for", "198.51.100.1"),
            ("forwarded", "for=198.51.100.2"),
        ]);
        assert_eq!(
            proxies.client_address(ip("203.0.113.5"), &forged),
            ip("203.0.113.5")
        );
        assert_eq!(
            TrustedProxies::default().client_address(ip("10.0.0.1"), &forged),
            ip("10.0.0.1"),
            "no trusted proxies: headers are never read"
        );
    }

    #[test]
    fn a_trusted_peer_forwards_the_rightmost_untrusted_hop() {
        let proxies = trusted(&["10.0.0.0/8", "2001:db8:1::/48"]);
        let peer = ip("10.0.0.1");
        // The client wrote the first two entries itself; the load balancer appended its peer.
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4, 5.6.7.8, 203.0.113.5")]);
        assert_eq!(proxies.client_address(peer, &spoofed), ip("203.0.113.5"));
        // Two trusted proxies in a row, the header repeated.
        let chain = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "203.0.113.5:4711, 10.1.2.3"),
        ]);
        assert_eq!(proxies.client_address(peer, &chain), ip("203.0.113.5"));
        // No header: the proxy itself.
        assert_eq!(proxies.client_address(peer, &HeaderMap::new()), peer);
        // Only trusted hops: the leftmost.
        let internal = headers(&[("x-forwarded-for", "10.9.9.9, 10.1.1.1")]);
        assert_eq!(proxies.client_address(peer, &internal), ip("10.9.9.9"));
        // An unreadable hop stops the walk at the trusted hop that reported it.
        let garbage = headers(&[("x-forwarded-for", "203.0.113.5, nonsense, 10.1.1.1")]);
        assert_eq!(proxies.client_address(peer, &garbage), ip("10.1.1.1"));
    }

    #[test]
    fn the_forwarded_header_is_read_when_there_is_no_x_forwarded_for() {
        let proxies = trusted(&["10.0.0.0/8"]);
        let peer = ip("10.0.0.1");
        let forwarded = headers(&[(
            "forwarded",
            "for=1.2.3.4, for=\"[2001:db8:cafe::17]:4711\";proto=https;by=10.0.0.1, For=10.2.2.2",
        )]);
        assert_eq!(
            proxies.client_address(peer, &forwarded),
            ip("2001:db8:cafe::17")
        );
        let v4_with_port = headers(&[("forwarded", "proto=http;for=\"203.0.113.5:80\"")]);
        assert_eq!(
            proxies.client_address(peer, &v4_with_port),
            ip("203.0.113.5")
        );
        let hidden = headers(&[("forwarded", "for=_hidden, for=10.3.3.3")]);
        assert_eq!(proxies.client_address(peer, &hidden), ip("10.3.3.3"));
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        assert_eq!(
            limit_key(ip("2001:db8:1:2:aaaa::1")),
            limit_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"))
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:2::1")),
            limit_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(
            limit_key(ip("::ffff:192.0.2.1")),
            limit_key(ip("192.0.2.1"))
        );
        assert_ne!(limit_key(ip("192.0.2.1")), limit_key(ip("192.0.2.2")));
    }
}
