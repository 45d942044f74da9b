//! Response handling: Graph error bodies, empty and binary bodies, decode
//! errors.

mod common;

use std::collections::HashMap;

use graph_runtime::{Binary, Error, Method, Request, RequestPath, ResponseKind};
use serde::Deserialize;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn request<T>(server: &MockServer, method: Method, kind: ResponseKind) -> Request<T> {
    Request::new(&common::client(server), method, RequestPath::root().segment("users").key("42"), kind)
}

async fn respond(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("GET")).respond_with(response).expect(1).mount(server).await;
}

#[tokio::test]
async fn graph_error_body_is_parsed() {
    let server = MockServer::start().await;
    respond(
        &server,
        ResponseTemplate::new(404).set_body_json(json!({
            "error": {
                "code": "Request_ResourceNotFound",
                "message": "Resource '42' does not exist.",
                "innerError": {
                    "date": "2024-01-01T00:00:00",
                    "request-id": "9f1c-request",
                    "client-request-id": "9f1c-client",
                    "extra": 1
                }
            }
        })),
    )
    .await;

    let err = request::<Value>(&server, Method::GET, ResponseKind::Json).send().await.unwrap_err();

    let Error::Status { status, error, body } = &err else {
        panic!("expected a status error, got {err:?}");
    };
    assert_eq!(*status, 404);
    assert!(body.contains("Request_ResourceNotFound"));
    let error = error.as_ref().expect("the Graph error body parses");
    assert_eq!(error.code, "Request_ResourceNotFound");
    assert_eq!(error.message, "Resource '42' does not exist.");
    let inner = error.inner_error.as_ref().unwrap();
    assert_eq!(inner.request_id.as_deref(), Some("9f1c-request"));
    assert_eq!(inner.client_request_id.as_deref(), Some("9f1c-client"));
    assert_eq!(inner.date.as_deref(), Some("2024-01-01T00:00:00"));
    assert_eq!(inner.additional_properties["extra"], json!(1));
    let shown = err.to_string();
    assert!(shown.contains("404"), "{shown}");
    assert!(shown.contains("Request_ResourceNotFound"), "{shown}");
    assert!(shown.contains("9f1c-request"), "{shown}");
}

#[tokio::test]
async fn non_graph_error_body_is_kept_as_text() {
    let server = MockServer::start().await;
    respond(&server, ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>")).await;

    let err = request::<Value>(&server, Method::GET, ResponseKind::Json).send().await.unwrap_err();

    assert!(
        matches!(&err, Error::Status { status: 502, error: None, body } if body == "<html>bad gateway</html>"),
        "{err:?}"
    );
    assert!(err.to_string().contains("bad gateway"));
}

#[tokio::test]
async fn no_content_decodes_to_unit() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(204)).expect(1).mount(&server).await;

    request::<()>(&server, Method::DELETE, ResponseKind::Empty).send().await.unwrap();
}

#[tokio::test]
async fn json_kind_with_no_content_decodes_to_option() {
    let server = MockServer::start().await;
    respond(&server, ResponseTemplate::new(204)).await;

    let value = request::<Option<Value>>(&server, Method::GET, ResponseKind::Json).send().await.unwrap();

    assert_eq!(value, None);
}

#[tokio::test]
async fn bytes_decode_to_binary() {
    let server = MockServer::start().await;
    let photo = vec![0xFF, 0xD8, 0x00, 0x7B, 0xFF];
    respond(&server, ResponseTemplate::new(200).set_body_raw(photo.clone(), "image/jpeg")).await;

    let binary = request::<Binary>(&server, Method::GET, ResponseKind::Bytes).send().await.unwrap();

    assert_eq!(binary, Binary(photo));
}

#[derive(Debug, Deserialize)]
struct User {
    id: String,
    manager: Manager,
}

#[derive(Debug, Deserialize)]
struct Manager {
    #[serde(rename = "displayName")]
    display_name: String,
}

#[tokio::test]
async fn nested_json_decodes() {
    let server = MockServer::start().await;
    respond(
        &server,
        ResponseTemplate::new(200).set_body_json(json!({"id": "42", "manager": {"displayName": "Adele"}})),
    )
    .await;

    let user = request::<User>(&server, Method::GET, ResponseKind::Json).send().await.unwrap();

    assert_eq!(user.id, "42");
    assert_eq!(user.manager.display_name, "Adele");
}

#[tokio::test]
async fn decode_error_names_type_and_path() {
    let server = MockServer::start().await;
    respond(&server, ResponseTemplate::new(200).set_body_json(json!({"id": "42", "manager": {"displayName": 7}})))
        .await;

    let err = request::<User>(&server, Method::GET, ResponseKind::Json).send().await.unwrap_err();

    let Error::Decode { type_name, path, message } = &err else {
        panic!("expected a decode error, got {err:?}");
    };
    assert!(type_name.ends_with("User"), "{type_name}");
    assert_eq!(path, "manager.displayName");
    assert!(message.contains("invalid type"), "{message}");
    let shown = err.to_string();
    assert!(shown.contains("User") && shown.contains("manager.displayName"), "{shown}");
}

#[tokio::test]
async fn json_body_is_sent_with_content_type() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"displayName": "Adele"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "1"})))
        .expect(1)
        .mount(&server)
        .await;

    let created: Value = request(&server, Method::POST, ResponseKind::Json)
        .json_body(&json!({"displayName": "Adele"}))
        .send()
        .await
        .unwrap();

    assert_eq!(created["id"], "1");
}

#[tokio::test]
async fn bytes_body_is_sent_with_its_content_type() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(header("content-type", "text/plain"))
        .and(wiremock::matchers::body_bytes(b"hello".to_vec()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "f"})))
        .expect(1)
        .mount(&server)
        .await;

    request::<Value>(&server, Method::PUT, ResponseKind::Json)
        .bytes_body(b"hello".to_vec(), "text/plain")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn serialisation_error_is_returned_by_send() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let body: HashMap<(u8, u8), u8> = HashMap::from([((1, 2), 3)]);

    let request = request::<Value>(&server, Method::POST, ResponseKind::Json).json_body(&body);
    assert!(request.body_json().is_none());
    let err = request.send().await.unwrap_err();

    assert!(matches!(err, Error::Serialize(_)), "{err:?}");
}

#[tokio::test]
async fn invalid_header_is_reported_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;

    let err =
        request::<Value>(&server, Method::GET, ResponseKind::Json).header("If-Match", "a\nb").send().await.unwrap_err();

    assert!(matches!(&err, Error::InvalidRequest(m) if m.contains("If-Match")), "{err:?}");
}

#[test]
fn send_future_is_send() {
    fn assert_send<F: Send + 'static>(_: F) {}
    let client = graph_runtime::Client::with_token("https://graph.microsoft.com/v1.0", "t");
    let request: Request<Value> = Request::new(&client, Method::GET, RequestPath::root(), ResponseKind::Json);
    assert_send(request.send());
}
