//! One operation call: built by generated code, inspected by tests, sent
//! here.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;

use futures::{Stream, StreamExt};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::de::value::{BytesDeserializer, UnitDeserializer};

use crate::client::Client;
use crate::error::Error;
use crate::model::Page;
use crate::path::RequestPath;
use crate::transport::{Outgoing, Received, execute, is_idempotent_method};

/// Characters encoded in query names and values: the separators `&`, `=`,
/// `#`, `+` (a space to form decoders), `%`, and whatever the URL standard
/// would encode anyway (space, quotes, `<`, `>`), so [`Request::url`] is
/// byte for byte what is sent. OData punctuation (`$`, `(`, `)`, `,`, `/`,
/// `:`) stays readable.
const QUERY: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'\'')
    .add(b'+')
    .add(b';')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// What a successful response body holds, which decides how it is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseKind {
    /// A JSON document (an empty body decodes like [`ResponseKind::Empty`],
    /// since some operations documented with a body answer 204).
    Json,
    /// No content (204 and the like): the success type is decoded from
    /// unit, so `()` and `Option<_>` work.
    Empty,
    /// Raw bytes (`$value`, `Stream`): decoded via a bytes deserializer, so
    /// [`Binary`](crate::Binary) works.
    Bytes,
}

#[derive(Clone)]
pub(crate) enum Body {
    None,
    Json(serde_json::Value),
    Bytes { bytes: Vec<u8>, content_type: String },
}

/// One operation call, ready to inspect or send; `T` is the decoded
/// success type.
///
/// Generated code builds it (path, method, body) and hands it to the user,
/// who may add query options and headers. Everything is plain data until
/// [`send`](Request::send), so tests can check the URL and body without a
/// server.
#[must_use = "a request does nothing until it is sent"]
pub struct Request<T> {
    pub(crate) client: Client,
    pub(crate) method: Method,
    pub(crate) path: RequestPath,
    /// An absolute URL the server handed out (a delta link), sent instead
    /// of `path` below the base URL.
    pub(crate) link: Option<String>,
    pub(crate) kind: ResponseKind,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Body,
    pub(crate) body_error: Option<serde_json::Error>,
    idempotent: Option<bool>,
    // `fn() -> T`: the request produces a T, it does not hold one, so it is
    // Send + Sync whatever T is.
    _output: PhantomData<fn() -> T>,
}

impl<T> Request<T> {
    /// A request for `path` below the client's base URL.
    pub fn new(client: &Client, method: Method, path: RequestPath, kind: ResponseKind) -> Self {
        Request {
            client: client.clone(),
            method,
            path,
            link: None,
            kind,
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
            body_error: None,
            idempotent: None,
            _output: PhantomData,
        }
    }

    /// Sets a JSON body. It is serialised right away, so the request does
    /// not borrow `body`; a serialisation error is kept and returned by
    /// [`send`](Request::send), which keeps this builder infallible.
    pub fn json_body<B: serde::Serialize + ?Sized>(mut self, body: &B) -> Self {
        match serde_json::to_value(body) {
            Ok(value) => {
                self.body = Body::Json(value);
                self.body_error = None;
            }
            Err(e) => {
                self.body = Body::None;
                self.body_error = Some(e);
            }
        }
        self
    }

    /// Sets a raw body, e.g. file content for a `PUT …/content`.
    pub fn bytes_body(mut self, bytes: Vec<u8>, content_type: &str) -> Self {
        self.body = Body::Bytes { bytes, content_type: content_type.to_owned() };
        self.body_error = None;
        self
    }

    /// Adds a query parameter. Repeated names are all sent; the OData
    /// helpers below replace instead, because Graph rejects a system query
    /// option given twice.
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// `$select=a,b`: only these properties. An empty list adds nothing.
    pub fn select(self, fields: &[&str]) -> Self {
        if fields.is_empty() {
            return self;
        }
        self.set_query("$select", fields.join(","))
    }

    /// `$filter`, e.g. `startswith(displayName,'A')`; encoded for you.
    pub fn filter(self, expr: &str) -> Self {
        self.set_query("$filter", expr.to_owned())
    }

    /// `$expand`, e.g. `members($select=id)`.
    pub fn expand(self, expr: &str) -> Self {
        self.set_query("$expand", expr.to_owned())
    }

