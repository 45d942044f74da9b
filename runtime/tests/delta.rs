//! Delta queries: the stream ends with the delta link, and a saved delta
//! link resumes; links never take the token to another origin.

mod common;

use futures::{StreamExt, TryStreamExt};
use graph_runtime::{Delta, Error, Method, Page, Request, RequestPath, ResponseKind};
use serde::Deserialize;
use serde_json::json;
use wiremock::matchers::{bearer_token, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Debug, Deserialize, PartialEq)]
struct User {
    id: String,
}

fn users_delta(server: &MockServer) -> Request<Page<User>> {
    let path = RequestPath::root().segment("users").segment("delta");
    Request::new(&common::client(server), Method::GET, path, ResponseKind::Json)
}

fn item(id: &str) -> Delta<User> {
    Delta::Item(User { id: id.to_owned() })
}

#[tokio::test]
async fn the_stream_ends_with_the_delta_link_of_the_last_page() {
    let server = MockServer::start().await;
    let link = |query: &str| format!("{}/v1.0/users/delta?{query}", server.uri());
    Mock::given(method("GET"))
        .and(path("/v1.0/users/delta"))
        .and(query_param("$select", "id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "1"}, {"id": "2"}],
            "@odata.nextLink": link("$skiptoken=p2")
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("$skiptoken", "p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "3"}],
            "@odata.deltaLink": link("$deltatoken=d1")
        })))
        .expect(1)
        .mount(&server)
        .await;

    let changes: Vec<Delta<User>> = users_delta(&server).select(&["id"]).delta().try_collect().await.unwrap();

    assert_eq!(changes, [item("1"), item("2"), item("3"), Delta::Link(link("$deltatoken=d1"))]);
}

#[tokio::test]
async fn a_saved_delta_link_resumes_with_the_clients_token() {
    let server = MockServer::start().await;
    let saved = format!("{}/v1.0/users/delta?$deltatoken=d1", server.uri());
    Mock::given(method("GET"))
        .and(path("/v1.0/users/delta"))
        .and(query_param("$deltatoken", "d1"))
        .and(bearer_token(common::TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "4"}],
            "@odata.deltaLink": format!("{}/v1.0/users/delta?$deltatoken=d2", server.uri())
        })))
        .expect(1)
        .mount(&server)
        .await;

    let request = Request::<Page<User>>::from_delta_link(&common::client(&server), &saved);
    assert_eq!(request.url(), saved);
    assert_eq!(request.path(), "/users/delta?$deltatoken=d1");
    let changes: Vec<Delta<User>> = request.delta().try_collect().await.unwrap();

    assert_eq!(changes, [item("4"), Delta::Link(format!("{}/v1.0/users/delta?$deltatoken=d2", server.uri()))]);
}

#[tokio::test]
async fn a_last_page_without_a_delta_link_ends_with_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [{"id": "1"}]})))
        .expect(1)
        .mount(&server)
        .await;

    let changes: Vec<Result<Delta<User>, Error>> = users_delta(&server).delta().collect().await;

    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0].as_ref().unwrap(), &item("1"));
    assert!(matches!(&changes[1], Err(Error::UnexpectedResponse(m)) if m.contains("deltaLink")), "{changes:?}");
}

#[tokio::test]
async fn a_delta_link_on_another_origin_is_refused_and_nothing_is_sent() {
    let graph = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let link = format!("{}/v1.0/users/delta?$deltatoken=d1", elsewhere.uri());

    let changes: Vec<Result<Delta<User>, Error>> =
        Request::<Page<User>>::from_delta_link(&common::client(&graph), &link).delta().collect().await;

    assert_eq!(changes.len(), 1);
    assert!(matches!(&changes[0], Err(Error::InvalidRequest(m)) if m.contains("delta link")), "{changes:?}");
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    assert!(graph.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_next_link_on_another_origin_is_refused_and_gets_nothing() {
    let graph = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "1"}],
            "@odata.nextLink": format!("{}/v1.0/users/delta?$skiptoken=p2", elsewhere.uri())
        })))
        .expect(1)
        .mount(&graph)
        .await;

    let changes: Vec<Result<Delta<User>, Error>> = users_delta(&graph).delta().collect().await;

    assert!(matches!(changes.last(), Some(Err(Error::InvalidRequest(m))) if m.contains("next link")), "{changes:?}");
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}
