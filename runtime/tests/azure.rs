//! Authentication with an azure_core `TokenCredential`: the Graph scope of
//! the base URL, tokens cached until shortly before they expire and
//! fetched once however many requests wait, never shown.
#![cfg(feature = "azure")]

mod common;
#[path = "common/trace.rs"]
mod trace;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use graph_runtime::azure::AzureTokenProvider;
use graph_runtime::azure::azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use graph_runtime::azure::azure_core::time::OffsetDateTime;
use graph_runtime::{Client, Error, Method, Request, RequestPath, ResponseKind};
use serde_json::{Value, json};
use trace::Captured;
use wiremock::matchers::{bearer_token, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Hands out `azure-token-1`, `azure-token-2`, … valid for `lifetime`,
/// after `delay`; records the scopes asked.
#[derive(Debug)]
struct FakeCredential {
    lifetime: time::Duration,
    delay: Duration,
    fail: bool,
    calls: Mutex<Vec<Vec<String>>>,
}

impl FakeCredential {
    fn valid_for(lifetime: time::Duration) -> Arc<FakeCredential> {
        Arc::new(FakeCredential { lifetime, delay: Duration::ZERO, fail: false, calls: Mutex::default() })
    }

    fn calls(&self) -> Vec<Vec<String>> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl TokenCredential for FakeCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> graph_runtime::azure::azure_core::Result<AccessToken> {
        let n = {
            let mut calls = self.calls.lock().unwrap();
            calls.push(scopes.iter().map(|s| s.to_string()).collect());
            calls.len()
        };
        tokio::time::sleep(self.delay).await;
        if self.fail {
            return Err(graph_runtime::azure::azure_core::Error::with_message(
                graph_runtime::azure::azure_core::error::ErrorKind::Credential,
                "no credential configured",
            ));
        }
        Ok(AccessToken::new(format!("azure-token-{n}"), OffsetDateTime::now_utc() + self.lifetime))
    }
}

fn client_for(server: &MockServer, credential: Arc<FakeCredential>) -> Client {
    Client::builder(format!("{}/v1.0", server.uri()))
        .azure_credential(credential)
        .retry_policy(common::fast_retry(1))
        .build()
}

fn get_me(client: &Client) -> Request<Value> {
    Request::new(client, Method::GET, RequestPath::root().segment("me"), ResponseKind::Json)
}

async fn answer_ok(server: &MockServer, token: &str, times: u64) {
    Mock::given(method("GET"))
        .and(bearer_token(token))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_token_for_the_graph_scope_of_the_base_url_is_cached() {
    let server = MockServer::start().await;
    answer_ok(&server, "azure-token-1", 3).await;
    let credential = FakeCredential::valid_for(time::Duration::hours(1));
    let client = client_for(&server, Arc::clone(&credential));

    for _ in 0..3 {
        get_me(&client).send().await.unwrap();
    }

    assert_eq!(credential.calls(), [[format!("{}/.default", server.uri())]]);
}

#[tokio::test]
async fn a_token_about_to_expire_is_replaced() {
    let server = MockServer::start().await;
    answer_ok(&server, "azure-token-1", 1).await;
    answer_ok(&server, "azure-token-2", 1).await;
    // Tokens that expire as they are handed out: each request needs a new one.
    let credential = FakeCredential::valid_for(time::Duration::ZERO);
    let client = client_for(&server, Arc::clone(&credential));

    get_me(&client).send().await.unwrap();
    get_me(&client).send().await.unwrap();

    assert_eq!(credential.calls().len(), 2);
}

#[tokio::test]
async fn concurrent_requests_share_one_fetch() {
    let server = MockServer::start().await;
    answer_ok(&server, "azure-token-1", 10).await;
    let credential = Arc::new(FakeCredential {
        lifetime: time::Duration::hours(1),
        delay: Duration::from_millis(50),
        fail: false,
        calls: Mutex::default(),
    });
    let client = client_for(&server, Arc::clone(&credential));

    let results = futures::future::join_all((0..10).map(|_| get_me(&client).send())).await;

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(credential.calls().len(), 1);
}

#[tokio::test]
async fn a_credential_failure_is_an_auth_error_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let credential = Arc::new(FakeCredential {
        lifetime: time::Duration::hours(1),
        delay: Duration::ZERO,
        fail: true,
        calls: Mutex::default(),
    });

    let err = get_me(&client_for(&server, credential)).send().await.unwrap_err();

    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert!(err.to_string().contains("no credential configured"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_token_is_never_in_debug_output_or_traces() {
    let captured = Captured::install();
    let server = MockServer::start().await;
    answer_ok(&server, "azure-token-1", 1).await;
    let credential = FakeCredential::valid_for(time::Duration::hours(1));
    let provider = AzureTokenProvider::new(credential.clone(), "https://graph.microsoft.us/v1.0").unwrap();
    let client = client_for(&server, credential);

    get_me(&client).send().await.unwrap();

    assert_eq!(provider.scopes(), ["https://graph.microsoft.us/.default"]);
    assert_eq!(captured.spans("graph_request").len(), 1, "the request was traced");
    let mut shown = captured.lines();
    shown.extend([format!("{provider:?}"), format!("{client:?}")]);
    assert!(shown.iter().all(|line| !line.contains("azure-token")), "{shown:#?}");
}
