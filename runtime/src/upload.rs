//! Large file upload through an upload session: chunked `PUT`s with
//! `Content-Range`, resumed from the session's `nextExpectedRanges` after a
//! failure.

use std::fmt;
use std::io::SeekFrom;

use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeek, AsyncSeekExt};

use crate::client::Client;
use crate::error::Error;
use crate::request::{ResponseKind, decode};
use crate::transport::{Outgoing, Received, backoff, execute};

/// Every chunk but the last must be a multiple of 320 KiB, or Graph may
/// fail to commit the file.
pub const UPLOAD_CHUNK_UNIT: u64 = 320 * 1024;

/// Graph takes at most 60 MiB in one request.
const MAX_CHUNK: u64 = 60 * 1024 * 1024;

/// 5 MiB (16 units), within the 5–10 MiB Graph recommends, and small
/// enough that a dropped chunk costs little.
const DEFAULT_CHUNK: u64 = 16 * UPLOAD_CHUNK_UNIT;

/// What traces and hooks show for the upload URL, which carries the
/// session's own credentials in its query.
const UPLOAD_TEMPLATE: &str = "{uploadUrl}";

/// Where an upload stands, reported after every chunk the service accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes the service has, up to the first one it still expects.
    pub uploaded: u64,
    /// The file's size.
    pub total: u64,
}

type ProgressCallback = Box<dyn Fn(UploadProgress) + Send + Sync>;

/// Uploads a file to an upload session, the way Graph wants files over a
/// few MiB uploaded (drive items, mail attachments, and the other
/// `createUploadSession` operations).
///
/// Create the session with the generated `create_upload_session` operation
/// and hand its `uploadUrl` here, with the file as anything readable and
/// seekable (`tokio::fs::File`, `std::io::Cursor<Vec<u8>>`). The upload URL
/// is pre-authenticated and on another host than Graph: the client's token
/// is never sent there, as the Graph SDKs do not.
///
/// Chunks are sent in order, each a `PUT` with `Content-Range: bytes
/// a-b/total`. After a failed chunk (a broken connection, a 5xx, a `416`
/// for a range the service already has), the session's status is asked and
/// the upload goes on from the first range it still expects; the client's
/// [`RetryPolicy`](crate::RetryPolicy) bounds failures in a row.
#[must_use = "an upload does nothing until it is sent"]
pub struct LargeFileUpload<R> {
    client: Client,
    upload_url: String,
    source: R,
    chunk_size: u64,
    next_expected_ranges: Vec<String>,
    progress: Option<ProgressCallback>,
}

impl<R: AsyncRead + AsyncSeek + Unpin + Send> LargeFileUpload<R> {
    /// An upload of all of `source` to `upload_url`. `client` gives the
    /// HTTP stack, retry policy and hooks; not its credentials.
    pub fn new(client: &Client, upload_url: impl Into<String>, source: R) -> Self {
        LargeFileUpload {
            client: client.clone(),
            upload_url: upload_url.into(),
            source,
            chunk_size: DEFAULT_CHUNK,
            next_expected_ranges: Vec::new(),
            progress: None,
        }
    }

