//! Observability: a tracing span per attempt that says which operation it
//! was and how it went, without ids, tokens or bodies; hooks that add
//! headers to every attempt.

mod common;
#[path = "common/trace.rs"]
mod trace;

use std::sync::{Arc, Mutex};

use graph_runtime::header::{HeaderMap, HeaderValue};
use graph_runtime::{Client, Method, Request, RequestHook, RequestInfo, RequestPath, ResponseKind, StatusCode};
use serde_json::{Value, json};
use trace::Captured;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET_BODY: &str = "body-secret-7f3a";
const USER_ID: &str = "adele@contoso.com";

fn update_user(client: &Client) -> Request<Value> {
    let path = RequestPath::root().segment("users").key(USER_ID);
    Request::new(client, Method::PUT, path, ResponseKind::Json).json_body(&json!({ "note": SECRET_BODY }))
}

#[tokio::test]
async fn each_attempt_is_a_span_with_method_template_status_attempt_and_duration() {
    let captured = Captured::install();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "echo": SECRET_BODY })))
        .mount(&server)
        .await;

    update_user(&common::client(&server)).send().await.unwrap();

    let spans = captured.spans("graph_request");
    assert_eq!(spans.len(), 2, "{spans:#?}");
    for (span, (attempt, status)) in spans.iter().zip([(1, 429), (2, 200)]) {
        assert!(span.contains("http.request.method=PUT"), "{span}");
        assert!(span.contains("url.template=/users/{id}"), "{span}");
        assert!(span.contains(&format!("attempt={attempt}")), "{span}");
        assert!(span.contains(&format!("http.response.status_code={status}")), "{span}");
        assert!(span.contains("duration_ms="), "{span}");
    }
    assert!(captured.lines().iter().any(|line| line.contains("retrying")), "{:#?}", captured.lines());
}

#[tokio::test]
async fn traces_never_hold_the_token_the_ids_or_the_bodies() {
    let captured = Captured::install();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": { "code": "badRequest", "message": SECRET_BODY }
        })))
        .mount(&server)
        .await;

    let err = update_user(&common::client(&server)).send().await.unwrap_err();

    assert_eq!(err.status(), Some(400));
    let lines = captured.lines();
    assert!(!lines.is_empty());
    for line in &lines {
        for secret in [common::TOKEN, SECRET_BODY, USER_ID, "adele%40contoso.com"] {
            assert!(!line.contains(secret), "`{secret}` in a trace: {line}");
        }
    }
}

/// Records what it saw; adds `client-request-id` and a custom header.
#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<String>>>,
}

impl RequestHook for Recorder {
    fn on_request(&self, request: &RequestInfo<'_>, headers: &mut HeaderMap) {
        let id = format!("request-{}", request.attempt);
        headers.insert("client-request-id", HeaderValue::from_str(&id).unwrap());
        let authorization = headers.contains_key("authorization");
        self.seen.lock().unwrap().push(format!(
            "{} {} attempt {} authorization {authorization}",
            request.method, request.template, request.attempt
        ));
    }

    fn on_response(&self, _request: &RequestInfo<'_>, status: StatusCode, headers: &HeaderMap) {
        let request_id = headers.get("request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
        self.seen.lock().unwrap().push(format!("answer {} {request_id}", status.as_u16()));
    }
}

#[tokio::test]
async fn hooks_add_headers_to_every_attempt_before_the_token_is_added() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(header("client-request-id", "request-1"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("/v1.0/users/{USER_ID}")))
        .and(header("client-request-id", "request-2"))
        .and(header("x-team", "docgen"))
        .and(header("authorization", format!("Bearer {}", common::TOKEN).as_str()))
        .respond_with(ResponseTemplate::new(200).insert_header("request-id", "r-77").set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let recorder = Recorder::default();
    let client = Client::builder(format!("{}/v1.0", server.uri()))
        .bearer_token(common::TOKEN)
        .retry_policy(common::fast_retry(3))
        .hook(recorder.clone())
        .hook(|_: &RequestInfo<'_>, headers: &mut HeaderMap| {
            headers.insert("x-team", HeaderValue::from_static("docgen"));
        })
        .build();

    update_user(&client).send().await.unwrap();

    assert_eq!(
        *recorder.seen.lock().unwrap(),
        [
            "PUT /users/{id} attempt 1 authorization false",
            "answer 503 -",
            "PUT /users/{id} attempt 2 authorization false",
            "answer 200 r-77",
        ]
    );
}