    /// `$orderby`, e.g. `displayName desc`.
    pub fn order_by(self, expr: &str) -> Self {
        self.set_query("$orderby", expr.to_owned())
    }

    /// `$search`. Graph wants the value in double quotes
    /// (`"displayName:foo"`); they are added unless already there. Many
    /// collections also need `ConsistencyLevel: eventual` for it.
    pub fn search(self, expr: &str) -> Self {
        let quoted = expr.len() >= 2 && expr.starts_with('"') && expr.ends_with('"');
        let value = if quoted { expr.to_owned() } else { format!("\"{expr}\"") };
        self.set_query("$search", value)
    }

    /// `$top`: at most `n` items (per page, for most collections).
    pub fn top(self, n: u32) -> Self {
        self.set_query("$top", n.to_string())
    }

    /// `$skip`: leave out the first `n` items.
    pub fn skip(self, n: u32) -> Self {
        self.set_query("$skip", n.to_string())
    }

    /// `$count=true`: include `@odata.count`. `false` removes the option.
    pub fn count(mut self, yes: bool) -> Self {
        if yes {
            self.set_query("$count", "true".to_owned())
        } else {
            self.query.retain(|(name, _)| name != "$count");
            self
        }
    }

    /// Adds a header, e.g. `ConsistencyLevel`, `Prefer` or `If-Match`.
    /// Repeated names are all sent. An invalid name or value is reported by
    /// [`send`](Request::send).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// `ConsistencyLevel: eventual`, which Entra ID collections need for
    /// advanced queries: `$count`, `$search`, and `$filter` with `endsWith`
    /// or `ne`.
    pub fn consistency_level_eventual(self) -> Self {
        self.set_header("ConsistencyLevel", "eventual")
    }

    /// `Prefer`, e.g. `return=minimal`, `outlook.timezone="Pacific Standard
    /// Time"` or `odata.maxpagesize=50`. Replaces an earlier `Prefer`.
    pub fn prefer(self, preference: &str) -> Self {
        self.set_header("Prefer", preference)
    }

    /// `If-Match`: only change the entity if its ETag (the `@odata.etag` it
    /// was read with) is still `etag`; otherwise Graph answers 412.
    pub fn if_match(self, etag: &str) -> Self {
        self.set_header("If-Match", etag)
    }

