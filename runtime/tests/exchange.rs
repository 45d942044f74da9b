//! The contract-test helper checked against itself: a documented exchange
//! sent as documented passes, and each kind of difference fails with a
//! message that names it.
#![cfg(feature = "testing")]

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use graph_runtime::testing::{Exchange, MockGraph};
use graph_runtime::{Binary, Client, Method, Page, Request, RequestPath, ResponseKind};
use serde::{Deserialize, Serialize};

/// A model that keeps what it does not know, like the generated ones.
#[derive(Debug, Serialize, Deserialize)]
struct User {
    id: Option<String>,
    #[serde(rename = "displayName", skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
    #[serde(flatten)]
    additional_properties: serde_json::Map<String, serde_json::Value>,
}

/// A model that drops what it does not know.
#[derive(Debug, Serialize, Deserialize)]
struct IdOnly {
    id: String,
}

const USER: &str = r#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
    "id": "42", "displayName": "Adele Vance", "mail": null, "score": 3}"#;

fn user_path(id: &str) -> RequestPath {
    RequestPath::root().segment("users").key(id)
}

fn get<T>(client: &Client, path: RequestPath) -> Request<T> {
    Request::new(client, Method::GET, path, ResponseKind::Json)
}

/// Runs `check` and returns its panic message, or `None` when it passed.
async fn panic_of(check: impl Future<Output = ()>) -> Option<String> {
    let payload = AssertUnwindSafe(check).catch_unwind().await.err()?;
    payload.downcast_ref::<String>().cloned().or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
}

async fn serve_user() -> MockGraph {
    Exchange::new("GET", "/users/42").respond_json(200, USER).serve().await
}

#[tokio::test]
async fn documented_exchange_passes() {
    let server = serve_user().await;
    let answer = get::<User>(&server.client(), user_path("42")).send().await;
    server.assert_answer(answer).await;
}

#[tokio::test]
async fn paths_compare_decoded_and_case_insensitively() {
    let server = Exchange::new("GET", "/Users/{user-id}").respond_json(200, USER).serve().await;
    let answer = get::<User>(&server.client(), user_path("{user-id}")).send().await;
    server.assert_answer(answer).await;
}

#[tokio::test]
async fn another_path_is_named() {
    let server = serve_user().await;
    let answer = get::<User>(&server.client(), user_path("43")).send().await;
    let message = panic_of(server.assert_answer(answer)).await.expect("a different path must fail");
    assert!(message.contains("path: sent `/users/43`, documented `/users/42`"), "{message}");
}

#[tokio::test]
async fn another_method_is_named() {
    let server = serve_user().await;
    let answer =
        Request::<()>::new(&server.client(), Method::DELETE, user_path("42"), ResponseKind::Empty).send().await;
    let message = panic_of(server.assert_sent(answer).map(|_| ())).await.expect("a different method must fail");
    assert!(message.contains("method: sent DELETE, documented GET"), "{message}");
}

