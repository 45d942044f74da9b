//! Authentication: tokens per attempt, and tokens never leaking into
//! `Debug` or error messages.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::future::BoxFuture;
use graph_runtime::{BoxError, Client, Error, Method, Request, RequestPath, ResponseKind, TokenProvider};
use serde_json::{Value, json};
use wiremock::matchers::{bearer_token, header_exists, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Hands out `token-1`, `token-2`, … and counts the calls.
struct CountingProvider {
    calls: Arc<AtomicUsize>,
}

impl TokenProvider for CountingProvider {
    fn token(&self) -> BoxFuture<'_, Result<String, BoxError>> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move { Ok(format!("token-{n}")) })
    }
}

fn get_me(client: &Client) -> Request<Value> {
    Request::new(client, Method::GET, RequestPath::root().segment("me"), ResponseKind::Json)
}

#[tokio::test]
async fn static_token_is_sent_as_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(bearer_token(common::TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;

    get_me(&common::client(&server)).send().await.unwrap();
}

#[tokio::test]
async fn token_provider_is_called_once_per_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    // The third attempt must carry the third token.
    Mock::given(method("GET"))
        .and(bearer_token("token-3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let client = Client::builder(server.uri())
        .token_provider(CountingProvider { calls: Arc::clone(&calls) })
        .retry_policy(common::fast_retry(4))
        .build();

    get_me(&client).send().await.unwrap();

    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn provider_failure_is_an_auth_error_and_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let client = Client::builder(server.uri())
        .token_provider(|| async { Err::<String, BoxError>("credential expired".into()) })
        .build();

    let err = get_me(&client).send().await.unwrap_err();

    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert!(err.to_string().contains("credential expired"));
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn token_that_cannot_be_a_header_is_an_auth_error() {
    let secret = "secret\nwith-newline";
    let client = Client::with_token("http://127.0.0.1:9", secret);

    let err = get_me(&client).send().await.unwrap_err();

    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert!(!err.to_string().contains("secret"));
    assert!(!format!("{err:?}").contains("secret"));
    assert!(!format!("{client:?}").contains("secret"));
}

#[tokio::test]
async fn debug_and_errors_never_show_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = common::client(&server);

    let client_debug = format!("{client:?}");
    let request = get_me(&client).header("Authorization", &format!("Bearer {}", common::TOKEN));
    let request_debug = format!("{request:?}");
    let err = get_me(&client).send().await.unwrap_err();

    assert!(client_debug.contains("redacted"), "{client_debug}");
    for shown in [client_debug, request_debug, err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains(common::TOKEN), "token leaked: {shown}");
    }
}

#[tokio::test]
async fn transport_errors_never_show_the_token() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client = Client::builder(format!("http://{address}"))
        .bearer_token(common::TOKEN)
        .retry_policy(graph_runtime::RetryPolicy::none())
        .build();

    let err = get_me(&client).send().await.unwrap_err();

    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(!err.to_string().contains(common::TOKEN));
    assert!(!format!("{err:?}").contains(common::TOKEN));
}

#[tokio::test]
async fn own_authorization_header_replaces_the_clients() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(bearer_token("per-request"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;

    get_me(&common::client(&server)).header("Authorization", "Bearer per-request").send().await.unwrap();
}
