//! Long-running operations: a 202 with a monitor URL becomes a handle that
//! is polled until the operation ends, with a delay and a timeout.

mod common;

use std::time::Duration;

use graph_runtime::{Error, Method, OperationState, Polling, Request, RequestPath, ResponseKind};
use serde_json::json;
use wiremock::matchers::{bearer_token, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn clone_team(server: &MockServer) -> Request<()> {
    let path = RequestPath::root().segment("teams").key("t1").segment("clone");
    Request::new(&common::client(server), Method::POST, path, ResponseKind::Empty)
        .json_body(&json!({"displayName": "Copy"}))
}

fn fast() -> Polling {
    Polling { interval: Duration::from_millis(1), timeout: Duration::from_secs(5) }
}

async fn accept_with(server: &MockServer, header: &str, monitor: &str) {
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202).insert_header(header, monitor))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_202_with_a_location_is_polled_until_it_succeeds() {
    let server = MockServer::start().await;
    accept_with(&server, "Location", "/teams('t2')/operations('op1')").await;
    let monitor = "/v1.0/teams('t2')/operations('op1')";
    Mock::given(method("GET"))
        .and(path(monitor))
        .and(bearer_token(common::TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "inProgress"})))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(monitor))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "succeeded", "targetResourceId": "t2", "targetResourceLocation": "/teams('t2')"
        })))
        .expect(1)
        .mount(&server)
        .await;

    let operation = clone_team(&server).send_long_running().await.unwrap();
    assert_eq!(operation.monitor_url(), format!("{}{monitor}", server.uri()));
    let done = operation.wait(&fast()).await.unwrap();

    assert_eq!(done.state, OperationState::Succeeded);
    assert_eq!(done.resource_id.as_deref(), Some("t2"));
}

#[tokio::test]
async fn an_operation_location_on_another_host_is_polled_without_the_token() {
    let graph = MockServer::start().await;
    let monitor_host = MockServer::start().await;
    accept_with(&graph, "Operation-Location", &format!("{}/monitor/m1", monitor_host.uri())).await;
    Mock::given(method("GET"))
        .and(path("/monitor/m1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "completed", "percentageComplete": 100.0, "resourceId": "01NEW"
        })))
        .expect(1)
        .mount(&monitor_host)
        .await;

    let operation = clone_team(&graph).send_long_running().await.unwrap();
    assert!(!format!("{operation:?}").contains("/monitor/m1"), "a pre-authenticated URL in Debug output");
    let done = operation.wait(&fast()).await.unwrap();

    assert_eq!((done.resource_id.as_deref(), done.percent_complete), (Some("01NEW"), Some(100.0)));
    let polls = monitor_host.received_requests().await.unwrap();
    assert!(polls.iter().all(|poll| !poll.headers.contains_key("authorization")), "the token left Graph");
}

#[tokio::test]
async fn a_failed_operation_is_an_error_with_the_services_reason() {
    let server = MockServer::start().await;
    accept_with(&server, "Location", "/teams('t2')/operations('op1')").await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "failed", "error": {"code": "NotFound", "message": "the source team is gone"}
        })))
        .expect(1)
        .mount(&server)
        .await;

    let err = clone_team(&server).send_long_running().await.unwrap().wait(&fast()).await.unwrap_err();

    let Error::OperationFailed { status, error } = &err else { panic!("{err:?}") };
    assert_eq!(status, "failed");
    assert_eq!(error.as_ref().unwrap().code, "NotFound");
    assert!(err.to_string().contains("the source team is gone"), "{err}");
}

#[tokio::test]
async fn polling_stops_at_the_timeout() {
    let server = MockServer::start().await;
    accept_with(&server, "Location", "/teams('t2')/operations('op1')").await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "inProgress"})))
        .mount(&server)
        .await;
    let polling = Polling { interval: Duration::from_millis(5), timeout: Duration::from_millis(60) };

    let operation = clone_team(&server).send_long_running().await.unwrap();
    let waited = tokio::time::timeout(Duration::from_secs(5), operation.wait(&polling)).await;

    let err = waited.expect("polling went on past its timeout").unwrap_err();
    assert!(matches!(&err, Error::Timeout { status, waited } if status == "inProgress" && *waited >= polling.timeout));
}

#[tokio::test]
async fn retry_after_of_the_accepted_answer_sets_the_first_wait() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("Location", "/operations/op1")
                .insert_header("Retry-After", "3600"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "running"})))
        .mount(&server)
        .await;
    // One-millisecond polls, but the service asked for an hour: the only
    // poll comes when the timeout runs out.
    let polling = Polling { interval: Duration::from_millis(1), timeout: Duration::from_millis(100) };

    let err = clone_team(&server).send_long_running().await.unwrap().wait(&polling).await.unwrap_err();

    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    let polls = server.received_requests().await.unwrap().iter().filter(|r| r.method.as_str() == "GET").count();
    assert_eq!(polls, 1);
}

#[tokio::test]
async fn an_answer_without_a_monitor_url_is_an_unexpected_response() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(202)).expect(1).mount(&server).await;

    let err = clone_team(&server).send_long_running().await.unwrap_err();

    assert!(matches!(&err, Error::UnexpectedResponse(m) if m.contains("Location")), "{err:?}");
}

#[tokio::test]
async fn a_created_answer_is_not_taken_for_an_operation() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).insert_header("Location", "/teams('t2')"))
        .expect(1)
        .mount(&server)
        .await;

    let err = clone_team(&server).send_long_running().await.unwrap_err();

    assert!(matches!(&err, Error::UnexpectedResponse(m) if m.contains("201")), "{err:?}");
}
