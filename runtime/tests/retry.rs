//! Retries: which responses and methods are retried, and how often.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use graph_runtime::{BoxError, Client, Error, Method, Request, RequestPath, ResponseKind};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn me(client: &Client, method: Method) -> Request<Value> {
    Request::new(client, method, RequestPath::root().segment("me"), ResponseKind::Json)
}

async fn throttle_then_ok(server: &MockServer, http_method: &str, throttled: u64) {
    Mock::given(method(http_method))
        .and(path("/v1.0/me"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(throttled)
        .expect(throttled)
        .mount(server)
        .await;
    Mock::given(method(http_method))
        .and(path("/v1.0/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn retries_429_with_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    throttle_then_ok(&server, "GET", 2).await;

    let me = me(&common::client(&server), Method::GET).send().await.unwrap();

    assert_eq!(me, json!({"id": "1"}));
}

#[tokio::test]
async fn gives_up_after_max_attempts_with_last_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/me"))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .expect(3)
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/v1.0", server.uri())).retry_policy(common::fast_retry(3)).build();

    let err = me(&client, Method::GET).send().await.unwrap_err();

    assert!(matches!(&err, Error::Status { status: 503, body, .. } if body == "busy"), "{err:?}");
}

#[tokio::test]
async fn retries_504() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(504)).up_to_n_times(1).expect(1).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;

    me(&common::client(&server), Method::GET).send().await.unwrap();
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(500)).expect(1).mount(&server).await;

    let err = me(&common::client(&server), Method::GET).send().await.unwrap_err();

    assert_eq!(err.status(), Some(500));
}

#[tokio::test]
async fn post_is_not_retried_by_default() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .expect(1)
        .mount(&server)
        .await;

    let err = me(&common::client(&server), Method::POST).json_body(&json!({"a": 1})).send().await.unwrap_err();

    assert_eq!(err.status(), Some(429));
}

#[tokio::test]
async fn post_marked_idempotent_is_retried() {
    let server = MockServer::start().await;
    throttle_then_ok(&server, "POST", 1).await;

    me(&common::client(&server), Method::POST).json_body(&json!({"a": 1})).idempotent(true).send().await.unwrap();
}

#[tokio::test]
async fn policy_can_retry_non_idempotent_methods() {
    let server = MockServer::start().await;
    throttle_then_ok(&server, "PATCH", 1).await;
    let mut policy = common::fast_retry(2);
    policy.retry_non_idempotent = true;
    let client = Client::builder(server.uri()).retry_policy(policy).build();

    Request::<Value>::new(
        &client,
        Method::PATCH,
        RequestPath::root().segment("v1.0").segment("me"),
        ResponseKind::Json,
    )
    .send()
    .await
    .unwrap();
}

#[tokio::test]
async fn get_marked_not_idempotent_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).expect(1).mount(&server).await;

    let err = me(&common::client(&server), Method::GET).idempotent(false).send().await.unwrap_err();

    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn long_retry_after_is_capped_by_max_delay() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;

    // Without the cap this would sleep an hour.
    me(&common::client(&server), Method::GET).send().await.unwrap();
}

#[tokio::test]
async fn connect_errors_are_retried_up_to_the_cap() {
    // A port that was just free: connecting to it is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&attempts);
    let client = Client::builder(format!("http://{address}"))
        .token_provider(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, BoxError>("t".to_owned()) }
        })
        .retry_policy(common::fast_retry(3))
        .build();

    let err = me(&client, Method::GET).send().await.unwrap_err();

    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
}
