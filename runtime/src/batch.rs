//! JSON batching: many generated requests in one `POST /$batch`, each
//! answer decoded as its own request's type.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::client::Client;
use crate::error::Error;
use crate::request::{Body, Request, ResponseKind, decode};
use crate::transport::{Outgoing, backoff, execute, is_retryable_status, retry_after_value};

/// The most requests Graph takes in one `$batch`.
pub const MAX_BATCH_ITEMS: usize = 20;

/// What traces show for the batch request itself.
const BATCH_TEMPLATE: &str = "/$batch";

/// Tells batches apart, so an item cannot be looked up in another batch's
/// answers.
static NEXT_BATCH: AtomicU64 = AtomicU64::new(1);

/// Requests to send together in `POST /$batch`.
///
/// Add generated requests as they are (query options, headers and bodies
/// included); each [`add`](Batch::add) returns a typed [`BatchItem`] to
/// read that request's answer with from the [`BatchResponses`]. A request
/// may wait for others with [`add_after`](Batch::add_after) (`dependsOn`).
///
/// More than [`MAX_BATCH_ITEMS`] requests are split into several `$batch`
/// calls, sent one after the other; requests that depend on each other
/// always share one, so such a group of more than 20 is refused.
///
/// Items answered with 429, 503 or 504 are sent again in a later `$batch`
/// (with the items whose dependencies they were, answered 424), after the
/// longest `Retry-After` among them, under the client's
/// [`RetryPolicy`](crate::RetryPolicy): only requests safe to repeat, up to
/// `max_attempts` rounds.
#[must_use = "a batch does nothing until it is sent"]
pub struct Batch {
    client: Client,
    id: u64,
    entries: Vec<Entry>,
}

/// One request of a batch, its type erased.
struct Entry {
    method: Method,
    /// Path and query below the base URL.
    url: String,
    template: String,
    headers: Vec<(String, String)>,
    body: Body,
    kind: ResponseKind,
    idempotent: bool,
    depends_on: Vec<usize>,
    /// Why it cannot be sent, reported by `send` before anything is.
    problem: Option<Error>,
}

/// Which request of which batch: what [`Batch::add_after`] takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchId {
    batch: u64,
    index: usize,
}

/// A request added to a [`Batch`]: hand it to [`BatchResponses::take`] for
/// that request's answer, decoded as `T`.
#[must_use = "the item is how its answer is read"]
pub struct BatchItem<T> {
    id: BatchId,
    _output: PhantomData<fn() -> T>,
}

impl<T> BatchItem<T> {
    /// For [`Batch::add_after`].
    pub fn id(&self) -> BatchId {
        self.id
    }
}

impl<T> fmt::Debug for BatchItem<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchItem").field("id", &(self.id.index + 1)).finish()
    }
}

impl Batch {
    /// An empty batch sent with `client` to `<base URL>/$batch`.
    pub fn new(client: &Client) -> Batch {
        Batch { client: client.clone(), id: NEXT_BATCH.fetch_add(1, Ordering::Relaxed), entries: Vec::new() }
    }

    /// Adds a request.
    pub fn add<T>(&mut self, request: Request<T>) -> BatchItem<T> {
        self.add_after(request, &[])
    }

    /// Adds a request that Graph runs only after `depends_on` succeeded
    /// (`dependsOn`); if one of them fails, this one is answered 424.
    pub fn add_after<T>(&mut self, mut request: Request<T>, depends_on: &[BatchId]) -> BatchItem<T> {
        let index = self.entries.len();
        let mut problem = request.unsendable();
        let url = match relative_url(&self.client, &request) {
            Ok(url) => url,
            Err(e) => {
                problem = problem.or(Some(e));
                String::new()
            }
        };
        if let Some(other) = depends_on.iter().find(|d| d.batch != self.id || d.index >= index) {
            let reason = if other.batch != self.id { "an item of another batch" } else { "an item added after it" };
            problem = problem.or_else(|| Some(Error::InvalidRequest(format!("it depends on {reason}"))));
        }
        self.entries.push(Entry {
            idempotent: request.is_idempotent(),
            template: request.template().to_owned(),
            method: request.method,
            url,
            headers: request.headers,
            body: request.body,
            kind: request.kind,
            depends_on: depends_on.iter().map(|d| d.index).collect(),
            problem,
        });
        BatchItem { id: BatchId { batch: self.id, index }, _output: PhantomData }
    }

