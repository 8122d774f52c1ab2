//! Connection limits: on set, anyone on the Wi-Fi can open connections to the laptop, so
//! one neighbour must not be able to stop the server by holding sockets open. Every
//! connection takes a slot (at most `max_connections` in all and `per_client` from one
//! address; over that it is closed at once), must send its first request and each request's
//! headers within `header`, and is closed after `idle` with nothing read or written. The
//! live board's event stream writes a keep-alive every 15 s, so it is never idle.
//!
//! Written here rather than taken from a crate: axum-server gives the accept hook and
//! hyper the header timeout, but no crate we already build counts connections per client.

use axum_server::accept::Accept;
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

/// What one server accepts (configuration keys `max_connections`,
/// `max_connections_per_client`, `idle_timeout_seconds`, `header_timeout_seconds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_connections: usize,
    pub per_client: usize,
    pub idle: Duration,
    pub header: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        // 512 stays well under the usual 1,024 open files, leaving room for the database,
        // the log and the checkpoint copies.
        Limits { max_connections: 512, per_client: 64, idle: Duration::from_secs(60), header: Duration::from_secs(10) }
    }
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// An axum-server acceptor that admits a connection only within the limits and wraps it
/// so that it is closed when idle. Put it inside the TLS acceptor, so a TLS handshake
/// also counts against the slot and the idle time.
#[derive(Clone)]
pub struct Limited {
    counts: Arc<Mutex<Counts>>,
    limits: Limits,
}

impl Limited {
    pub fn new(limits: Limits) -> Self {
        Limited { counts: Arc::new(Mutex::new(Counts::default())), limits }
    }

    fn admit(&self, client: IpAddr) -> io::Result<Slot> {
        let mut counts = self.counts.lock().map_err(|_| io::Error::other("connection counts poisoned"))?;
        let from_client = counts.by_client.get(&client).copied().unwrap_or(0);
        if counts.total >= self.limits.max_connections || from_client >= self.limits.per_client {
            return Err(io::Error::new(io::ErrorKind::ConnectionRefused, "connection limit reached"));
        }
        counts.total += 1;
        counts.by_client.insert(client, from_client + 1);
        Ok(Slot { counts: self.counts.clone(), client })
    }
}

/// A connection's place in the counts, given back when the connection ends.
struct Slot {
    counts: Arc<Mutex<Counts>>,
    client: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.total = counts.total.saturating_sub(1);
            if let Some(n) = counts.by_client.get_mut(&self.client) {
                *n -= 1;
                if *n == 0 {
                    counts.by_client.remove(&self.client);
                }
            }
        }
    }
}

impl<S: Send + 'static> Accept<TcpStream, S> for Limited {
    type Stream = Guarded;
    type Service = S;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Guarded, S)>> + Send>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let admitted = stream.peer_addr().and_then(|peer| self.admit(peer.ip()));
        let idle = self.limits.idle;
        Box::pin(async move {
            // Refused: dropping the stream closes it before it costs anything more.
            let slot = admitted?;
            let _ = stream.set_nodelay(true);
            Ok((Guarded::new(stream, slot, idle), service))
        })
    }
}

/// A TCP stream that holds its slot and ends with an error once nothing was read or
/// written for the idle time.
pub struct Guarded {
    stream: TcpStream,
    _slot: Slot,
    idle: Duration,
    last: Instant,
    timer: Pin<Box<Sleep>>,
}

impl Guarded {
    fn new(stream: TcpStream, slot: Slot, idle: Duration) -> Self {
        let now = Instant::now();
        Guarded { stream, _slot: slot, idle, last: now, timer: Box::pin(tokio::time::sleep_until(now + idle)) }
    }

    /// Called while a read or write waits: an error once the connection has been idle too
    /// long, else `Pending` with the timer set to wake this task when it might be.
    fn check_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        loop {
            if self.timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let due = self.last + self.idle;
            if Instant::now() >= due {
                return Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, "connection idle"));
            }
            // Activity since the timer was set: wait from the last activity instead.
            self.timer.as_mut().reset(due);
        }
    }
}

impl AsyncRead for Guarded {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.stream).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    self.last = Instant::now();
                }
                Poll::Ready(result)
            }
            Poll::Pending => self.check_idle(cx).map(Err),
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.stream).poll_write(cx, data) {
            Poll::Ready(Ok(n)) => {
                self.last = Instant::now();
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => self.check_idle(cx).map(Err),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Serves `router` on `listen` (HTTPS when `tls` is given) within `limits`, until the
/// shutdown signal; then lets requests in flight finish for up to five seconds. Calls
/// `listening` with the bound address once it accepts connections.
pub async fn serve(
    router: axum::Router,
    listen: std::net::SocketAddr,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
    limits: Limits,
    listening: impl FnOnce(std::net::SocketAddr),
) -> Result<(), String> {
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        crate::shutdown_signal().await;
        stopper.graceful_shutdown(Some(Duration::from_secs(5)));
    });
    let acceptor = Limited::new(limits);
    // The client's address reaches handlers (per-client limits on the public pages) and
    // nothing else: it is never logged or stored.
    let make = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = match tls {
        Some(config) => {
            let tls = axum_server::tls_rustls::RustlsAcceptor::new(config)
                .handshake_timeout(limits.header)
                .acceptor(acceptor);
            let mut s =
                axum_server::bind(listen).acceptor(tls).handle(handle.clone()).first_request_timeout(limits.header);
            s.http_builder().http1().header_read_timeout(limits.header);
            tokio::spawn(s.serve(make))
        }
        None => {
            let mut s = axum_server::bind(listen)
                .acceptor(acceptor)
                .handle(handle.clone())
                .first_request_timeout(limits.header);
            s.http_builder().http1().header_read_timeout(limits.header);
            tokio::spawn(s.serve(make))
        }
    };
    match handle.listening().await {
        Some(addr) => listening(addr),
        None => {
            return Err(match server.await {
                Ok(Err(e)) => format!("cannot listen on {listen}: {e}"),
                _ => format!("cannot listen on {listen}"),
            })
        }
    }
    server.await.map_err(|e| format!("server error: {e}"))?.map_err(|e| format!("server error: {e}"))
}
