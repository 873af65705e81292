//! One connection's life-cycle state: requests in flight, when it went idle, when an HTTP/1
//! head started arriving, and the deadline by which it must be closed; plus the IO wrapper that
//! notices the bytes (and rewrites hyper's bare error responses) and the guard that brackets
//! each request.

use crate::limits::ServerLimits;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

/// The HTTP/2 connection preface starts with this (an HTTP/1 request never does in practice).
const H2_PREFACE_START: &[u8] = b"PRI ";

/// What the listener knows about one open connection. Times are milliseconds since the
/// registry's epoch plus one (0 means "not set").
pub(crate) struct ConnState {
    pub(crate) id: u64,
    pub(crate) ip: IpAddr,
    epoch: Instant,
    opened_ms: u64,
    in_flight: AtomicUsize,
    served: AtomicU64,
    idle_since_ms: AtomicU64,
    head_started_ms: AtomicU64,
    first_read_seen: AtomicBool,
    http2: AtomicBool,
    /// Woken when the registry sheds this connection to make room for another.
    pub(crate) shed: Notify,
}

impl ConnState {
    pub(crate) fn new(id: u64, ip: IpAddr, epoch: Instant) -> Self {
        let opened_ms = millis_since(epoch, Instant::now());
        Self {
            id,
            ip,
            epoch,
            opened_ms,
            in_flight: AtomicUsize::new(0),
            served: AtomicU64::new(0),
            idle_since_ms: AtomicU64::new(opened_ms),
            head_started_ms: AtomicU64::new(0),
            first_read_seen: AtomicBool::new(false),
            http2: AtomicBool::new(false),
            shed: Notify::new(),
        }
    }

    fn now_ms(&self) -> u64 {
        millis_since(self.epoch, Instant::now())
    }

    /// True when no request is being handled (a candidate for shedding).
    pub(crate) fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }

    /// Since when the connection has had no request in flight (ms tick; smaller is older).
    pub(crate) fn idle_since(&self) -> u64 {
        self.idle_since_ms.load(Ordering::Acquire)
    }

    /// Marks a request as started; the guard marks it finished when dropped.
    pub(crate) fn begin_request(self: &Arc<Self>) -> RequestGuard {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.served.fetch_add(1, Ordering::AcqRel);
        self.head_started_ms.store(0, Ordering::Release);
        RequestGuard(self.clone())
    }

    /// Records that bytes arrived: the first read tells HTTP/2 from HTTP/1, and on an idle
    /// HTTP/1 connection the first bytes start the head-read clock.
    fn saw_bytes(&self, bytes: &[u8]) {
        if !self.first_read_seen.swap(true, Ordering::AcqRel) && bytes.starts_with(H2_PREFACE_START)
        {
            self.http2.store(true, Ordering::Release);
        }
        if self.http2.load(Ordering::Acquire)
            || !self.is_idle()
            || self.head_started_ms.load(Ordering::Acquire) != 0
        {
            return;
        }
        let now = self.now_ms();
        let _ = self
            .head_started_ms
            .compare_exchange(0, now, Ordering::AcqRel, Ordering::Acquire);
    }

    /// When the connection must be closed if nothing changes, or `None` while a request is in
    /// flight (the gateway's body timeout and the service bound that time). Nothing wakes the
    /// watchdog when this changes (that would cost a task wake-up per request): it re-reads
    /// the deadline at least every [`ServerLimits::header_read_timeout`].
    pub(crate) fn deadline(&self, limits: &ServerLimits) -> Option<Instant> {
        if !self.is_idle() {
            return None;
        }
        let head = self.head_started_ms.load(Ordering::Acquire);
        let ms = if head != 0 {
            head + millis(limits.header_read_timeout())
        } else if self.served.load(Ordering::Acquire) == 0 {
            self.opened_ms + millis(limits.first_request_timeout())
        } else {
            self.idle_since() + millis(limits.idle_timeout())
        };
        Some(self.epoch + std::time::Duration::from_millis(ms.saturating_sub(1)))
    }
}

/// Brackets one request: while alive the connection is busy and is never shed or timed out.
pub(crate) struct RequestGuard(Arc<ConnState>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        let state = &self.0;
        state.idle_since_ms.store(state.now_ms(), Ordering::Release);
        state.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX / 2)
}

