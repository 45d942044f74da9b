//! Errors: one enum for every way a call can fail, and Graph's error body.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::client::BoxError;

/// Why a call failed.
///
/// No variant ever holds the bearer token: the token lives only in a header
/// value marked sensitive, and neither URLs nor bodies carry it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request did not complete: DNS, connect, TLS, timeout or a broken
    /// connection.
    Transport(reqwest::Error),
    /// The server answered with a non-2xx status. `error` is Graph's
    /// `{"error": {...}}` body when it parses; `body` is the raw text either
    /// way, for services that answer otherwise. Boxed to keep `Error`, and
    /// so every `Result` here, small.
    Status { status: u16, error: Option<Box<GraphError>>, body: String },
    /// A 2xx body did not match the expected type. `path` is the JSON path
    /// of the offending value (`.` for the root), so a model bug can be
    /// found without a debugger.
    Decode { type_name: &'static str, path: String, message: String },
    /// The request body could not be serialised.
    Serialize(serde_json::Error),
    /// The token provider failed, or produced a token that cannot be a
    /// header value.
    Auth(BoxError),
    /// The request cannot be sent as built: an invalid header, a path with a
    /// `.`/`..`/empty id, a next or delta link pointing at another host, an
    /// empty batch or upload. Caught before anything goes on the wire.
    InvalidRequest(String),
    /// The file to upload could not be read.
    Io(std::io::Error),
    /// A 2xx answer that does not follow the protocol the call relies on: a
    /// `202` without a monitor URL, a batch answer without one of its items,
    /// the last page of a delta query without a delta link.
    UnexpectedResponse(String),
    /// The `$batch` request that carried this item failed as a whole, so
    /// the item has no answer of its own. Shared by every item of that batch.
    Batch(Arc<Error>),
    /// A long-running operation reported that it failed.
    OperationFailed { status: String, error: Option<Box<GraphError>> },
    /// A long-running operation had not finished when the polling timeout
    /// ran out; `status` is the last one it reported.
    Timeout { waited: Duration, status: String },
}

impl Error {
    /// The HTTP status of a [`Error::Status`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Graph's error body of a [`Error::Status`], when it had one.
    pub fn graph_error(&self) -> Option<&GraphError> {
        match self {
            Error::Status { error, .. } => error.as_deref(),
            _ => None,
        }
    }

    /// Builds the error for a non-2xx response.
    pub(crate) fn from_status(status: u16, body: &[u8]) -> Error {
        #[derive(Deserialize)]
        struct Envelope {
            error: GraphError,
        }
        let error = serde_json::from_slice::<Envelope>(body).ok().map(|envelope| Box::new(envelope.error));
        Error::Status { status, error, body: String::from_utf8_lossy(body).into_owned() }
    }
}

/// How much of an unparsed error body `Display` shows.
const BODY_PREVIEW: usize = 200;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport(e) => write!(f, "request failed: {e}"),
            Error::Status { status, error, body } => {
                write!(f, "HTTP {status}")?;
                if let Some(reason) = reqwest::StatusCode::from_u16(*status).ok().and_then(|s| s.canonical_reason()) {
                    write!(f, " {reason}")?;
                }
                match error {
                    Some(error) => write!(f, ": {error}"),
                    None if body.is_empty() => Ok(()),
                    None => {
                        let preview: String = body.chars().take(BODY_PREVIEW).collect();
                        let ellipsis = if preview.len() < body.len() { "…" } else { "" };
                        write!(f, ": {preview}{ellipsis}")
                    }
                }
            }
            Error::Decode { type_name, path, message } => {
                write!(f, "could not decode the response as `{type_name}` at `{path}`: {message}")
            }
            Error::Serialize(e) => write!(f, "could not serialise the request body: {e}"),
            Error::Auth(e) => write!(f, "could not get a bearer token: {e}"),
            Error::InvalidRequest(reason) => write!(f, "invalid request: {reason}"),
            Error::Io(e) => write!(f, "could not read the file to upload: {e}"),
            Error::UnexpectedResponse(reason) => write!(f, "unexpected response: {reason}"),
            Error::Batch(e) => write!(f, "the $batch request carrying this item failed: {e}"),
            Error::OperationFailed { status, error } => {
                write!(f, "the long-running operation ended with status `{status}`")?;
                match error {
                    Some(error) => write!(f, ": {error}"),
                    None => Ok(()),
                }
            }
            Error::Timeout { waited, status } => write!(
                f,
                "the long-running operation had not finished after {:.1} s (last status `{status}`)",
                waited.as_secs_f64()
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            Error::Serialize(e) => Some(e),
            Error::Auth(e) => Some(e.as_ref()),
            Error::Batch(e) => Some(e.as_ref()),
            Error::Io(e) => Some(e),
            Error::Status { .. }
            | Error::Decode { .. }
            | Error::InvalidRequest(_)
            | Error::UnexpectedResponse(_)
            | Error::OperationFailed { .. }
            | Error::Timeout { .. } => None,
        }
    }
}

/// The `error` object of a Graph error response.
///
/// ```json
/// {"error": {"code": "Request_ResourceNotFound", "message": "…",
///            "innerError": {"request-id": "…", "date": "…"}}}
/// ```
///
/// Fields are lenient (`code` and `message` default to empty) because some
/// workloads behind Graph send partial bodies, and a half-parsed error is
/// more useful than none. Anything else (`details`, `target`, …) is kept in
/// `additional_properties`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphError {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(rename = "innerError", alias = "innererror", default, skip_serializing_if = "Option::is_none")]
    pub inner_error: Option<InnerError>,
    #[serde(flatten)]
    pub additional_properties: serde_json::Map<String, serde_json::Value>,
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(request_id) = self.inner_error.as_ref().and_then(|inner| inner.request_id.as_deref()) {
            write!(f, " (request-id {request_id})")?;
        }
        Ok(())
    }
}

/// Diagnostics Graph attaches to an error; quote `request_id` and `date`
/// when asking Microsoft support about a failure.
///
/// Graph spells the keys `request-id` and `client-request-id`; some
/// workloads use camelCase, accepted as aliases. Unknown keys are kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InnerError {
    #[serde(rename = "request-id", alias = "requestId", default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(rename = "client-request-id", alias = "clientRequestId", default, skip_serializing_if = "Option::is_none")]
    pub client_request_id: Option<String>,
    #[serde(flatten)]
    pub additional_properties: serde_json::Map<String, serde_json::Value>,
}
