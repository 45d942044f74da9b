//! Hooks: the client's extension point for what every request carries.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

/// What a [`RequestHook`] is told about the request it may change.
///
/// No URL and no body: the template says which operation it is without the
/// ids in it, and upload URLs carry their own credentials in the query.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RequestInfo<'a> {
    /// The HTTP method.
    pub method: &'a Method,
    /// The path template ([`RequestPath::template`](crate::RequestPath::template)),
    /// or what kind of URL it is for links (`{uploadUrl}`, `{monitorUrl}`, …).
    pub template: &'a str,
    /// `1` for the first try, `2` for the first retry, and so on.
    pub attempt: u32,
    /// Whether the client's credentials go with this request. `false` for
    /// upload session URLs and for monitor URLs on another host, which are
    /// pre-authenticated: a hook that adds secrets should leave those alone.
    pub authenticated: bool,
}

/// Runs before each attempt of every request the client sends, and after
/// each answer: for custom headers (`client-request-id`, telemetry, a
/// tenant's routing header) and for reading response headers.
///
/// It runs before the client adds its `Authorization` header, so it never
/// sees the token. A hook that sets `Authorization` itself replaces the
/// client's, as a request's own header does.
///
/// Any `Fn(&RequestInfo, &mut HeaderMap)` closure is a hook.
pub trait RequestHook: Send + Sync {
    /// Adds or changes headers of the attempt about to be sent.
    fn on_request(&self, request: &RequestInfo<'_>, headers: &mut HeaderMap);

    /// Sees the status and headers of each answer, retried ones included.
    fn on_response(&self, request: &RequestInfo<'_>, status: StatusCode, headers: &HeaderMap) {
        let _ = (request, status, headers);
    }
}

impl<F> RequestHook for F
where
    F: Fn(&RequestInfo<'_>, &mut HeaderMap) + Send + Sync,
{
    fn on_request(&self, request: &RequestInfo<'_>, headers: &mut HeaderMap) {
        self(request, headers);
    }
}
