//! Paging: following `@odata.nextLink` across pages.

mod common;

use futures::{StreamExt, TryStreamExt};
use graph_runtime::{Error, Method, Page, Request, RequestPath, ResponseKind};
use serde::Deserialize;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Debug, Deserialize, PartialEq)]
struct User {
    id: String,
}

fn users(server: &MockServer) -> Request<Page<User>> {
    Request::new(&common::client(server), Method::GET, RequestPath::root().segment("users"), ResponseKind::Json)
}

/// Mounts three pages of users 1–5 at `/v1.0/users`, linked by absolute
/// next links carrying `$skiptoken`.
async fn mount_three_pages(server: &MockServer) {
    let next = |token: &str| format!("{}/v1.0/users?$skiptoken={token}", server.uri());
    let pages = [
        (None, json!({"value": [{"id": "1"}, {"id": "2"}], "@odata.nextLink": next("p2")})),
        (Some("p2"), json!({"value": [{"id": "3"}, {"id": "4"}], "@odata.nextLink": next("p3")})),
        (Some("p3"), json!({"value": [{"id": "5"}], "@odata.deltaLink": "https://example.com/delta"})),
    ];
    for (token, body) in pages {
        let mock = Mock::given(method("GET")).and(path("/v1.0/users"));
        let mock = match token {
            Some(token) => mock.and(query_param("$skiptoken", token)),
            None => mock.and(query_param_is_missing("$skiptoken")),
        };
        mock.and(header("ConsistencyLevel", "eventual"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(server)
            .await;
    }
}

#[tokio::test]
async fn items_follow_next_links_across_three_pages() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;

    let ids: Vec<String> = users(&server)
        .header("ConsistencyLevel", "eventual")
        .items()
        .map_ok(|user| user.id)
        .try_collect()
        .await
        .unwrap();

    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
}

#[tokio::test]
async fn pages_expose_the_final_delta_link() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;

    let pages: Vec<Page<User>> =
        users(&server).header("ConsistencyLevel", "eventual").pages().try_collect().await.unwrap();

    assert_eq!(pages.len(), 3);
    assert_eq!(pages[2].delta_link.as_deref(), Some("https://example.com/delta"));
    assert_eq!(pages[2].next_link, None);
}

#[tokio::test]
async fn next_link_to_another_host_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "1"}],
            "@odata.nextLink": "https://attacker.example/steal"
        })))
        .expect(1)
        .mount(&server)
        .await;

    let results: Vec<Result<User, Error>> = users(&server).items().collect().await;

    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().id, "1");
    assert!(
        matches!(&results[1], Err(Error::InvalidRequest(reason)) if reason.contains("attacker.example")),
        "{:?}",
        results[1]
    );
}

#[tokio::test]
async fn error_on_a_later_page_ends_the_stream() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param_is_missing("$skiptoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "1"}],
            "@odata.nextLink": format!("{}/v1.0/users?$skiptoken=2", server.uri())
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("$skiptoken", "2"))
        .respond_with(ResponseTemplate::new(400))
        .expect(1)
        .mount(&server)
        .await;

    let results: Vec<Result<User, Error>> = users(&server).items().collect().await;

    assert_eq!(results.len(), 2);
    assert_eq!(results[1].as_ref().unwrap_err().status(), Some(400));
}

#[tokio::test]
async fn empty_collection_yields_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .expect(1)
        .mount(&server)
        .await;

    let results: Vec<Result<User, Error>> = users(&server).items().collect().await;

    assert!(results.is_empty());
}

#[test]
fn item_stream_is_send_and_static() {
    fn assert_send_static<S: Send + 'static>(_: S) {}
    let client = graph_runtime::Client::with_token("https://graph.microsoft.com/v1.0", "t");
    let request: Request<Page<User>> = Request::new(&client, Method::GET, RequestPath::root(), ResponseKind::Json);
    assert_send_static(request.items());
}
