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

/// A body that runs `on_end` once it was read to its end (not when dropped before).
pub struct OnEnd<F: FnOnce() + Send + Unpin> {
    pub inner: EdgeBody,
    pub on_end: Option<F>,
}

impl<F: FnOnce() + Send + Unpin> Body for OnEnd<F> {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(None) = polled
            && let Some(done) = self.on_end.take()
        {
            done();
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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

    #[tokio::test]
    async fn a_body_read_whole_into_its_prefix_keeps_an_exact_size() {
        let (_, rest) = split_prefix(full("hello"), 100).await.unwrap();
        assert_eq!(rest.size_hint().exact(), Some(5));
    }
}
