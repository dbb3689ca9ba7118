//! The caller's address, as the access rules see it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::app::AppState;

/// The caller's address: the peer, or the last `X-Forwarded-For` hop when the peer is one of
/// the configured `trusted_proxies` (a header from anyone else is ignored: it is trivial to forge).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_canonical());
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        Ok(ClientIp(match (peer, forwarded) {
            (Some(peer), Some(forwarded)) if state.config.is_trusted_proxy(peer) => Some(forwarded),
            (peer, _) => peer,
        }))
    }
}

impl ClientIp {
    /// Whether the caller is the address a thing is pinned to.
    pub fn is(&self, assigned: &str) -> bool {
        match (self.0, assigned.parse::<IpAddr>()) {
            (Some(ip), Ok(assigned)) => ip == assigned.to_canonical(),
            _ => false,
        }
    }
}