#[tokio::test]
async fn request_body_is_compared_like_a_round_trip() {
    let documented = r#"{"displayName": "New name", "accountEnabled": true, "manager": null, "quota": 1}"#;
    let server = Exchange::new("PATCH", "/users/42").request_json(documented).respond_empty(204).serve().await;
    let patch = |body: serde_json::Value| {
        Request::<()>::new(&server.client(), Method::PATCH, user_path("42"), ResponseKind::Empty).json_body(&body)
    };

    let same = patch(serde_json::json!({"displayName": "New name", "accountEnabled": true, "quota": 1.0}));
    server.assert_sent(same.send().await).await;

    let server = Exchange::new("PATCH", "/users/42").request_json(documented).respond_empty(204).serve().await;
    let other = Request::<()>::new(&server.client(), Method::PATCH, user_path("42"), ResponseKind::Empty)
        .json_body(&serde_json::json!({"displayName": "Other", "accountEnabled": true, "quota": 1}));
    let message = panic_of(server.assert_sent(other.send().await).map(|_| ())).await.expect("another body must fail");
    assert!(message.contains("body differs at `$.displayName`"), "{message}");
    assert!(message.contains(r#"documented "New name", sent "Other""#), "{message}");
}

#[tokio::test]
async fn lost_property_is_named_with_its_path() {
    let server = serve_user().await;
    let answer = get::<IdOnly>(&server.client(), user_path("42")).send().await;
    let message = panic_of(server.assert_answer(answer)).await.expect("a lost property must fail");
    assert!(message.contains("IdOnly"), "{message}");
    assert!(message.contains(r#"at `$["@odata.context"]`"#), "{message}");
    assert!(message.contains("(absent)"), "{message}");
}

#[tokio::test]
async fn decode_failure_is_reported_as_such() {
    let server = Exchange::new("GET", "/users/42").respond_json(200, r#"{"id": 42}"#).serve().await;
    let answer = get::<IdOnly>(&server.client(), user_path("42")).send().await;
    let message = panic_of(server.assert_answer(answer)).await.expect("a decode error must fail");
    assert!(message.contains("was sent as documented, but the call failed: could not decode"), "{message}");
    assert!(message.contains("`id`"), "{message}");
}

#[tokio::test]
async fn pages_and_bytes_answers() {
    let page = r#"{"value": [{"id": "1"}, {"id": "2", "displayName": "B"}], "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$skiptoken=x"}"#;
    let server = Exchange::new("GET", "/users").respond_json(200, page).serve().await;
    let answer = get::<Page<User>>(&server.client(), RequestPath::root().segment("users")).send().await;
    server.assert_answer(answer).await;

    let server = Exchange::new("GET", "/users/42/photo/$value").respond_text(200, "binary photo").serve().await;
    let path = user_path("42").segment("photo").segment("$value");
    let answer = Request::<Binary>::new(&server.client(), Method::GET, path, ResponseKind::Bytes).send().await;
    server.assert_answer(answer).await;
}

#[tokio::test]
async fn base_path_carries_the_resource_a_relative_path_hangs_below() {
    let server = Exchange::new("GET", "/me/drive/items/{id}/workbook/names/{name}")
        .respond_json(200, r#"{"id": "n1"}"#)
        .serve()
        .await;
    let client = server.client_below("/me/drive/items/{id}");
    let path = RequestPath::root().segment("workbook").segment("names").key("{name}");
    server.assert_answer(get::<User>(&client, path).send().await).await;
}

#[tokio::test]
async fn unsent_request_is_reported() {
    let server = serve_user().await;
    // `..` is refused before anything is sent.
    let answer = get::<User>(&server.client(), user_path("..")).send().await;
    let message = panic_of(server.assert_answer(answer)).await.expect("an unsent request must fail");
    assert!(message.contains("never reached the server"), "{message}");
}

#[tokio::test]
async fn one_statement_builds_sends_and_checks_the_documented_exchange() {
    Exchange::new("GET", "/users/42")
        .respond_json(200, USER)
        .assert_answer(|client| get::<User>(&client, user_path("42")))
        .await;
    let documented = r#"{"displayName": "Adele"}"#;
    Exchange::new("PATCH", "/users/42")
        .request_json(documented)
        .respond_empty(204)
        .assert_sent(|client| {
            Request::<()>::new(&client, Method::PATCH, user_path("42"), ResponseKind::Empty)
                .json_body(&serde_json::json!({"displayName": "Adele"}))
        })
        .await;
    let message = panic_of(
        Exchange::new("GET", "/users/42")
            .respond_json(200, USER)
            .assert_answer(|client| get::<User>(&client, user_path("7"))),
    )
    .await
    .expect("another path must fail");
    assert!(message.contains("path: sent `/users/7`"), "{message}");
}

#[tokio::test]
async fn one_statement_builds_below_a_base_path() {
    Exchange::new("GET", "/me/drive/items/{id}/workbook/names/{name}")
        .respond_json(200, r#"{"id": "n1"}"#)
        .below("/me/drive/items/{id}")
        .assert_answer(|client| {
            get::<User>(&client, RequestPath::root().segment("workbook").segment("names").key("{name}"))
        })
        .await;
}