    /// The number of requests added.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no request was added.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sends every request, in `$batch` calls of at most
    /// [`MAX_BATCH_ITEMS`], and collects their answers.
    ///
    /// An empty batch, a request that cannot be sent (see
    /// [`Request::send`]), one built on another base URL, or more than 20
    /// requests that depend on each other are [`Error::InvalidRequest`],
    /// with nothing sent. Everything else, including a failed `$batch`
    /// call, is reported per item by [`BatchResponses::take`].
    pub async fn send(mut self) -> Result<BatchResponses, Error> {
        if self.entries.is_empty() {
            return Err(Error::InvalidRequest("the batch is empty: add at least one request".to_owned()));
        }
        for (index, entry) in self.entries.iter_mut().enumerate() {
            if let Some(problem) = entry.problem.take() {
                return Err(Error::InvalidRequest(format!("item {} of the batch: {problem}", index + 1)));
            }
        }
        let chunks = chunks(&self.entries)?;
        let mut answers: Vec<Option<Result<Answer, Error>>> = (0..self.entries.len()).map(|_| None).collect();
        for chunk in chunks {
            self.send_chunk(chunk, &mut answers).await;
        }
        let kinds = self.entries.iter().map(|entry| entry.kind).collect();
        Ok(BatchResponses { batch: self.id, answers, kinds })
    }

    /// Sends one `$batch` of `pending` (indices in order), then again those
    /// of its items that may be retried, until none is left.
    async fn send_chunk(&self, mut pending: Vec<usize>, answers: &mut [Option<Result<Answer, Error>>]) {
        let policy = self.client.retry_policy();
        let mut round = 1;
        loop {
            let mut received = match self.post(&pending).await {
                Ok(received) => received,
                Err(e) => {
                    let shared = Arc::new(e);
                    for &index in &pending {
                        answers[index] = Some(Err(Error::Batch(Arc::clone(&shared))));
                    }
                    return;
                }
            };
            let may_retry = round < policy.max_attempts.max(1);
            let mut retry: Vec<usize> = Vec::new();
            let mut delay: Option<Duration> = None;
            for &index in &pending {
                let entry = &self.entries[index];
                let Some(answer) = received.remove(&index) else {
                    answers[index] = Some(Err(Error::UnexpectedResponse(format!(
                        "the $batch answer has no response for item {}",
                        index + 1
                    ))));
                    continue;
                };
                // Never run: a dependency failed, and it is about to run again.
                let blocked = answer.status == StatusCode::FAILED_DEPENDENCY.as_u16()
                    && entry.depends_on.iter().any(|d| retry.contains(d));
                let throttled = StatusCode::from_u16(answer.status).is_ok_and(is_retryable_status)
                    && (entry.idempotent || policy.retry_non_idempotent);
                if may_retry && (blocked || throttled) {
                    if throttled {
                        delay = delay.max(answer.retry_after());
                    }
                    retry.push(index);
                } else {
                    answers[index] = Some(Ok(answer));
                }
            }
            if retry.is_empty() {
                return;
            }
            let wait = delay.map_or_else(|| backoff(policy, round), |d| d.min(policy.max_delay));
            tracing::debug!(items = retry.len(), delay_ms = wait.as_secs_f64() * 1000.0, "retrying batch items");
            tokio::time::sleep(wait).await;
            pending = retry;
            round += 1;
        }
    }

