//! The client's address. Behind a reverse proxy or load balancer every
//! request comes from the proxy, so sign-in throttling and the landing page's
//! rate limit would lump all clients together. With `TRUSTED_PROXIES` set, the
//! address is read from `X-Forwarded-For`: from the right, skipping the
//! trusted proxies, so a client cannot choose its own address by sending the
//! header itself.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use app::ssr::web::ClientIp;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

/// The address to act on for a request from `peer` carrying `forwarded_for`
/// (every `X-Forwarded-For` value, in order).
pub fn resolve(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    let hops = forwarded_for
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rev();
    for hop in hops {
        match parse_hop(hop) {
            Some(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            // Not an address: nothing further left can be believed.
            None => break,
        }
    }
    client
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:567`, `::1` or `[::1]:567`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// Parses `TRUSTED_PROXIES`: addresses or networks, separated by commas.
pub fn parse_list(raw: &str) -> Result<Vec<IpNet>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("'{item}' is not an IP address or network like 10.0.0.0/8"))
        })
        .collect()
}

/// Puts the request's `ClientIp` among its extensions.
pub async fn layer(
    State(trusted): State<Arc<Vec<IpNet>>>,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let ip = resolve(peer.ip(), &forwarded, &trusted);
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        assert_eq!(
            resolve(ip("203.0.113.9"), &["1.1.1.1"], &[]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_trusted_proxy_passes_on_the_client() {
        let trusted = parse_list("10.0.0.0/8, 127.0.0.1").unwrap();
        assert_eq!(
            resolve(ip("10.1.2.3"), &["198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
        // Two proxies in a row, the header split over two lines.
        assert_eq!(
            resolve(ip("127.0.0.1"), &["198.51.100.7", "10.9.9.9"], &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            resolve(ip("10.1.2.3"), &["[2001:db8::1]:4711"], &trusted),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn a_client_cannot_choose_its_own_address() {
        let trusted = parse_list("10.0.0.0/8").unwrap();
        // The client sent "1.1.1.1" itself; the proxy appended the real address.
        assert_eq!(
            resolve(ip("10.0.0.1"), &["1.1.1.1, 198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
        // Garbage stops the walk at the last address that could be believed.
        assert_eq!(
            resolve(ip("10.0.0.1"), &["1.1.1.1, nonsense"], &trusted),
            ip("10.0.0.1")
        );
        // A request straight from an untrusted address keeps that address.
        assert_eq!(
            resolve(ip("198.51.100.8"), &["1.1.1.1"], &trusted),
            ip("198.51.100.8")
        );
    }

    #[test]
    fn the_setting_names_what_is_wrong() {
        assert_eq!(parse_list("").unwrap(), Vec::<IpNet>::new());
        assert_eq!(parse_list("::1, 192.168.0.0/16").unwrap().len(), 2);
        let err = parse_list("10.0.0.0/8, proxy.local").unwrap_err();
        assert!(err.contains("'proxy.local'"), "{err}");
    }
}