    /// Declares whether repeating this request is harmless, which decides
    /// whether it is retried. Defaults to the method's semantics (GET, HEAD,
    /// PUT, DELETE and OPTIONS are); use `true` for a POST or PATCH that is
    /// known to be safe, `false` to never retry.
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = Some(yes);
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The encoded path below the base URL (for a request made from a
    /// link, the link's path and query below it, or the whole link).
    pub fn path(&self) -> &str {
        match &self.link {
            Some(link) => link.strip_prefix(self.client.base_url()).unwrap_or(link),
            None => self.path.as_str(),
        }
    }

    /// The path with placeholders for the ids in it (see
    /// [`RequestPath::template`]); `{deltaLink}` for a request made from a
    /// delta link. What traces show.
    pub fn template(&self) -> &str {
        match &self.link {
            Some(_) => DELTA_LINK_TEMPLATE,
            None => self.path.template(),
        }
    }

    /// The full URL that will be sent: base URL, path and encoded query.
    pub fn url(&self) -> String {
        match &self.link {
            Some(link) => {
                let separator = if link.contains('?') { '&' } else { '?' };
                let query = self.query_string();
                if query.is_empty() { link.clone() } else { format!("{link}{separator}{query}") }
            }
            None => {
                let query = self.query_string();
                let separator = if query.is_empty() { "" } else { "?" };
                format!("{}{}{separator}{query}", self.client.base_url(), self.path.as_str())
            }
        }
    }

    /// The encoded query options, `a=1&b=2`, without the `?`.
    fn query_string(&self) -> String {
        let mut query = String::new();
        for (i, (name, value)) in self.query.iter().enumerate() {
            if i > 0 {
                query.push('&');
            }
            query.extend(utf8_percent_encode(name, QUERY));
            query.push('=');
            query.extend(utf8_percent_encode(value, QUERY));
        }
        query
    }

    /// The JSON body, if one was set and serialised.
    pub fn body_json(&self) -> Option<&serde_json::Value> {
        match &self.body {
            Body::Json(value) => Some(value),
            Body::None | Body::Bytes { .. } => None,
        }
    }

    /// The raw body and its content type, if one was set.
    pub fn body_bytes(&self) -> Option<(&[u8], &str)> {
        match &self.body {
            Body::Bytes { bytes, content_type } => Some((bytes, content_type)),
            Body::None | Body::Json(_) => None,
        }
    }

    /// The headers this request adds (not the client's `Authorization`).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The kind of body a successful response is decoded from.
    pub fn response_kind(&self) -> ResponseKind {
        self.kind
    }

    fn set_query(mut self, name: &str, value: String) -> Self {
        self.query.retain(|(n, _)| n != name);
        self.query.push((name.to_owned(), value));
        self
    }

    fn set_header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub(crate) fn is_idempotent(&self) -> bool {
        self.idempotent.unwrap_or_else(|| is_idempotent_method(&self.method))
    }

    /// Why this request cannot be sent as built, found without sending it.
    pub(crate) fn unsendable(&mut self) -> Option<Error> {
        if let Some(e) = self.body_error.take() {
            return Some(Error::Serialize(e));
        }
        if let Some(link) = &self.link {
            return same_origin(&self.client, link, "delta link").err();
        }
        self.path.unsendable_reason().map(Error::InvalidRequest)
    }

    /// Sends the request once (with retries) and returns the 2xx answer.
    pub(crate) async fn send_raw(mut self) -> Result<(Received, Parts), Error> {
        if let Some(e) = self.unsendable() {
            return Err(e);
        }
        let url = self.url();
        let idempotent = self.is_idempotent();
        let body = match &self.body {
            Body::None => None,
            Body::Json(value) => Some((serde_json::to_vec(value).map_err(Error::Serialize)?, "application/json")),
            Body::Bytes { bytes, content_type } => Some((bytes.clone(), content_type.as_str())),
        };
        let received = execute(
            &self.client,
            Outgoing {
                method: self.method.clone(),
                url: &url,
                template: self.template(),
                headers: &self.headers,
                body,
                idempotent,
                authenticated: true,
            },
        )
        .await?;
        let template = self.template().to_owned();
        let parts = Parts { client: self.client, headers: self.headers, kind: self.kind, template };
        Ok((received, parts))
    }
}

/// What traces show for a request made from a delta link.
const DELTA_LINK_TEMPLATE: &str = "{deltaLink}";

/// What later pages of a collection reuse from the first request.
pub(crate) struct Parts {
    pub client: Client,
    pub headers: Vec<(String, String)>,
    pub kind: ResponseKind,
    /// The first request's template: later pages are the same operation.
    pub template: String,
}

impl<T: DeserializeOwned> Request<T> {
    /// Sends the request, retrying per the client's [`RetryPolicy`](crate::RetryPolicy),
    /// and decodes the body according to its [`ResponseKind`].
    ///
    /// A decode failure names the Rust type and the JSON path, so a model
    /// that disagrees with the service is found at once.
    pub async fn send(self) -> Result<T, Error> {
        let (received, parts) = self.send_raw().await?;
        decode(parts.kind, &received.body)
    }
}

impl<T: DeserializeOwned + Send + 'static> Request<Page<T>> {
    /// Every item of the collection, following `@odata.nextLink` until the
    /// last page.
    ///
    /// The stream owns a clone of the client, so it can outlive the
    /// request's builder. It ends after the first error.
    pub fn items(self) -> impl Stream<Item = Result<T, Error>> + Send + Unpin {
        // `pages` ends itself after an error, so draining it is enough.
        let state = (self.pages(), VecDeque::<T>::new());
        futures::stream::unfold(state, |(mut pages, mut buffer)| async move {
            loop {
                if let Some(item) = buffer.pop_front() {
                    return Some((Ok(item), (pages, buffer)));
                }
                match pages.next().await? {
                    Ok(page) => buffer = page.value.into(),
                    Err(e) => return Some((Err(e), (pages, buffer))),
                }
            }
        })
        .boxed()
    }