    /// One `POST /$batch` of `pending`; the answers by item index.
    async fn post(&self, pending: &[usize]) -> Result<HashMap<usize, Answer>, Error> {
        let requests: Vec<Value> = pending.iter().map(|&index| self.item_json(index, pending)).collect();
        let body = serde_json::to_vec(&json!({ "requests": requests })).map_err(Error::Serialize)?;
        let url = format!("{}/$batch", self.client.base_url());
        let received = execute(
            &self.client,
            Outgoing {
                method: Method::POST,
                url: &url,
                template: BATCH_TEMPLATE,
                headers: &[],
                body: Some((body, "application/json")),
                // Sending it again sends every item again.
                idempotent: pending.iter().all(|&index| self.entries[index].idempotent),
                authenticated: true,
            },
        )
        .await?;
        let envelope: Envelope = serde_json::from_slice(&received.body)
            .map_err(|e| Error::UnexpectedResponse(format!("the $batch answer is not a batch answer: {e}")))?;
        let mut answers = HashMap::new();
        for answer in envelope.responses {
            let index = answer.id.parse::<usize>().ok().and_then(|id| id.checked_sub(1));
            if let Some(index) = index.filter(|index| pending.contains(index)) {
                let entry = &self.entries[index];
                tracing::debug!(
                    item = index + 1,
                    http.request.method = %entry.method,
                    url.template = entry.template.as_str(),
                    http.response.status_code = answer.status,
                    "batch item"
                );
                answers.insert(index, answer);
            }
        }
        Ok(answers)
    }

    /// One entry of `requests`: ids are positions from 1, and `dependsOn`
    /// names only items of this `$batch` (the others already succeeded).
    fn item_json(&self, index: usize, pending: &[usize]) -> Value {
        let entry = &self.entries[index];
        let mut headers = Map::new();
        for (name, value) in &entry.headers {
            let joined = match headers.get(name).and_then(Value::as_str) {
                Some(earlier) => format!("{earlier}, {value}"),
                None => value.clone(),
            };
            headers.insert(name.clone(), Value::String(joined));
        }
        let mut item = json!({ "id": (index + 1).to_string(), "method": entry.method.as_str(), "url": entry.url });
        let content_type = match &entry.body {
            Body::None => None,
            Body::Json(value) => {
                item["body"] = value.clone();
                Some("application/json")
            }
            // Graph takes binary item bodies base64-encoded.
            Body::Bytes { bytes, content_type } => {
                item["body"] = Value::String(base64::engine::general_purpose::STANDARD.encode(bytes));
                Some(content_type.as_str())
            }
        };
        if let Some(content_type) = content_type
            && !headers.keys().any(|name| name.eq_ignore_ascii_case("content-type"))
        {
            headers.insert("Content-Type".to_owned(), Value::String(content_type.to_owned()));
        }
        if !headers.is_empty() {
            item["headers"] = Value::Object(headers);
        }
        let depends_on: Vec<String> =
            entry.depends_on.iter().filter(|d| pending.contains(d)).map(|d| (d + 1).to_string()).collect();
        if !depends_on.is_empty() {
            item["dependsOn"] = json!(depends_on);
        }
        item
    }
}

impl fmt::Debug for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> =
            self.entries.iter().map(|entry| format!("{} {}", entry.method, entry.template)).collect();
        f.debug_struct("Batch").field("items", &items).finish_non_exhaustive()
    }
}

/// The request's path and query below the client's base URL, as a batch
/// item's `url`.
fn relative_url<T>(client: &Client, request: &Request<T>) -> Result<String, Error> {
    if request.client.base_url() != client.base_url() {
        return Err(Error::InvalidRequest(format!(
            "the request was built for `{}`, the batch is sent to `{}`",
            request.client.base_url(),
            client.base_url()
        )));
    }
    let url = request.url();
    match url.strip_prefix(client.base_url()) {
        Some(rest) if rest.starts_with('/') || rest.starts_with('?') => Ok(rest.to_owned()),
        Some("") => Ok("/".to_owned()),
        _ => Err(Error::InvalidRequest(format!("`{url}` is not below the base URL `{}`", client.base_url()))),
    }
}

