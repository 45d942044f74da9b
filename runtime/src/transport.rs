//! Sending one request: authentication and hooks per attempt, retries and
//! backoff, and a tracing span for every attempt.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use tracing::Instrument;
use tracing::field::Empty;

use crate::client::{Client, RetryPolicy};
use crate::error::Error;
use crate::hook::RequestInfo;

/// Everything needed to put one request on the wire, any number of times.
pub(crate) struct Outgoing<'a> {
    pub method: Method,
    pub url: &'a str,
    /// What traces and hooks are shown instead of the URL: the path
    /// template, or the kind of link (`{nextLink}`, `{uploadUrl}`).
    pub template: &'a str,
    pub headers: &'a [(String, String)],
    pub body: Option<(Vec<u8>, &'a str)>,
    /// Whether repeating the request is harmless.
    pub idempotent: bool,
    /// Whether the client's credentials go with it: `false` for
    /// pre-authenticated URLs on other hosts (upload sessions, monitors).
    pub authenticated: bool,
}

/// A response that passed the status check, body read in full.
pub(crate) struct Received {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Methods that may be repeated without changing the outcome (RFC 9110 §9.2.2).
pub(crate) fn is_idempotent_method(method: &Method) -> bool {
    [Method::GET, Method::HEAD, Method::PUT, Method::DELETE, Method::OPTIONS].contains(method)
}

/// Throttling and transient overload: the statuses Graph asks clients to
/// retry.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 503 | 504)
}

/// How one attempt ended.
enum Attempt {
    Done(Result<Received, Error>),
    RetryAfter(Duration),
}

/// Sends `out`, retrying per the client's policy, and returns the 2xx
/// response or the error of the last attempt.
///
/// Each attempt is a `graph_request` span at DEBUG level with the method,
/// the template, the attempt number, and once known the status and the
/// duration in milliseconds. Never the URL (ids, and the credentials in
/// upload URLs), headers or bodies.
pub(crate) async fn execute(client: &Client, out: Outgoing<'_>) -> Result<Received, Error> {
    let url =
        Url::parse(out.url).map_err(|e| Error::InvalidRequest(format!("`{}` is not a valid URL: {e}", out.url)))?;
    let headers = header_map(out.headers, out.body.as_ref().map(|(_, ct)| *ct))?;
    let policy = client.retry_policy();
    let retryable = out.idempotent || policy.retry_non_idempotent;
    let max_attempts = policy.max_attempts.max(1);

    let mut attempt = 1;
    loop {
        let span = tracing::debug_span!(
            "graph_request",
            http.request.method = %out.method,
            url.template = out.template,
            attempt,
            http.response.status_code = Empty,
            duration_ms = Empty,
            error = Empty,
        );
        let started = Instant::now();
        let may_retry = retryable && attempt < max_attempts;
        let outcome =
            send_attempt(client, &out, &url, headers.clone(), attempt, may_retry).instrument(span.clone()).await;
        span.record("duration_ms", started.elapsed().as_secs_f64() * 1000.0);
        match outcome {
            Attempt::Done(result) => return result,
            Attempt::RetryAfter(delay) => {
                span.in_scope(|| tracing::debug!(delay_ms = delay.as_secs_f64() * 1000.0, "retrying"));
                drop(span);
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
        }
    }
}

/// One attempt: hooks, credentials, the request, and the answer's status.
async fn send_attempt(
    client: &Client,
    out: &Outgoing<'_>,
    url: &Url,
    mut headers: HeaderMap,
    attempt: u32,
    may_retry: bool,
) -> Attempt {
    let span = tracing::Span::current();
    let info = RequestInfo { method: &out.method, template: out.template, attempt, authenticated: out.authenticated };
    for hook in client.hooks() {
        hook.on_request(&info, &mut headers);
    }
    // A request (or hook) that brings its own Authorization header keeps it.
    if out.authenticated && !headers.contains_key(AUTHORIZATION) {
        match client.authorization().await {
            Ok(Some(auth)) => {
                headers.insert(AUTHORIZATION, auth);
            }
            Ok(None) => {}
            Err(e) => {
                span.record("error", "auth");
                return Attempt::Done(Err(e));
            }
        }
    }
    let mut builder = client.http().request(out.method.clone(), url.clone()).headers(headers);
    if let Some((body, _)) = &out.body {
        builder = builder.body(body.clone());
    }
    let policy = client.retry_policy();
    match builder.send().await {
        Ok(response) => {
            let status = response.status();
            span.record("http.response.status_code", status.as_u16());
            for hook in client.hooks() {
                hook.on_response(&info, status, response.headers());
            }
            if may_retry && is_retryable_status(status) {
                let delay = retry_after(response.headers(), SystemTime::now())
                    .map(|d| d.min(policy.max_delay))
                    .unwrap_or_else(|| backoff(policy, attempt));
                return Attempt::RetryAfter(delay);
            }
            let headers = response.headers().clone();
            match response.bytes().await {
                Ok(body) if status.is_success() => Attempt::Done(Ok(Received { status, headers, body: body.to_vec() })),
                Ok(body) => Attempt::Done(Err(Error::from_status(status.as_u16(), &body))),
                Err(e) => {
                    span.record("error", error_kind(&e));
                    Attempt::Done(Err(Error::Transport(e)))
                }
            }
        }
        Err(e) => {
            span.record("error", error_kind(&e));
            if may_retry && (e.is_connect() || e.is_timeout()) {
                Attempt::RetryAfter(backoff(policy, attempt))
            } else {
                Attempt::Done(Err(Error::Transport(e)))
            }
        }
    }
}

/// What kind of transport failure `e` is, for traces: reqwest's own
/// message names the URL, which must not reach a log.
fn error_kind(e: &reqwest::Error) -> &'static str {
    if e.is_connect() {
        "connect"
    } else if e.is_timeout() {
        "timeout"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else if e.is_redirect() {
        "redirect"
    } else {
        "request"
    }
}

/// Validates the request's own headers once, before any attempt.
fn header_map(headers: &[(String, String)], content_type: Option<&str>) -> Result<HeaderMap, Error> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::InvalidRequest(format!("`{name}` is not a valid header name")))?;
        let mut header_value = HeaderValue::from_str(value)
            .map_err(|_| Error::InvalidRequest(format!("the value of header `{name}` is not valid in HTTP")))?;
        if header_name == AUTHORIZATION {
            header_value.set_sensitive(true);
        }
        map.append(header_name, header_value);
    }
    if let Some(content_type) = content_type
        && !map.contains_key(reqwest::header::CONTENT_TYPE)
    {
        let value = HeaderValue::from_str(content_type)
            .map_err(|_| Error::InvalidRequest(format!("`{content_type}` is not a valid content type")))?;
        map.insert(reqwest::header::CONTENT_TYPE, value);
    }
    Ok(map)
}