    /// Whole pages, following `@odata.nextLink`: for when you need the
    /// final page's `delta_link`, or `count`.
    ///
    /// Later pages are plain GETs of the absolute next link, with this
    /// request's headers (e.g. `ConsistencyLevel`) and the client's
    /// credentials. A next link to another host than the base URL's is
    /// refused, so a response cannot send the token elsewhere.
    pub fn pages(self) -> impl Stream<Item = Result<Page<T>, Error>> + Send + Unpin {
        enum Next<T> {
            First(Request<Page<T>>),
            Link(Parts, String),
            Done,
        }
        futures::stream::unfold(Next::First(self), |next| async move {
            let (page, parts) = match next {
                Next::Done => return None,
                Next::First(request) => match request.send_raw().await {
                    Ok((received, parts)) => (decode::<Page<T>>(parts.kind, &received.body), parts),
                    Err(e) => return Some((Err(e), Next::Done)),
                },
                Next::Link(parts, link) => match fetch_link(&parts, &link).await {
                    Ok(body) => (decode::<Page<T>>(parts.kind, &body), parts),
                    Err(e) => return Some((Err(e), Next::Done)),
                },
            };
            match page {
                Ok(page) => {
                    let next = match &page.next_link {
                        Some(link) => Next::Link(parts, link.clone()),
                        None => Next::Done,
                    };
                    Some((Ok(page), next))
                }
                Err(e) => Some((Err(e), Next::Done)),
            }
        })
        .boxed()
    }
}

/// GETs a next link after checking it stays on the base URL's origin.
async fn fetch_link(parts: &Parts, link: &str) -> Result<Vec<u8>, Error> {
    let url = same_origin(&parts.client, link, "next link")?;
    let received = execute(
        &parts.client,
        Outgoing {
            method: Method::GET,
            url: url.as_str(),
            template: &parts.template,
            headers: &parts.headers,
            body: None,
            idempotent: true,
            authenticated: true,
        },
    )
    .await?;
    Ok(received.body)
}

/// The client's base URL, parsed.
pub(crate) fn base_url(client: &Client) -> Result<Url, Error> {
    Url::parse(client.base_url())
        .map_err(|e| Error::InvalidRequest(format!("base URL `{}` is not valid: {e}", client.base_url())))
}

/// `link` (a next, delta or monitor link; a relative one is resolved
/// against the base URL) if it is on the base URL's origin, so the client's
/// credentials may go with it; `what` names the link in the error.
pub(crate) fn same_origin(client: &Client, link: &str, what: &str) -> Result<Url, Error> {
    let base = base_url(client)?;
    let url = base.join(link).map_err(|e| Error::InvalidRequest(format!("{what} `{link}` is not a URL: {e}")))?;
    if url.origin() != base.origin() {
        return Err(Error::InvalidRequest(format!(
            "{what} `{link}` leaves `{}`; not sending credentials there",
            client.base_url()
        )));
    }
    Ok(url)
}

/// Decodes a 2xx body according to `kind`.
pub(crate) fn decode<T: DeserializeOwned>(kind: ResponseKind, body: &[u8]) -> Result<T, Error> {
    let type_name = std::any::type_name::<T>();
    let plain = |e: serde::de::value::Error| Error::Decode { type_name, path: ".".to_owned(), message: e.to_string() };
    match kind {
        ResponseKind::Empty => T::deserialize(UnitDeserializer::new()).map_err(plain),
        ResponseKind::Bytes => T::deserialize(BytesDeserializer::new(body)).map_err(plain),
        ResponseKind::Json if body.iter().all(u8::is_ascii_whitespace) => {
            T::deserialize(UnitDeserializer::new()).map_err(plain)
        }
        ResponseKind::Json => {
            let mut de = serde_json::Deserializer::from_slice(body);
            let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let (path, message) = crate::decode::join_path(&e.path().to_string(), &e.into_inner().to_string());
                Error::Decode { type_name, path, message }
            })?;
            de.end().map_err(|e| Error::Decode { type_name, path: ".".to_owned(), message: e.to_string() })?;
            Ok(value)
        }
    }
}

// By hand: a file upload's bytes are noise in a debug print.
impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::None => f.write_str("None"),
            Body::Json(value) => f.debug_tuple("Json").field(value).finish(),
            Body::Bytes { bytes, content_type } => write!(f, "Bytes({} bytes of {content_type})", bytes.len()),
        }
    }
}

impl<T> fmt::Debug for Request<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Headers set by the caller could carry credentials too.
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let sensitive =
                    ["authorization", "cookie", "proxy-authorization"].iter().any(|s| name.eq_ignore_ascii_case(s));
                (name.as_str(), if sensitive { "(redacted)" } else { value.as_str() })
            })
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url())
            .field("kind", &self.kind)
            .field("headers", &headers)
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}