    /// Bytes per `PUT`: a non-zero multiple of [`UPLOAD_CHUNK_UNIT`] (320
    /// KiB), at most 60 MiB. Anything else is refused by
    /// [`send`](LargeFileUpload::send) before a byte is sent. Default 5 MiB.
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes;
        self
    }

    /// Resumes an upload: the session's `nextExpectedRanges` (`"26-"`,
    /// `"0-25"`, or Outlook's bare `"26"`), from the session answer or a
    /// status request. Without them the upload starts at byte 0.
    pub fn next_expected_ranges<I, S>(mut self, ranges: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.next_expected_ranges = ranges.into_iter().map(Into::into).collect();
        self
    }

    /// Called after every chunk the service accepts, and once at the end.
    pub fn on_progress(mut self, callback: impl Fn(UploadProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Box::new(callback));
        self
    }

    /// Uploads the file and decodes the final answer (the created
    /// `DriveItem`; `()` for an Outlook attachment, whose last answer is
    /// empty).
    ///
    /// An empty file, an invalid chunk size or upload URL, or ranges outside
    /// the file are [`Error::InvalidRequest`], with nothing sent. A
    /// `404` means the session expired: create a new one and start over.
    pub async fn send<T: DeserializeOwned>(mut self) -> Result<T, Error> {
        let total = self.source.seek(SeekFrom::End(0)).await.map_err(Error::Io)?;
        self.check(total)?;
        let mut next = match self.next_expected_ranges.first() {
            Some(range) => parse_range(range)
                .ok_or_else(|| Error::InvalidRequest(format!("`{range}` is not a byte range like `26-` or `0-25`")))?,
            None => ByteRange { start: 0, end: None },
        };
        if next.start >= total {
            return Err(Error::InvalidRequest(format!(
                "the next expected range starts at byte {}, past the end of the {total}-byte file",
                next.start
            )));
        }
        let max_failures = self.client.retry_policy().max_attempts.max(1);
        let mut failures = 0;
        loop {
            let start = next.start;
            let end = start
                .saturating_add(self.chunk_size)
                .min(total)
                .min(next.end.map_or(u64::MAX, |e| e.saturating_add(1)));
            match self.put_chunk(start, end, total).await {
                Ok(received) if matches!(received.status, StatusCode::OK | StatusCode::CREATED) => {
                    self.report(total, total);
                    return decode(ResponseKind::Json, &received.body);
                }
                Ok(received) => {
                    next = match expected_ranges(&received.body)? {
                        Some(range) => range,
                        None => self.session_status().await?.ok_or_else(nothing_expected)?,
                    };
                    if next.start >= total {
                        return Err(nothing_expected());
                    }
                    // A session that takes chunks but never moves on would
                    // be asked forever: count that as a failure.
                    if next.start > start {
                        failures = 0;
                    } else {
                        failures += 1;
                        if failures >= max_failures {
                            return Err(Error::UnexpectedResponse(format!(
                                "the upload session keeps expecting byte {} after accepting it",
                                next.start
                            )));
                        }
                    }
                    self.report(next.start, total);
                }
                Err(e) if is_resumable(&e) => {
                    failures += 1;
                    if failures >= max_failures {
                        return Err(e);
                    }
                    tokio::time::sleep(backoff(self.client.retry_policy(), failures)).await;
                    match self.session_status().await {
                        Ok(Some(range)) if range.start < total => next = range,
                        // Nothing better known: send the same chunk again.
                        Ok(_) => {}
                        Err(e) if is_resumable(&e) => {}
                        Err(e) => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Refuses what cannot work before anything is sent.
    fn check(&self, total: u64) -> Result<(), Error> {
        if total == 0 {
            return Err(Error::InvalidRequest(
                "the file is empty: an upload session needs at least one byte (PUT an empty file's content directly)"
                    .to_owned(),
            ));
        }
        if self.chunk_size == 0 || !self.chunk_size.is_multiple_of(UPLOAD_CHUNK_UNIT) || self.chunk_size > MAX_CHUNK {
            return Err(Error::InvalidRequest(format!(
                "chunk size {} is not a multiple of 320 KiB ({UPLOAD_CHUNK_UNIT} bytes) between 320 KiB and 60 MiB",
                self.chunk_size
            )));
        }
        Url::parse(&self.upload_url)
            .map_err(|e| Error::InvalidRequest(format!("upload URL `{}` is not a URL: {e}", self.upload_url)))?;
        Ok(())
    }

    /// Sends bytes `start..end` (end exclusive) of the file.
    async fn put_chunk(&mut self, start: u64, end: u64, total: u64) -> Result<Received, Error> {
        let length = usize::try_from(end - start).map_err(|_| Error::InvalidRequest("chunk too large".into()))?;
        let mut chunk = vec![0; length];
        self.source.seek(SeekFrom::Start(start)).await.map_err(Error::Io)?;
        self.source.read_exact(&mut chunk).await.map_err(Error::Io)?;
        let range = [("Content-Range".to_owned(), format!("bytes {start}-{}/{total}", end - 1))];
        self.send_to_session(Method::PUT, &range, Some((chunk, "application/octet-stream"))).await
    }

    /// The first range the session still expects, asked with a GET of the
    /// upload URL.
    async fn session_status(&self) -> Result<Option<ByteRange>, Error> {
        let received = self.send_to_session(Method::GET, &[], None).await?;
        expected_ranges(&received.body)
    }

    async fn send_to_session(
        &self,
        method: Method,
        headers: &[(String, String)],
        body: Option<(Vec<u8>, &str)>,
    ) -> Result<Received, Error> {
        upload_url_request(&self.client, method, &self.upload_url, headers, body).await
    }

    fn report(&self, uploaded: u64, total: u64) {
        if let Some(progress) = &self.progress {
            progress(UploadProgress { uploaded, total });
        }
    }
}

/// Cancels an upload session (`DELETE` of its upload URL), so the service
/// drops the bytes it has; without it they expire with the session.
pub async fn cancel_upload(client: &Client, upload_url: &str) -> Result<(), Error> {
    Url::parse(upload_url)
        .map_err(|e| Error::InvalidRequest(format!("upload URL `{upload_url}` is not a URL: {e}")))?;
    upload_url_request(client, Method::DELETE, upload_url, &[], None).await.map(drop)
}

/// A request to an upload URL: never with the client's credentials.
async fn upload_url_request(
    client: &Client,
    method: Method,
    upload_url: &str,
    headers: &[(String, String)],
    body: Option<(Vec<u8>, &str)>,
) -> Result<Received, Error> {
    let outgoing = Outgoing {
        method,
        url: upload_url,
        template: UPLOAD_TEMPLATE,
        headers,
        body,
        idempotent: true,
        authenticated: false,
    };
    execute(client, outgoing).await
}

impl<R> fmt::Debug for LargeFileUpload<R> {
    // The upload URL is a credential of its own: not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LargeFileUpload")
            .field("chunk_size", &self.chunk_size)
            .field("next_expected_ranges", &self.next_expected_ranges)
            .finish_non_exhaustive()
    }
}

/// Failures after which the session may still be intact: the connection
/// broke, the service failed, or it already had the range.
fn is_resumable(error: &Error) -> bool {
    match error {
        Error::Transport(_) => true,
        Error::Status { status, .. } => *status == 416 || (500..600).contains(status),
        _ => false,
    }
}

fn nothing_expected() -> Error {
    Error::UnexpectedResponse("the upload session expects no more bytes but did not answer with the item".into())
}

/// A range of a `nextExpectedRanges` list; `end` is inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByteRange {
    start: u64,
    end: Option<u64>,
}

/// `"26-"`, `"26-100"` or Outlook's `"26"`.
fn parse_range(range: &str) -> Option<ByteRange> {
    let range = range.trim();
    let (start, end) = range.split_once('-').unwrap_or((range, ""));
    let start = start.trim().parse().ok()?;
    let end = match end.trim() {
        "" => None,
        end => Some(end.parse().ok().filter(|end| *end >= start)?),
    };
    Some(ByteRange { start, end })
}

/// The first of the `nextExpectedRanges` of a session answer, if any.
fn expected_ranges(body: &[u8]) -> Result<Option<ByteRange>, Error> {
    #[derive(serde::Deserialize)]
    struct Session {
        #[serde(rename = "nextExpectedRanges", default)]
        next_expected_ranges: Vec<String>,
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let session: Session = serde_json::from_slice(body)
        .map_err(|e| Error::UnexpectedResponse(format!("the upload session's answer is not a session: {e}")))?;
    match session.next_expected_ranges.first() {
        None => Ok(None),
        Some(range) => parse_range(range).map(Some).ok_or_else(|| {
            Error::UnexpectedResponse(format!("the upload session expects `{range}`, which is not a byte range"))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_in_every_documented_form() {
        assert_eq!(parse_range("26-"), Some(ByteRange { start: 26, end: None }));
        assert_eq!(parse_range("0-25"), Some(ByteRange { start: 0, end: Some(25) }));
        assert_eq!(parse_range("12345"), Some(ByteRange { start: 12345, end: None }));
        assert_eq!(parse_range("9-3"), None);
        assert_eq!(parse_range("-5"), None);
        assert_eq!(parse_range("a-"), None);
    }

    #[test]
    fn the_chunk_unit_is_320_kib_and_the_default_a_multiple() {
        assert_eq!(UPLOAD_CHUNK_UNIT, 327_680);
        assert!(DEFAULT_CHUNK.is_multiple_of(UPLOAD_CHUNK_UNIT) && MAX_CHUNK.is_multiple_of(UPLOAD_CHUNK_UNIT));
    }
}
