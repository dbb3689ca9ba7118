//! `offimic-api`: the server of offimic, and the operator commands that share its configuration
//! and database.
//!
//! Map: `config` reads `api.json`; `database` opens the store the URL names; `app` builds the
//! router (state, request log, error fallbacks); `routes/*` are the thin handlers; `auth` decides
//! who may write; `history` and `timefmt` render; `jobs` are the background tasks; `cli` is the
//! command line. Domain rules live in the `offimic-*` domain crates, SQL in the store crates.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod database;
pub mod error;
pub mod history;
pub mod jobs;
pub mod negotiate;
pub mod routes;
pub mod timefmt;

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::app::{AppState, router};

/// Serves `state` on `listener` until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let jobs = tokio::spawn(jobs::run(state.clone()));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    jobs.abort();
    served
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(term) => term,
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGTERM; only Ctrl-C will stop the server");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = term.recv() => {},
        _ = tokio::signal::ctrl_c() => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
