//! Long-running operations: a `202 Accepted` that points at a monitor URL,
//! polled until the work is done (a drive item copy, a team clone, a
//! OneNote copy).

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode, Url};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{Error, GraphError};
use crate::request::{Request, base_url};
use crate::transport::{Outgoing, execute, retry_after};

/// What traces and hooks show for a monitor URL.
const MONITOR_TEMPLATE: &str = "{monitorUrl}";

/// How [`Operation::wait`] polls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Polling {
    /// The wait before each poll, unless the last answer asked for another
    /// with `Retry-After`.
    pub interval: Duration,
    /// How long to poll before giving up with [`Error::Timeout`].
    pub timeout: Duration,
}

impl Default for Polling {
    /// Every 2 seconds, for up to 10 minutes: a copy of a large folder
    /// takes minutes.
    fn default() -> Self {
        Polling { interval: Duration::from_secs(2), timeout: Duration::from_secs(600) }
    }
}

/// Where a long-running operation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationState {
    /// Not started, running, waiting or any status this crate does not know.
    Running,
    /// `succeeded` or `completed`, or the monitor answered with the
    /// resource itself.
    Succeeded,
    /// `failed`, `deleteFailed` or `cancelled`.
    Failed,
}

/// One answer of a monitor URL.
///
/// The services behind Graph describe their operations in different words
/// (OneDrive's `asyncJobStatus`, Teams' `teamsAsyncOperation`, OneNote's
/// `onenoteOperation`); the common fields are read here from either
/// spelling, and `body` keeps all of it.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationStatus {
    /// Read from `status`.
    pub state: OperationState,
    /// `status` as the service wrote it; empty when the monitor answered
    /// with the resource itself (OneDrive redirects there once done).
    pub status: String,
    /// `percentageComplete` or `percentComplete`, from a number or a
    /// numeric string.
    pub percent_complete: Option<f64>,
    /// `resourceId` or `targetResourceId`: what the operation made.
    pub resource_id: Option<String>,
    /// `resourceLocation` or `targetResourceLocation`.
    pub resource_location: Option<String>,
    /// `error` (`code` and `message`), or `errorCode`.
    pub error: Option<GraphError>,
    /// The whole answer.
    pub body: Value,
}

/// A long-running operation the service accepted, to poll until it ends.
///
/// The monitor URL gets the client's credentials only when it is on the
/// base URL's origin (Teams: `/teams('…')/operations('…')`). One on another
/// host (OneDrive's `…/_api/v2.0/monitor/…`) is pre-authenticated and is
/// polled without them, as the Graph SDKs do.
#[derive(Clone)]
pub struct Operation {
    client: Client,
    monitor: Url,
    authenticated: bool,
    /// The `Retry-After` of the answer that started it.
    first_delay: Option<Duration>,
}

impl<T> Request<T> {
    /// Sends a request the service answers with `202 Accepted` and a
    /// `Location` or `Operation-Location` header, and returns the
    /// [`Operation`] to poll. Generated operations with no answer body
    /// (`Request<()>`) get this like any other.
    ///
    /// Any other success status, or a 202 without either header, is
    /// [`Error::UnexpectedResponse`] (the request was carried out: a 201
    /// answer's `Location` names the created resource, not a monitor).
    pub async fn send_long_running(self) -> Result<Operation, Error> {
        let (received, parts) = self.send_raw().await?;
        if received.status != StatusCode::ACCEPTED {
            return Err(Error::UnexpectedResponse(format!(
                "expected 202 Accepted with a monitor URL, got {}",
                received.status
            )));
        }
        let header = received.headers.get("operation-location").or_else(|| received.headers.get(LOCATION));
        let Some(header) = header else {
            return Err(Error::UnexpectedResponse(
                "202 Accepted without a Location or Operation-Location header: nothing to poll".to_owned(),
            ));
        };
        let link = header
            .to_str()
            .map_err(|_| Error::UnexpectedResponse("the monitor URL of the 202 answer is not ASCII text".to_owned()))?;
        let mut operation = Operation::from_monitor_url(&parts.client, link)?;
        operation.first_delay = retry_after(&received.headers, SystemTime::now());
        Ok(operation)
    }
}

