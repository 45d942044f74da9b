//! Path and query encoding, checked both as built and as received by a
//! server.

mod common;

use graph_runtime::{Client, Error, FunctionArg, Method, Request, RequestPath, ResponseKind};
use serde_json::{Value, json};
use wiremock::matchers::{method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn ok_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    server
}

/// Sends `GET path` and returns the path and query the server saw.
async fn received(server: &MockServer, client: &Client, path: RequestPath) -> (String, Option<String>) {
    Request::<Value>::new(client, Method::GET, path, ResponseKind::Json).send().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let url = &requests.last().unwrap().url;
    (url.path().to_owned(), url.query().map(str::to_owned))
}

#[tokio::test]
async fn hostile_ids_stay_one_segment_on_the_wire() {
    let server = ok_server().await;
    let client = common::client(&server);
    let cases = [("a/b?c#d", "a%2Fb%3Fc%23d"), ("../x", "..%2Fx"), ("%2F", "%252F"), ("x y", "x%20y"), ("ü", "%C3%BC")];
    for (id, encoded) in cases {
        let path = RequestPath::root().segment("users").key(id).segment("manager");
        let expected = format!("/users/{encoded}/manager");
        assert_eq!(path.as_str(), expected, "id {id:?}");

        let (seen, query) = received(&server, &client, path).await;

        assert_eq!(seen, format!("/v1.0{expected}"), "id {id:?}");
        assert_eq!(query, None, "id {id:?}");
    }
}

#[tokio::test]
async fn dot_ids_are_refused_instead_of_resolved() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let client = common::client(&server);
    let cases = [(".", "%2E"), ("..", "%2E%2E"), ("", "")];
    for (id, encoded) in cases {
        let path = RequestPath::root().segment("users").key(id).segment("manager");
        assert_eq!(path.as_str(), format!("/users/{encoded}/manager"), "id {id:?}");

        let err = Request::<Value>::new(&client, Method::GET, path, ResponseKind::Json).send().await.unwrap_err();

        assert!(matches!(err, Error::InvalidRequest(_)), "id {id:?}: {err:?}");
    }
}

#[tokio::test]
async fn function_segment_with_quotes_and_slashes_on_the_wire() {
    let server = ok_server().await;
    let client = common::client(&server);
    let path = RequestPath::root().segment("me").segment("drive").function(
        "getByPath",
        &[
            FunctionArg { name: "path", value: "/it's/a file", quoted: true },
            FunctionArg { name: "since", value: "2024-01-01T00:00:00Z", quoted: false },
        ],
    );
    let expected = "/me/drive/getByPath(path='%2Fit''s%2Fa%20file',since=2024-01-01T00:00:00Z)";
    assert_eq!(path.as_str(), expected);

    let (seen, _) = received(&server, &client, path).await;

    // The URL standard escapes `'` only in queries, so the path arrives
    // byte for byte.
    assert_eq!(seen, format!("/v1.0{expected}"));
}

#[tokio::test]
async fn query_options_are_encoded_and_decode_to_the_originals() {
    let server = MockServer::start().await;
    let filter = r#"startswith(displayName,'a b') and mail eq "x+y@contoso.com" & 100%"#;
    Mock::given(method("GET"))
        .and(query_param("$filter", filter))
        .and(query_param("$select", "id,displayName"))
        .and(query_param("$top", "5"))
        .and(query_param("$search", "\"displayName:al\""))
        .and(query_param("$count", "true"))
        .and(query_param("$orderby", "displayName desc"))
        .and(query_param("$expand", "manager($select=id)"))
        .and(query_param("$skip", "10"))
        .and(query_param("custom", "ü=1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .expect(1)
        .mount(&server)
        .await;
    let client = common::client(&server);

    let request = Request::<Value>::new(&client, Method::GET, RequestPath::root().segment("users"), ResponseKind::Json)
        .filter(filter)
        .select(&["id", "displayName"])
        .top(50)
        .top(5) // the last one wins: Graph rejects a repeated option
        .search("displayName:al")
        .count(true)
        .order_by("displayName desc")
        .expand("manager($select=id)")
        .skip(10)
        .query("custom", "ü=1");

    let url = request.url();
    assert_eq!(
        url,
        format!(
            "{}/v1.0/users\
             ?$filter=startswith(displayName,%27a%20b%27)%20and%20mail%20eq%20%22x%2By@contoso.com%22%20%26%20100%25\
             &$select=id,displayName\
             &$top=5\
             &$search=%22displayName:al%22\
             &$count=true\
             &$orderby=displayName%20desc\
             &$expand=manager($select%3Did)\
             &$skip=10\
             &custom=%C3%BC%3D1",
            server.uri()
        )
    );
    request.send().await.unwrap();

    // What was sent is exactly what url() showed.
    let requests = server.received_requests().await.unwrap();
    let sent = &requests[0].url;
    let sent = format!("{}{}?{}", server.uri(), sent.path(), sent.query().unwrap());
    assert_eq!(sent, url);
}

#[test]
fn search_keeps_existing_quotes() {
    let client = Client::with_token("https://graph.microsoft.com/v1.0", "t");
    let request = Request::<Value>::new(&client, Method::GET, RequestPath::root(), ResponseKind::Json)
        .search("\"already quoted\"");
    assert_eq!(request.url(), "https://graph.microsoft.com/v1.0?$search=%22already%20quoted%22");
}

#[test]
fn request_can_be_inspected_without_sending() {
    let client = Client::with_token("https://graph.microsoft.com/beta/", "t");
    let path = RequestPath::root()
        .segment("deviceAppManagement")
        .segment("iosLobAppProvisioningConfigurations")
        .key("abc")
        .segment("groupAssignments");
    let request = Request::<Value>::new(&client, Method::POST, path, ResponseKind::Json)
        .json_body(&json!({"targetGroupId": "g"}))
        .header("Prefer", "return=minimal")
        .count(true)
        .count(false);

    assert_eq!(client.base_url(), "https://graph.microsoft.com/beta");
    assert_eq!(request.method(), Method::POST);
    assert_eq!(request.path(), "/deviceAppManagement/iosLobAppProvisioningConfigurations/abc/groupAssignments");
    assert_eq!(
        request.url(),
        "https://graph.microsoft.com/beta/deviceAppManagement/iosLobAppProvisioningConfigurations/abc/groupAssignments"
    );
    assert_eq!(request.body_json(), Some(&json!({"targetGroupId": "g"})));
    assert_eq!(request.headers(), [("Prefer".to_owned(), "return=minimal".to_owned())]);
}

#[test]
fn documented_headers_replace_earlier_values() {
    let client = Client::with_token("https://graph.microsoft.com/v1.0", "t");
    let request = Request::<Value>::new(&client, Method::GET, RequestPath::root().segment("users"), ResponseKind::Json)
        .header("prefer", "odata.maxpagesize=5")
        .prefer("return=minimal")
        .consistency_level_eventual()
        .consistency_level_eventual()
        .if_match("W/\"etag-1\"")
        .count(true);
    let headers: Vec<(&str, &str)> = request.headers().iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    assert_eq!(headers, [("Prefer", "return=minimal"), ("ConsistencyLevel", "eventual"), ("If-Match", "W/\"etag-1\"")]);
}
