//! Sending one request: authentication per attempt, retries and backoff.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};

use crate::client::{Client, RetryPolicy};
use crate::error::Error;

/// Everything needed to put one request on the wire, any number of times.
pub(crate) struct Outgoing<'a> {
    pub method: Method,
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub body: Option<(Vec<u8>, &'a str)>,
    /// Whether repeating the request is harmless.
    pub idempotent: bool,
}

/// A response that passed the status check, body read in full.
pub(crate) struct Received {
    pub body: Vec<u8>,
}

/// Methods that may be repeated without changing the outcome (RFC 9110 §9.2.2).
pub(crate) fn is_idempotent_method(method: &Method) -> bool {
    [Method::GET, Method::HEAD, Method::PUT, Method::DELETE, Method::OPTIONS].contains(method)
}

/// Throttling and transient overload: the statuses Graph asks clients to
/// retry.
fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 503 | 504)
}

/// Sends `out`, retrying per the client's policy, and returns the 2xx
/// response or the error of the last attempt.
pub(crate) async fn execute(client: &Client, out: Outgoing<'_>) -> Result<Received, Error> {
    let url =
        Url::parse(out.url).map_err(|e| Error::InvalidRequest(format!("`{}` is not a valid URL: {e}", out.url)))?;
    let headers = header_map(out.headers, out.body.as_ref().map(|(_, ct)| *ct))?;
    // A request that brings its own Authorization header keeps it.
    let own_auth = headers.contains_key(AUTHORIZATION);
    let policy = client.retry_policy();
    let retryable = out.idempotent || policy.retry_non_idempotent;
    let max_attempts = policy.max_attempts.max(1);

    let mut attempt = 1;
    loop {
        let mut builder = client.http().request(out.method.clone(), url.clone()).headers(headers.clone());
        if !own_auth && let Some(auth) = client.authorization().await? {
            builder = builder.header(AUTHORIZATION, auth);
        }
        if let Some((body, _)) = &out.body {
            builder = builder.body(body.clone());
        }
        let may_retry = retryable && attempt < max_attempts;
        match builder.send().await {
            Ok(response) => {
                let status = response.status();
                if may_retry && is_retryable_status(status) {
                    let delay = retry_after(response.headers(), SystemTime::now())
                        .map(|d| d.min(policy.max_delay))
                        .unwrap_or_else(|| backoff(policy, attempt));
                    drop(response);
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                    continue;
                }
                let body = response.bytes().await.map_err(Error::Transport)?.to_vec();
                if !status.is_success() {
                    return Err(Error::from_status(status.as_u16(), &body));
                }
                return Ok(Received { body });
            }
            Err(e) if may_retry && (e.is_connect() || e.is_timeout()) => {
                tokio::time::sleep(backoff(policy, attempt)).await;
                attempt += 1;
            }
            Err(e) => return Err(Error::Transport(e)),
        }
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
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
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
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
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