/// `base_delay * 2^(attempt-1)` plus up to 10 % jitter, capped at
/// `max_delay`. The jitter keeps many throttled clients from retrying in
/// lockstep.
pub(crate) fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let factor = 1u32.checked_shl(attempt.saturating_sub(1)).unwrap_or(u32::MAX);
    let delay = policy.base_delay.saturating_mul(factor);
    let tenth = delay / 10;
    let jitter = if tenth.is_zero() {
        Duration::ZERO
    } else {
        let nanos = u64::try_from(tenth.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(RandomState::new().hash_one(attempt) % nanos)
    };
    delay.saturating_add(jitter).min(policy.max_delay)
}

/// The wait a `Retry-After` header asks for: delta seconds or an HTTP date
/// (RFC 9110 §10.2.3). `None` when absent or unreadable.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    retry_after_value(headers.get(RETRY_AFTER)?.to_str().ok()?, now)
}

/// [`retry_after`] for a header value that does not come in a `HeaderMap`
/// (a batch item's headers are JSON).
pub(crate) fn retry_after_value(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses the IMF-fixdate form `Sun, 06 Nov 1994 08:49:37 GMT`, the only
/// one servers may send today.
fn parse_http_date(value: &str) -> Option<SystemTime> {
    let (_weekday, rest) = value.split_once(", ")?;
    let mut parts = rest.split(' ');
    let day: u32 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let year: i64 = parts.next()?.parse().ok()?;
    let time = parts.next()?;
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    let mut hms = time.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if hms.next().is_some() || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = u64::try_from(days).ok()? * 86_400 + h * 3600 + m * 60 + s;
    Some(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(RETRY_AFTER, HeaderValue::from_str(retry_after).unwrap());
        map
    }

    #[test]
    fn retry_after_seconds() {
        let now = SystemTime::now();
        assert_eq!(retry_after(&headers("0"), now), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers(" 7 "), now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn retry_after_http_date() {
        let date = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(date, UNIX_EPOCH + Duration::from_secs(784_111_777));
        let now = UNIX_EPOCH + Duration::from_secs(784_111_770);
        assert_eq!(retry_after(&headers("Sun, 06 Nov 1994 08:49:37 GMT"), now), Some(Duration::from_secs(7)));
        // A date in the past means "now".
        let later = UNIX_EPOCH + Duration::from_secs(784_111_800);
        assert_eq!(retry_after(&headers("Sun, 06 Nov 1994 08:49:37 GMT"), later), Some(Duration::ZERO));
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), None);
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
    }

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            retry_non_idempotent: false,
        };
        let first = backoff(&policy, 1);
        assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(110));
        let third = backoff(&policy, 3);
        assert!(third >= Duration::from_millis(400) && third <= Duration::from_millis(440));
        assert_eq!(backoff(&policy, 8), Duration::from_secs(1));
        assert_eq!(backoff(&policy, 200), Duration::from_secs(1));
    }

    #[test]
    fn idempotent_methods() {
        assert!(is_idempotent_method(&Method::GET));
        assert!(is_idempotent_method(&Method::PUT));
        assert!(is_idempotent_method(&Method::DELETE));
        assert!(!is_idempotent_method(&Method::POST));
        assert!(!is_idempotent_method(&Method::PATCH));
    }
}
