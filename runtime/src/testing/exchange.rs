//! Contract tests: a documented request/response pair served by a local
//! HTTP server, so a generated operation can be sent for real and its
//! decoded answer compared with the documentation.
//!
//! Generated tests stay one statement long; everything they share lives here:
//!
//! ```ignore
//! Exchange::new("GET", "/users/42")
//!     .respond_json(200, USER_RESPONSE)
//!     .assert_answer(|client| GraphClient::new(client).users().by_id("42").get())
//!     .await;
//! ```
//!
//! [`serve`](Exchange::serve) and [`MockGraph`] do the same in steps.

use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{comparable_path, first_difference, first_missing, show, without_nulls};
use crate::{Client, Error, Request, RetryPolicy};

/// One documented exchange: what the client must send and what the server
/// answers. Build it, then [`serve`](Exchange::serve) it.
#[derive(Debug, Clone)]
#[must_use]
pub struct Exchange {
    expected: Expected,
    status: u16,
    answer: Answer,
    /// Added to the base URL of the client the request is built on.
    base_path: String,
}

/// What the mock server accepts; anything else gets a 404 and is explained
/// by [`MockGraph::assert_answer`].
#[derive(Debug, Clone)]
struct Expected {
    method: String,
    path: String,
    body: Option<Value>,
}

/// What the mock server answers with.
#[derive(Debug, Clone)]
enum Answer {
    Empty,
    Json(String),
    Text(String),
}

impl Exchange {
    /// Expects `method` on `path` (below the base URL, written as the
    /// documentation does: unencoded ids, any ASCII case, spaces after the
    /// commas of function arguments). Answers 200 with no body until told
    /// otherwise.
    pub fn new(method: &str, path: &str) -> Self {
        Exchange {
            expected: Expected { method: method.to_ascii_uppercase(), path: path.to_owned(), body: None },
            status: 200,
            answer: Answer::Empty,
            base_path: String::new(),
        }
    }

    /// Builds the request on a client whose base URL ends in `base_path`
    /// (see [`MockGraph::client_below`]).
    pub fn below(mut self, base_path: &str) -> Self {
        self.base_path = base_path.to_owned();
        self
    }

    /// Also expects this JSON request body (compared like
    /// [`assert_round_trip`](super::assert_round_trip) compares: `null`
    /// equals absent, numbers by value).
    ///
    /// # Panics
    ///
    /// When `json` is not valid JSON.
    #[track_caller]
    pub fn request_json(mut self, json: &str) -> Self {
        match serde_json::from_str(json) {
            Ok(value) => self.expected.body = Some(without_nulls(value)),
            Err(e) => panic!("documented request body for {} is not valid JSON: {e}", self.expected.path),
        }
        self
    }

    /// Answers `status` with this JSON body.
    pub fn respond_json(mut self, status: u16, json: &str) -> Self {
        self.status = status;
        self.answer = Answer::Json(json.to_owned());
        self
    }

    /// Answers `status` with this text as raw bytes (`$value`, streams).
    pub fn respond_text(mut self, status: u16, text: &str) -> Self {
        self.status = status;
        self.answer = Answer::Text(text.to_owned());
        self
    }

    /// Answers `status` with no body (204 and the like).
    pub fn respond_empty(mut self, status: u16) -> Self {
        self.status = status;
        self.answer = Answer::Empty;
        self
    }

    /// Starts a server on 127.0.0.1 that answers the documented request,
    /// and only it.
    pub async fn serve(self) -> MockGraph {
        let server = MockServer::start().await;
        let template = ResponseTemplate::new(self.status);
        let template = match &self.answer {
            Answer::Empty => template,
            Answer::Json(json) => template.set_body_raw(json.clone().into_bytes(), "application/json"),
            Answer::Text(text) => template.set_body_raw(text.clone().into_bytes(), "application/octet-stream"),
        };
        Mock::given(self.expected.clone()).respond_with(template).mount(&server).await;
        MockGraph { server, exchange: self }
    }

    /// Serves the exchange, sends the request `call` builds on a client of
    /// the server, and asserts as [`MockGraph::assert_answer`] does.
    pub async fn assert_answer<T>(self, call: impl FnOnce(Client) -> Request<T>)
    where
        T: DeserializeOwned + Serialize + Debug,
    {
        let (server, answer) = self.serve_and_send(call).await;
        server.assert_answer(answer).await;
    }

    /// Like [`assert_answer`](Exchange::assert_answer), without looking at
    /// the decoded value (see [`MockGraph::assert_sent`]).
    pub async fn assert_sent<T>(self, call: impl FnOnce(Client) -> Request<T>)
    where
        T: DeserializeOwned + Debug,
    {
        let (server, answer) = self.serve_and_send(call).await;
        server.assert_sent(answer).await;
    }

