//! Bodies the edge streams: the client's body with its already-read prefix put back in front
//! (after a filter looked at it), and an upstream answer that gives its pooled connection back
//! once it has been read to the end.

use bytes::{Bytes, BytesMut};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Every body the edge sends or forwards.
pub type EdgeBody = BoxBody<Bytes, hyper::Error>;

/// A body of `bytes`.
pub fn full(bytes: impl Into<Bytes>) -> EdgeBody {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// Reads up to `limit` bytes from the front of `body`; the prefix and the body with the
/// prefix put back.
pub async fn split_prefix(
    mut body: EdgeBody,
    limit: usize,
) -> Result<(Bytes, EdgeBody), hyper::Error> {
    let mut prefix = BytesMut::new();
    let mut ended = false;
    while prefix.len() < limit {
        match body.frame().await {
            Some(frame) => {
                if let Ok(data) = frame?.into_data() {
                    prefix.extend_from_slice(&data);
                }
            }
            None => {
                ended = true;
                break;
            }
        }
    }
    let prefix = prefix.freeze();
    let rest = Prefixed {
        prefix: Some(prefix.clone()).filter(|p| !p.is_empty()),
        rest: (!ended).then_some(body),
    };
    Ok((prefix.slice(..prefix.len().min(limit)), rest.boxed()))
}

/// A prefix, then the rest of a body.
struct Prefixed {
    prefix: Option<Bytes>,
    rest: Option<EdgeBody>,
}

impl Body for Prefixed {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        if let Some(prefix) = self.prefix.take() {
            return Poll::Ready(Some(Ok(Frame::data(prefix))));
        }
        match self.rest.as_mut() {
            Some(rest) => Pin::new(rest).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.prefix.is_none() && self.rest.as_ref().is_none_or(|r| r.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        let extra = self.prefix.as_ref().map_or(0, |p| p.len() as u64);
        let mut hint = self
            .rest
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), |r| r.size_hint());
        // The upper bound first: `set_lower` asserts the new lower bound is within it.
        if let Some(upper) = hint.upper() {
            hint.set_upper(upper + extra);
        }
        hint.set_lower(hint.lower() + extra);
        hint
    }
}

/// A body that runs `on_end` once it was read to its end: when its last frame is polled
/// (the inner body then says `is_end_stream`, as a body of known length does after its last
/// byte), when the end is polled, or when it is dropped at its end unpolled (hyper's server
/// writes a body of known length without polling past its last byte, and never polls an
/// empty one). A body dropped before its end does not run it.
pub struct OnEnd<F: FnOnce() + Send + Unpin> {
    pub inner: EdgeBody,
    pub on_end: Option<F>,
}

impl<F: FnOnce() + Send + Unpin> OnEnd<F> {
    fn end(&mut self) {
        if let Some(done) = self.on_end.take() {
            done();
        }
    }
}

impl<F: FnOnce() + Send + Unpin> Body for OnEnd<F> {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        let ended = match &polled {
            Poll::Ready(None) => true,
            Poll::Ready(Some(Ok(_))) => self.inner.is_end_stream(),
            Poll::Ready(Some(Err(_))) | Poll::Pending => false,
        };
        if ended {
            self.end();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<F: FnOnce() + Send + Unpin> Drop for OnEnd<F> {
    fn drop(&mut self) {
        if self.inner.is_end_stream() {
            self.end();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn the_prefix_is_put_back() {
        let (prefix, rest) = split_prefix(full("hello world"), 5).await.unwrap();
        assert_eq!(&prefix[..], b"hello");
        let all = rest.collect().await.unwrap().to_bytes();
        assert_eq!(&all[..], b"hello world");
        let (prefix, rest) = split_prefix(full(""), 5).await.unwrap();
        assert!(prefix.is_empty());
        assert!(rest.collect().await.unwrap().to_bytes().is_empty());
    }

    /// `body` wrapped so that its end counts in the returned counter.
    fn counted(body: EdgeBody) -> (OnEnd<impl FnOnce() + Send + Unpin>, Arc<AtomicUsize>) {
        let ends = Arc::new(AtomicUsize::new(0));
        let seen = ends.clone();
        let on_end = move || {
            seen.fetch_add(1, Ordering::SeqCst);
        };
        let body = OnEnd {
            inner: body,
            on_end: Some(on_end),
        };
        (body, ends)
    }

    #[tokio::test]
    async fn the_end_runs_at_the_last_frame_of_a_body_of_known_length() {
        let (mut body, ends) = counted(full("abc"));
        let frame = body.frame().await.unwrap().unwrap();
        assert_eq!(frame.into_data().unwrap(), "abc");
        // Read no further, as hyper's server does once the length is written.
        assert!(body.is_end_stream());
        assert_eq!(ends.load(Ordering::SeqCst), 1);
        drop(body);
        assert_eq!(ends.load(Ordering::SeqCst), 1, "once only");
    }

    #[test]
    fn an_empty_body_ends_when_dropped_unpolled_and_a_partial_one_does_not() {
        let (body, ends) = counted(full(""));
        drop(body);
        assert_eq!(ends.load(Ordering::SeqCst), 1);
        let (body, ends) = counted(full("unread"));
        drop(body);
        assert_eq!(ends.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_body_read_whole_into_its_prefix_keeps_an_exact_size() {
        let (_, rest) = split_prefix(full("hello"), 100).await.unwrap();
        assert_eq!(rest.size_hint().exact(), Some(5));
    }
}