fn millis_since(epoch: Instant, now: Instant) -> u64 {
    millis(now.saturating_duration_since(epoch)).saturating_add(1)
}

/// An IO stream that reports the bytes it reads to its connection's state, and replaces
/// hyper's bare HTTP/1 error responses with AWS-shaped ones ([`crate::framing`]).
pub(crate) struct WatchedIo<T> {
    inner: T,
    state: Arc<ConnState>,
    /// A replacement response being written and how much of it is out; once set, everything
    /// else hyper writes on this connection is dropped (hyper closes it after the error).
    replacement: Option<(Vec<u8>, usize)>,
}

impl<T> WatchedIo<T> {
    pub(crate) fn new(inner: T, state: Arc<ConnState>) -> Self {
        Self {
            inner,
            state,
            replacement: None,
        }
    }

    /// The state this stream reports to.
    pub(crate) fn state(&self) -> Arc<ConnState> {
        self.state.clone()
    }

    /// Starts replacing when `written` is one of hyper's bare error responses on HTTP/1.
    fn intercept(&mut self, written: &[u8]) -> bool {
        if self.replacement.is_none()
            && !self.state.http2.load(Ordering::Acquire)
            && let Some(bytes) = crate::framing::replace_bare_error(written)
        {
            self.replacement = Some((bytes, 0));
        }
        self.replacement.is_some()
    }
}

impl<T: AsyncWrite + Unpin> WatchedIo<T> {
    /// Writes what is left of the replacement response, if any.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some((bytes, sent)) = &mut self.replacement else {
            return Poll::Ready(Ok(()));
        };
        while let Some(rest) = bytes.get(*sent..).filter(|r| !r.is_empty()) {
            match Pin::new(&mut self.inner).poll_write(cx, rest) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *sent += n,
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WatchedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled
            && let Some(fresh) = buf.filled().get(before..).filter(|b| !b.is_empty())
        {
            self.state.saw_bytes(fresh);
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WatchedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.intercept(buf) {
            return self.poll_replacement(cx).map_ok(|()| buf.len());
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_replacement(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_replacement(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let total = bufs.iter().map(|b| b.len()).sum::<usize>();
        let mut non_empty = bufs.iter().filter(|b| !b.is_empty());
        let only = match (non_empty.next(), non_empty.next()) {
            (Some(first), None) => Some(&first[..]),
            _ => None,
        };
        if self.replacement.is_some() || only.is_some_and(|b| self.intercept(b)) {
            return self.poll_replacement(cx).map_ok(|()| total);
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limits() -> ServerLimits {
        ServerLimits {
            first_request_timeout_secs: 2,
            header_read_timeout_secs: 3,
            idle_timeout_secs: 7,
            ..ServerLimits::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn deadlines_follow_the_connection_phase() {
        let epoch = Instant::now();
        let state = Arc::new(ConnState::new(1, [127, 0, 0, 1].into(), epoch));
        let limits = limits();
        let first = state.deadline(&limits).unwrap();
        assert_eq!(first - epoch, Duration::from_secs(2));
        tokio::time::advance(Duration::from_secs(1)).await;
        state.saw_bytes(b"GET / HTTP/1.1\r\n");
        assert_eq!(
            state.deadline(&limits).unwrap() - epoch,
            Duration::from_secs(4)
        );
        let guard = state.begin_request();
        assert_eq!(state.deadline(&limits), None);
        state.saw_bytes(b"body bytes while busy");
        tokio::time::advance(Duration::from_secs(5)).await;
        drop(guard);
        assert_eq!(
            state.deadline(&limits).unwrap() - epoch,
            Duration::from_secs(13)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn http2_bytes_never_start_a_head_clock() {
        let epoch = Instant::now();
        let state = Arc::new(ConnState::new(1, [127, 0, 0, 1].into(), epoch));
        state.saw_bytes(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        drop(state.begin_request());
        tokio::time::advance(Duration::from_secs(1)).await;
        state.saw_bytes(b"\x00\x00\x08\x06\x00 ping frame");
        assert_eq!(
            state.deadline(&limits()).unwrap() - epoch,
            Duration::from_secs(7)
        );
    }
}