impl Operation {
    /// The operation behind a monitor URL kept from an earlier run. A
    /// relative URL is resolved against the client's base URL.
    pub fn from_monitor_url(client: &Client, monitor_url: &str) -> Result<Operation, Error> {
        let base = base_url(client)?;
        let monitor = resolve_monitor(&base, client.base_url(), monitor_url)?;
        let authenticated = monitor.origin() == base.origin();
        Ok(Operation { client: client.clone(), monitor, authenticated, first_delay: None })
    }

    /// The absolute monitor URL.
    pub fn monitor_url(&self) -> &str {
        self.monitor.as_str()
    }

    /// Asks the monitor once. A failed operation is a status here, not an
    /// error.
    pub async fn status(&self) -> Result<OperationStatus, Error> {
        Ok(self.poll().await?.0)
    }

    /// Polls until the operation succeeds (its last status), fails
    /// ([`Error::OperationFailed`]) or outlasts `polling.timeout`
    /// ([`Error::Timeout`]). Waits `polling.interval` before each poll, or
    /// what the last answer's `Retry-After` asks, never past the timeout.
    pub async fn wait(&self, polling: &Polling) -> Result<OperationStatus, Error> {
        let started = Instant::now();
        let mut delay = self.first_delay.unwrap_or(polling.interval);
        loop {
            let remaining = polling.timeout.saturating_sub(started.elapsed());
            tokio::time::sleep(delay.min(remaining)).await;
            let (status, retry_after) = self.poll().await?;
            match status.state {
                OperationState::Succeeded => return Ok(status),
                OperationState::Failed => {
                    return Err(Error::OperationFailed { status: status.status, error: status.error.map(Box::new) });
                }
                OperationState::Running if started.elapsed() >= polling.timeout => {
                    return Err(Error::Timeout { waited: started.elapsed(), status: status.status });
                }
                OperationState::Running => delay = retry_after.unwrap_or(polling.interval),
            }
        }
    }

    /// One GET of the monitor: its status and the `Retry-After` it asked for.
    async fn poll(&self) -> Result<(OperationStatus, Option<Duration>), Error> {
        let received = execute(
            &self.client,
            Outgoing {
                method: Method::GET,
                url: self.monitor.as_str(),
                template: MONITOR_TEMPLATE,
                headers: &[],
                body: None,
                idempotent: true,
                authenticated: self.authenticated,
            },
        )
        .await?;
        let status = parse_status(&received.body)?;
        Ok((status, retry_after(&received.headers, SystemTime::now())))
    }
}

impl fmt::Debug for Operation {
    // A monitor URL that needs no token is a credential of its own.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let monitor = if self.authenticated { self.monitor.as_str() } else { "(pre-authenticated, not shown)" };
        f.debug_struct("Operation").field("monitor", &monitor).finish_non_exhaustive()
    }
}

/// An absolute monitor URL as it is; a relative one below the base URL
/// (Teams writes `/teams('…')/operations('…')`, relative to the version
/// root), unless it already starts with the base URL's path.
fn resolve_monitor(base: &Url, base_text: &str, link: &str) -> Result<Url, Error> {
    if let Ok(url) = Url::parse(link) {
        return Ok(url);
    }
    let base_path = base.path().trim_end_matches('/');
    let resolved = if !base_path.is_empty() && link.starts_with(&format!("{base_path}/")) {
        base.join(link)
    } else {
        Url::parse(&format!("{base_text}/{}", link.trim_start_matches('/')))
    };
    resolved.map_err(|e| Error::UnexpectedResponse(format!("monitor URL `{link}` is not a URL: {e}")))
}

