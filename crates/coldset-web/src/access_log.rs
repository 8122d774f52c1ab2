//! A debug-level line per request: method, path and status, so that an operator can follow
//! what a client did. Never the query string, the headers or the body: those carry tokens,
//! passwords, PINs and follow-up keys. At the default level (info) it costs one check per
//! request and no allocation.

use axum::http::Request;
use axum::response::Response;
use futures_util::future::{BoxFuture, Either};
use std::task::{Context, Poll};

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AccessLogLayer;

impl<S> tower::Layer<S> for AccessLogLayer {
    type Service = AccessLog<S>;

    fn layer(&self, inner: S) -> AccessLog<S> {
        AccessLog { inner }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct AccessLog<S> {
    inner: S,
}

impl<S, B> tower::Service<Request<B>> for AccessLog<S>
where
    S: tower::Service<Request<B>, Response = Response>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<S::Future, BoxFuture<'static, Result<Response, S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        if !tracing::enabled!(tracing::Level::DEBUG) {
            return Either::Left(self.inner.call(req));
        }
        let (method, path) = (req.method().clone(), req.uri().path().to_owned());
        let answer = self.inner.call(req);
        Either::Right(Box::pin(async move {
            let resp = answer.await?;
            tracing::debug!(%method, %path, status = resp.status().as_u16(), "request");
            Ok(resp)
        }))
    }
}