    /// Serves the exchange and sends the request `call` builds on a client
    /// of the server (below the base path, if one was given).
    async fn serve_and_send<T: DeserializeOwned>(
        self,
        call: impl FnOnce(Client) -> Request<T>,
    ) -> (MockGraph, Result<T, Error>) {
        let server = self.serve().await;
        let answer = call(server.client_below(&server.exchange.base_path)).send().await;
        (server, answer)
    }
}

impl wiremock::Match for Expected {
    fn matches(&self, request: &wiremock::Request) -> bool {
        self.mismatch(request).is_none()
    }
}

impl Expected {
    /// Why `request` is not the documented one, or `None` when it is.
    fn mismatch(&self, request: &wiremock::Request) -> Option<String> {
        if request.method.as_str() != self.method {
            return Some(format!("method: sent {}, documented {}", request.method, self.method));
        }
        let (sent, documented) = (comparable_path(request.url.path()), comparable_path(&self.path));
        if !sent.eq_ignore_ascii_case(&documented) {
            return Some(format!("path: sent `{sent}`, documented `{documented}`"));
        }
        let documented = self.body.as_ref()?;
        let sent = match serde_json::from_slice::<Value>(&request.body) {
            Ok(value) => without_nulls(value),
            Err(_) if request.body.is_empty() => return Some("body: sent none, documented a JSON body".to_owned()),
            Err(e) => return Some(format!("body: sent something that is not JSON ({e})")),
        };
        let mut at = String::from("$");
        let (documented, sent) = first_difference(documented, &sent, &mut at)?;
        Some(format!("body differs at `{at}`: documented {}, sent {}", show(documented), show(sent)))
    }
}

/// A running mock server for one [`Exchange`]. It stops when dropped.
#[derive(Debug)]
pub struct MockGraph {
    server: MockServer,
    exchange: Exchange,
}

impl MockGraph {
    /// A client whose base URL is this server, with a fixed token and no
    /// retries (a retry would hide a second, unexpected request).
    pub fn client(&self) -> Client {
        self.client_below("")
    }

    /// Like [`client`](MockGraph::client), with `base_path` (e.g.
    /// `/me/drive/items/{id}`) added to the base URL: for operations the
    /// documentation writes relative to a resource, like `/workbook/…`.
    pub fn client_below(&self, base_path: &str) -> Client {
        Client::builder(format!("{}{base_path}", self.server.uri()))
            .bearer_token("test-token")
            .retry_policy(RetryPolicy::none())
            .build()
    }

    /// Asserts the documented request was sent once and the answer decoded
    /// to the documented response, up to the properties the documentation
    /// shows: each of them must come back with its value (`null` equals
    /// absent, numbers compare by value); properties it does not show are
    /// not checked. A text answer must come back as the same bytes.
    ///
    /// # Panics
    ///
    /// When the request differed from the documented one (the message names
    /// the first difference), the call failed, or a documented property is
    /// missing or changed in the decoded answer (the message names its JSON
    /// path and both values).
    pub async fn assert_answer<T: Serialize + Debug>(&self, answer: Result<T, Error>) {
        let decoded = self.assert_sent(answer).await;
        let documented = match &self.exchange.answer {
            Answer::Empty => return,
            Answer::Json(json) => match serde_json::from_str::<Value>(json) {
                Ok(value) => without_nulls(value),
                Err(e) => panic!("documented response body is not valid JSON: {e}"),
            },
            Answer::Text(text) => Value::Array(text.bytes().map(Value::from).collect()),
        };
        let decoded = match serde_json::to_value(&decoded) {
            Ok(value) => without_nulls(value),
            Err(e) => panic!("could not re-encode the decoded `{}`: {e}", std::any::type_name::<T>()),
        };
        let mut at = String::from("$");
        if let Some((documented, decoded)) = first_missing(&documented, &decoded, &mut at) {
            panic!(
                "the decoded `{}` differs from the documented response at `{at}`:\n  documented: {}\n  decoded:    {}",
                std::any::type_name::<T>(),
                show(documented),
                show(decoded),
            );
        }
    }

    /// Asserts the documented request was sent once and answered, without
    /// looking at the decoded value (for operations that return nothing),
    /// and returns that value.
    ///
    /// # Panics
    ///
    /// When the request differed from the documented one or the call failed.
    pub async fn assert_sent<T: Debug>(&self, answer: Result<T, Error>) -> T {
        let received = self.server.received_requests().await.unwrap_or_default();
        let expected = &self.exchange.expected;
        let request = format!("{} {}", expected.method, expected.path);
        if let Some(mismatch) = received.iter().find_map(|r| expected.mismatch(r)) {
            panic!("the request differs from the documented `{request}`: {mismatch}");
        }
        match answer {
            Ok(value) if received.len() == 1 => value,
            Ok(value) => panic!("expected one `{request}`, the server received {}: {value:?}", received.len()),
            Err(e) if received.is_empty() => panic!("`{request}` never reached the server: {e}"),
            Err(e) => panic!("`{request}` was sent as documented, but the call failed: {e}"),
        }
    }
}