/// The items in `$batch` calls of at most [`MAX_BATCH_ITEMS`]: items
/// linked by `dependsOn` stay together, in the order they were added.
fn chunks(entries: &[Entry]) -> Result<Vec<Vec<usize>>, Error> {
    // Dependencies always point back, so each item joins the group of its
    // first dependency, and groups it links are merged into that one.
    let mut group: Vec<usize> = (0..entries.len()).collect();
    for (index, entry) in entries.iter().enumerate() {
        if let Some(&first) = entry.depends_on.first() {
            let target = group[first];
            let merged: Vec<usize> = entry.depends_on.iter().map(|&d| group[d]).collect();
            for slot in group.iter_mut().take(index) {
                if merged.contains(slot) {
                    *slot = target;
                }
            }
            group[index] = target;
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut position: HashMap<usize, usize> = HashMap::new();
    for (index, &g) in group.iter().enumerate() {
        let slot = *position.entry(g).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[slot].push(index);
    }
    let mut chunks: Vec<Vec<usize>> = Vec::new();
    for members in groups {
        if members.len() > MAX_BATCH_ITEMS {
            return Err(Error::InvalidRequest(format!(
                "{} requests of the batch (items {} to {}) depend on each other; a $batch holds at most \
                 {MAX_BATCH_ITEMS} and dependent requests must share one",
                members.len(),
                members[0] + 1,
                members[members.len() - 1] + 1
            )));
        }
        match chunks.last_mut() {
            Some(chunk) if chunk.len() + members.len() <= MAX_BATCH_ITEMS => chunk.extend(members),
            _ => chunks.push(members),
        }
    }
    for chunk in &mut chunks {
        chunk.sort_unstable();
    }
    Ok(chunks)
}

/// The answer to a `$batch` call.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    responses: Vec<Answer>,
}

/// One item's answer.
#[derive(Debug, Deserialize)]
struct Answer {
    id: String,
    status: u16,
    #[serde(default)]
    headers: Map<String, Value>,
    #[serde(default)]
    body: Option<Value>,
}

impl Answer {
    fn retry_after(&self) -> Option<Duration> {
        let (_, value) = self.headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))?;
        let text = match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        retry_after_value(&text, SystemTime::now())
    }

    /// The body as the bytes a plain response would have had: JSON as
    /// JSON, a string under a non-JSON content type as its base64 bytes.
    fn body_bytes(&self) -> Vec<u8> {
        let json = self
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .and_then(|(_, value)| value.as_str())
            .is_none_or(|content_type| content_type.contains("json"));
        match &self.body {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(text)) if !json => base64_bytes(text).unwrap_or_else(|| text.as_bytes().to_vec()),
            Some(value) => serde_json::to_vec(value).unwrap_or_default(),
        }
    }
}

/// Graph base64-encodes binary bodies; padded or not, standard or URL-safe.
fn base64_bytes(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, URL_SAFE, URL_SAFE_NO_PAD].iter().find_map(|engine| engine.decode(text).ok())
}

/// Every answer of a sent [`Batch`], each taken once with its
/// [`BatchItem`].
pub struct BatchResponses {
    batch: u64,
    answers: Vec<Option<Result<Answer, Error>>>,
    kinds: Vec<ResponseKind>,
}

impl BatchResponses {
    /// The answer to `item`'s request, decoded as its type: like
    /// [`Request::send`], a non-2xx answer is [`Error::Status`] with
    /// Graph's error body (424 when a dependency failed, 429 when still
    /// throttled after the retries).
    pub fn take<T: DeserializeOwned>(&mut self, item: BatchItem<T>) -> Result<T, Error> {
        let index = self.index(item.id)?;
        let answer = match self.answers[index].take() {
            Some(answer) => answer?,
            None => return Err(Error::InvalidRequest(format!("the answer to item {} was taken already", index + 1))),
        };
        let body = answer.body_bytes();
        if !(200..300).contains(&answer.status) {
            return Err(Error::from_status(answer.status, &body));
        }
        decode(self.kinds[index], &body)
    }

    /// The HTTP status of `item`'s answer, if it has one (and was not taken).
    pub fn status<T>(&self, item: &BatchItem<T>) -> Option<u16> {
        let index = self.index(item.id).ok()?;
        self.answers[index].as_ref()?.as_ref().ok().map(|answer| answer.status)
    }

    fn index(&self, id: BatchId) -> Result<usize, Error> {
        if id.batch != self.batch || id.index >= self.answers.len() {
            return Err(Error::InvalidRequest("the item belongs to another batch".to_owned()));
        }
        Ok(id.index)
    }
}

impl fmt::Debug for BatchResponses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let statuses: Vec<Option<u16>> = self
            .answers
            .iter()
            .map(|answer| answer.as_ref().and_then(|answer| answer.as_ref().ok()).map(|answer| answer.status))
            .collect();
        f.debug_struct("BatchResponses").field("statuses", &statuses).finish_non_exhaustive()
    }
}
