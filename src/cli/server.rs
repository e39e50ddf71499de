//! The HTTP server loop, hardened against clients that hold connections: a connection cap
//! below the file-descriptor limit, a deadline for a request's headers (which also closes
//! idle keep-alive connections: the deadline runs while the server waits for the next
//! request), a deadline between body chunks (tower-http), and a bounded graceful shutdown.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceBuilder;

/// Limits of the server loop; each from the environment, documented in the README.
#[derive(Debug, Clone)]
pub struct ServerLimits {
    /// How long a client may take to send a request's headers, and how long an idle
    /// keep-alive connection stays open (`DIALBASE_HEADER_TIMEOUT`, seconds).
    pub header_timeout: Duration,
    /// The longest wait for the next chunk of a request body (`DIALBASE_BODY_TIMEOUT`).
    pub body_timeout: Duration,
    /// Open connections at most (`DIALBASE_MAX_CONNECTIONS`); further ones are closed at once.
    pub max_connections: usize,
    /// How long in-flight requests may take to finish after SIGTERM (`DIALBASE_SHUTDOWN_TIMEOUT`).
    pub shutdown_timeout: Duration,
}

/// File descriptors kept free of client connections: the database, its WAL, logs, pools.
const RESERVED_FDS: u64 = 64;

impl ServerLimits {
    /// The limits from the environment, with the soft fd limit raised as far as allowed
    /// and the connection cap kept below it.
    pub fn from_env() -> Result<Self, String> {
        let seconds =
            |name: &str, default: u64| crate::settings::number(name, default, 1..=u64::MAX).map(Duration::from_secs);
        let fds = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
        let fitting = usize::try_from(fds.saturating_sub(RESERVED_FDS).max(16)).unwrap_or(usize::MAX);
        let max_connections =
            crate::settings::number("DIALBASE_MAX_CONNECTIONS", fitting.min(10_000), 1..=usize::MAX)?.min(fitting);
        Ok(ServerLimits {
            header_timeout: seconds("DIALBASE_HEADER_TIMEOUT", 10)?,
            body_timeout: seconds("DIALBASE_BODY_TIMEOUT", 30)?,
            max_connections,
            shutdown_timeout: seconds("DIALBASE_SHUTDOWN_TIMEOUT", 10)?,
        })
    }
}

/// Serves `app` until `shutdown` resolves, then lets in-flight requests finish for at most
/// the shutdown timeout and returns (connections still open then are dropped).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let mut last_accept_error = None::<Instant>;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors (EMFILE) and the like: say so once a second, back
                    // off a little, go on serving the connections that are open.
                    if last_accept_error.is_none_or(|at| at.elapsed() > Duration::from_secs(1)) {
                        tracing::warn!(error = %e, "accept failed");
                        last_accept_error = Some(Instant::now());
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            // At the cap the newest connection is closed at once rather than queued.
            drop(stream);
            continue;
        };
        // The client's address, for the per-address limits on failed logins.
        let with_peer = move |mut request: axum::http::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request
        };
        let service = TowerToHyperService::new(ServiceBuilder::new().map_request(with_peer).service(app.clone()));
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("every connection finished"),
        () = tokio::time::sleep(limits.shutdown_timeout) => {
            tracing::warn!("shutdown timeout: dropping the connections still open");
        }
    }
    Ok(())
}
