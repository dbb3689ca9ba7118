//! `offimic-api`: the server of offimic, and the operator commands that share its configuration
//! and database.
//!
//! Map: `config` reads `api.json`; `database` opens the store the URL names; `app` builds the
//! router (state, request log, error fallbacks); `routes/*` are the thin handlers; `auth` decides
//! who may write; `history` and `timefmt` render; `jobs` are the background tasks; `cli` is the
//! command line. Domain rules live in the `offimic-*` domain crates, SQL in the store crates.

pub mod access;
pub mod analysis;
pub mod app;
pub mod auth;
pub mod cli;
pub mod client_ip;
pub mod config;
pub mod database;
pub mod error;
pub mod history;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod money;
pub mod negotiate;
pub mod now;
pub mod routes;
pub mod timefmt;
pub mod web;

use std::future::Future;

use tokio::net::TcpListener;

use crate::app::{AppState, router};

/// Serves `state` on `listener` until `shutdown` resolves, then lets in-flight requests finish.
///
/// Connections are served by hyper directly rather than through `axum::serve`, to turn on
/// HTTP/1 half-close: Swindon's controllers send a request and shut their side at once, and
/// without half-close such a request can be dropped before it is handled.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt as _;

    let jobs = tokio::spawn(jobs::run(state.clone()));
    let app = router(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let in_flight = InFlight::default();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.half_close(true)
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let in_flight = in_flight.clone();
        let service = tower::service_fn(
            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                let handling = in_flight.start();
                let response = app.clone().oneshot(request.map(axum::body::Body::new));
                async move {
                    let response = response.await;
                    drop(handling);
                    response
                }
            },
        );
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    // Requests already being handled finish first; only then are the (now idle) connections
    // told to close, so a request whose body is still arriving is not cut off.
    in_flight.drained(SHUTDOWN_GRACE).await;
    graceful.shutdown().await;
    jobs.abort();
    Ok(())
}

/// How long requests in flight may take to finish once shutdown has begun.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Counts the requests being handled, so that shutdown can wait for them.
#[derive(Clone, Default)]
struct InFlight(std::sync::Arc<(std::sync::atomic::AtomicUsize, tokio::sync::Notify)>);

/// One request being handled; dropping it ends it.
struct Handling(InFlight);

impl InFlight {
    fn start(&self) -> Handling {
        self.0.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Handling(self.clone())
    }

    /// Waits until no request is being handled, or `grace` has passed.
    async fn drained(&self, grace: std::time::Duration) {
        let wait = async {
            loop {
                let notified = self.0.1.notified();
                if self.0.0.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                    return;
                }
                notified.await;
            }
        };
        if tokio::time::timeout(grace, wait).await.is_err() {
            tracing::warn!("requests still running after the shutdown grace period");
        }
    }
}

impl Drop for Handling {
    fn drop(&mut self) {
        if self.0.0.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 1 {
            self.0.0.1.notify_waiters();
        }
    }
}

/// How long a client may take to send its request headers.
const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

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