/// Reads a monitor's answer, whichever service wrote it.
fn parse_status(body: &[u8]) -> Result<OperationStatus, Error> {
    let body: Value = serde_json::from_slice(body).map_err(|e| Error::Decode {
        type_name: "OperationStatus",
        path: ".".to_owned(),
        message: e.to_string(),
    })?;
    let Some(object) = body.as_object() else {
        return Err(Error::UnexpectedResponse("the monitor URL answered with something else than an object".into()));
    };
    let text = |keys: &[&str]| keys.iter().find_map(|key| object.get(*key)?.as_str().map(str::to_owned));
    let status = text(&["status"]);
    let state = match status.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("succeeded" | "completed") => OperationState::Succeeded,
        Some("failed" | "deletefailed" | "cancelled" | "canceled") => OperationState::Failed,
        Some(_) => OperationState::Running,
    };
    let resource_id = match status {
        // The resource itself: its own id.
        None => text(&["id"]),
        Some(_) => text(&["resourceId", "targetResourceId"]),
    };
    Ok(OperationStatus {
        state,
        status: status.unwrap_or_default(),
        percent_complete: percent(object),
        resource_id,
        resource_location: text(&["resourceLocation", "targetResourceLocation"]),
        error: operation_error(object),
        body,
    })
}

fn percent(object: &Map<String, Value>) -> Option<f64> {
    let value = object.get("percentageComplete").or_else(|| object.get("percentComplete"))?;
    value.as_f64().or_else(|| value.as_str()?.trim().parse().ok())
}

fn operation_error(object: &Map<String, Value>) -> Option<GraphError> {
    if let Some(error) = object.get("error").filter(|e| e.is_object()) {
        return serde_json::from_value(error.clone()).ok();
    }
    let code = object.get("errorCode")?.as_str()?;
    Some(GraphError { code: code.to_owned(), ..GraphError::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_of_each_service_are_read_alike() {
        let onedrive = br#"{"status": "inProgress", "percentageComplete": 58.2, "resourceId": "01ABC"}"#;
        let status = parse_status(onedrive).unwrap();
        assert_eq!((status.state, status.percent_complete), (OperationState::Running, Some(58.2)));
        assert_eq!(status.resource_id.as_deref(), Some("01ABC"));
        let teams = br#"{"status": "succeeded", "targetResourceId": "t1", "targetResourceLocation": "/teams('t1')"}"#;
        let status = parse_status(teams).unwrap();
        assert_eq!(status.state, OperationState::Succeeded);
        assert_eq!(status.resource_location.as_deref(), Some("/teams('t1')"));
        let onenote =
            br#"{"status": "failed", "percentComplete": "40", "error": {"code": "20102", "message": "gone"}}"#;
        let status = parse_status(onenote).unwrap();
        assert_eq!((status.state, status.percent_complete), (OperationState::Failed, Some(40.0)));
        assert_eq!(status.error.unwrap().code, "20102");
        let job = br#"{"status": "deleteFailed", "errorCode": "accessDenied"}"#;
        assert_eq!(parse_status(job).unwrap().error.unwrap().code, "accessDenied");
        let resource = br#"{"id": "new-item", "name": "copy.txt"}"#;
        let status = parse_status(resource).unwrap();
        assert_eq!((status.state, status.resource_id.as_deref()), (OperationState::Succeeded, Some("new-item")));
        assert!(matches!(parse_status(b"[]"), Err(Error::UnexpectedResponse(_))));
        assert!(matches!(parse_status(b"<html>"), Err(Error::Decode { .. })));
    }

    #[test]
    fn relative_monitor_urls_resolve_below_the_version_root() {
        let base = Url::parse("https://graph.example/v1.0").unwrap();
        let resolve = |link| resolve_monitor(&base, "https://graph.example/v1.0", link).unwrap().to_string();
        assert_eq!(resolve("/teams('1')/operations('2')"), "https://graph.example/v1.0/teams('1')/operations('2')");
        assert_eq!(resolve("/v1.0/teams/1/operations/2"), "https://graph.example/v1.0/teams/1/operations/2");
        assert_eq!(resolve("https://other.example/monitor/9"), "https://other.example/monitor/9");
    }
}
