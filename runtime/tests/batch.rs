//! JSON batching: requests go in one `$batch`, each answer comes back as
//! its own request's type, throttled items are retried, large batches are
//! split, and bad batches are refused before anything is sent.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use graph_runtime::{
    Batch, Binary, Client, Error, MAX_BATCH_ITEMS, Method, Page, Request, RequestPath, ResponseKind, RetryPolicy,
};
use serde::Deserialize;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Debug, Deserialize, PartialEq)]
struct User {
    id: String,
}

/// The answer to one item in one round (counted from 1).
type Answerer = dyn Fn(usize, &Value) -> Value + Send + Sync;

/// Answers each item of every `$batch` with its [`Answerer`], and keeps
/// the request bodies.
#[derive(Clone)]
struct BatchServer {
    bodies: Arc<Mutex<Vec<Value>>>,
    answer: Arc<Answerer>,
}

impl BatchServer {
    async fn start(answer: impl Fn(usize, &Value) -> Value + Send + Sync + 'static) -> (MockServer, BatchServer) {
        let server = MockServer::start().await;
        let batch = BatchServer { bodies: Arc::default(), answer: Arc::new(answer) };
        Mock::given(method("POST")).and(path("/v1.0/$batch")).respond_with(batch.clone()).mount(&server).await;
        (server, batch)
    }

    fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }
}

impl wiremock::Respond for BatchServer {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let body: Value = request.body_json().unwrap();
        let round = {
            let mut bodies = self.bodies.lock().unwrap();
            bodies.push(body.clone());
            bodies.len()
        };
        // Answers in reverse order: matching is by id, not position.
        let responses: Vec<Value> = body["requests"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .map(|item| {
                let mut answer = (self.answer)(round, item);
                answer["id"] = item["id"].clone();
                answer
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "responses": responses }))
    }
}

fn ok(body: Value) -> Value {
    json!({"status": 200, "headers": {"Content-Type": "application/json"}, "body": body})
}

fn get<T>(client: &Client, path: RequestPath) -> Request<T> {
    Request::new(client, Method::GET, path, ResponseKind::Json)
}

fn user(client: &Client, id: &str) -> Request<User> {
    get(client, RequestPath::root().segment("users").key(id))
}

#[tokio::test]
async fn each_answer_comes_back_as_its_own_requests_type() {
    let (server, batch_server) = BatchServer::start(|_, item| match item["url"].as_str().unwrap() {
        "/me" => ok(json!({"id": "me-1"})),
        "/users?$top=2" => ok(json!({"value": [{"id": "a"}, {"id": "b"}], "@odata.nextLink": "https://x/next"})),
        "/users/gone" => {
            json!({"status": 404, "body": {"error": {"code": "Request_ResourceNotFound", "message": "no"}}})
        }
        "/me/photo/$value" => json!({"status": 200, "headers": {"Content-Type": "image/jpeg"}, "body": "AAEC/w=="}),
        "/users/u1" => json!({"status": 204}),
        other => panic!("unexpected item url {other}"),
    })
    .await;
    let client = common::client(&server);
    let mut batch = Batch::new(&client);
    let me = batch.add(get::<User>(&client, RequestPath::root().segment("me")).select(&[]));
    let page = batch.add(get::<Page<User>>(&client, RequestPath::root().segment("users")).top(2));
    let gone = batch.add(user(&client, "gone"));
    let photo = batch.add(Request::<Binary>::new(
        &client,
        Method::GET,
        RequestPath::root().segment("me").segment("photo").segment("$value"),
        ResponseKind::Bytes,
    ));
    let update = batch.add(
        Request::<()>::new(&client, Method::PATCH, RequestPath::root().segment("users").key("u1"), ResponseKind::Empty)
            .json_body(&json!({"displayName": "New"}))
            .if_match("W/\"1\""),
    );

    let mut answers = batch.send().await.unwrap();

    assert_eq!(answers.status(&gone), Some(404));
    assert_eq!(answers.take(me).unwrap(), User { id: "me-1".to_owned() });
    let page = answers.take(page).unwrap();
    assert_eq!(page.value, [User { id: "a".to_owned() }, User { id: "b".to_owned() }]);
    assert_eq!(page.next_link.as_deref(), Some("https://x/next"));
    let err = answers.take(gone).unwrap_err();
    assert_eq!(err.graph_error().unwrap().code, "Request_ResourceNotFound");
    assert_eq!(answers.take(photo).unwrap(), Binary(vec![0, 1, 2, 255]));
    answers.take(update).unwrap();

    let bodies = batch_server.bodies();
    assert_eq!(bodies.len(), 1);
    assert_eq!(
        bodies[0]["requests"][4],
        json!({
            "id": "5", "method": "PATCH", "url": "/users/u1",
            "headers": {"If-Match": "W/\"1\"", "Content-Type": "application/json"},
            "body": {"displayName": "New"}
        })
    );
    assert_eq!(bodies[0]["requests"][0], json!({"id": "1", "method": "GET", "url": "/me"}));
    let sent = &server.received_requests().await.unwrap()[0];
    assert_eq!(sent.headers["authorization"], format!("Bearer {}", common::TOKEN));
}

#[tokio::test]
async fn depends_on_is_sent_and_a_failed_dependency_answers_424() {
    let (server, batch_server) = BatchServer::start(|_, item| match item["id"].as_str().unwrap() {
        "1" => json!({"status": 403, "body": {"error": {"code": "Forbidden", "message": "no"}}}),
        _ => json!({"status": 424, "body": {"error": {"code": "FailedDependency", "message": "1 failed"}}}),
    })
    .await;
    let client = common::client(&server);
    let mut batch = Batch::new(&client);
    let first = batch.add(user(&client, "a"));
    let second = batch.add_after(user(&client, "b"), &[first.id()]);

    let mut answers = batch.send().await.unwrap();

    assert_eq!(batch_server.bodies()[0]["requests"][1]["dependsOn"], json!(["1"]));
    assert_eq!(answers.take(first).unwrap_err().status(), Some(403));
    assert_eq!(answers.take(second).unwrap_err().status(), Some(424));
}

#[tokio::test]
async fn throttled_items_are_retried_alone_after_their_retry_after() {
    // Round 1: item 2 is throttled, item 3 (after 2) fails its dependency,
    // item 4 (after 1) is throttled too. Round 2: all succeed.
    let (server, batch_server) = BatchServer::start(|round, item| {
        let id = item["id"].as_str().unwrap();
        match (round, id) {
            (1, "2" | "4") => {
                json!({"status": 429, "headers": {"Retry-After": "0"}, "body": {"error": {"code": "TooManyRequests"}}})
            }
            (1, "3") => json!({"status": 424}),
            _ => ok(json!({"id": format!("user-{id}")})),
        }
    })
    .await;
    // Backoff of a minute: only honouring Retry-After: 0 finishes in time.
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_secs(60),
        max_delay: Duration::from_secs(60),
        retry_non_idempotent: false,
    };
    let client = Client::builder(format!("{}/v1.0", server.uri())).retry_policy(policy).build();
    let mut batch = Batch::new(&client);
    let one = batch.add(user(&client, "1"));
    let two = batch.add(user(&client, "2"));
    let three = batch.add_after(user(&client, "3"), &[two.id()]);
    let four = batch.add_after(user(&client, "4"), &[one.id()]);

    let mut answers = tokio::time::timeout(Duration::from_secs(10), batch.send()).await.unwrap().unwrap();

    for (item, id) in [(one, "user-1"), (two, "user-2"), (three, "user-3"), (four, "user-4")] {
        assert_eq!(answers.take(item).unwrap().id, id);
    }
    let bodies = batch_server.bodies();
    assert_eq!(bodies.len(), 2);
    let retried = &bodies[1]["requests"];
    assert_eq!(retried.as_array().unwrap().len(), 3);
    assert_eq!(retried[0]["id"], "2");
    assert_eq!(retried[1], json!({"id": "3", "method": "GET", "url": "/users/3", "dependsOn": ["2"]}));
    // Its dependency succeeded in the first round: no dependsOn left.
    assert_eq!(retried[2], json!({"id": "4", "method": "GET", "url": "/users/4"}));
}

#[tokio::test]
async fn throttled_items_that_are_not_safe_to_repeat_keep_their_429() {
    let (server, batch_server) =
        BatchServer::start(|_, _| json!({"status": 429, "headers": {"Retry-After": "0"}})).await;
    let client = common::client(&server);
    let mut batch = Batch::new(&client);
    let create = batch.add(
        Request::<User>::new(&client, Method::POST, RequestPath::root().segment("users"), ResponseKind::Json)
            .json_body(&json!({"displayName": "A"})),
    );
    let read = batch.add(user(&client, "1"));

    let mut answers = batch.send().await.unwrap();

    assert_eq!(answers.take(create).unwrap_err().status(), Some(429));
    assert_eq!(answers.take(read).unwrap_err().status(), Some(429), "still throttled after every attempt");
    // Four attempts of the GET; the POST only in the first.
    let bodies = batch_server.bodies();
    assert_eq!(bodies.len(), 4);
    assert!(bodies[1..].iter().all(|b| b["requests"].as_array().unwrap().len() == 1 && b["requests"][0]["id"] == "2"));
}

#[tokio::test]
async fn more_than_twenty_requests_are_split_keeping_dependent_ones_together() {
    let (server, batch_server) = BatchServer::start(|_, item| ok(json!({"id": item["url"]}))).await;
    let client = common::client(&server);
    let mut batch = Batch::new(&client);
    let mut items = Vec::new();
    for i in 0..19 {
        items.push(batch.add(user(&client, &i.to_string())));
    }
    // Items 20 and 21 depend on each other: both go in the second call.
    let twenty = batch.add(user(&client, "19"));
    let twenty_one = batch.add_after(user(&client, "20"), &[twenty.id()]);
    items.push(twenty);
    items.push(twenty_one);
    for i in 21..45 {
        items.push(batch.add(user(&client, &i.to_string())));
    }

    let mut answers = batch.send().await.unwrap();

    for (i, item) in items.into_iter().enumerate() {
        assert_eq!(answers.take(item).unwrap().id, format!("/users/{i}"));
    }
    let sizes: Vec<usize> = batch_server.bodies().iter().map(|b| b["requests"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, [19, 20, 6]);
    assert!(sizes.iter().all(|&size| size <= MAX_BATCH_ITEMS));
    let second = &batch_server.bodies()[1]["requests"];
    assert_eq!((&second[0]["id"], &second[1]["dependsOn"]), (&json!("20"), &json!(["20"])));
}

#[tokio::test]
async fn a_failed_batch_call_is_every_items_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).expect(1).mount(&server).await;
    let client = common::client(&server);
    let mut batch = Batch::new(&client);
    let one = batch.add(user(&client, "1"));
    let two = batch.add(user(&client, "2"));

    let mut answers = batch.send().await.unwrap();

    for item in [one, two] {
        let err = answers.take(item).unwrap_err();
        assert!(matches!(&err, Error::Batch(inner) if inner.status() == Some(500)), "{err:?}");
    }
}

/// Bad batches: a clear error, and the server sees nothing.
async fn refused(server: &MockServer, batch: Batch, reason: &str) {
    let err = batch.send().await.unwrap_err();
    assert!(matches!(&err, Error::InvalidRequest(m) if m.contains(reason)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_empty_batch_is_refused_and_nothing_is_sent() {
    let server = MockServer::start().await;
    refused(&server, Batch::new(&common::client(&server)), "empty").await;
}

#[tokio::test]
async fn more_than_twenty_dependent_requests_are_refused_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let client = common::client(&server);
    let mut batch = Batch::new(&client);
    let mut previous = batch.add(user(&client, "0")).id();
    for i in 1..=MAX_BATCH_ITEMS {
        previous = batch.add_after(user(&client, &i.to_string()), &[previous]).id();
    }
    refused(&server, batch, "21 requests of the batch (items 1 to 21) depend on each other").await;
}

#[tokio::test]
async fn unsendable_requests_are_refused_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let client = common::client(&server);

    let mut batch = Batch::new(&client);
    let _ = batch.add(user(&client, "1"));
    let _ = batch.add(user(&client, ".."));
    refused(&server, batch, "item 2 of the batch").await;

    let elsewhere = Client::with_token("https://other.example/v1.0", "t");
    let mut batch = Batch::new(&client);
    let _ = batch.add(user(&elsewhere, "1"));
    refused(&server, batch, "built for `https://other.example/v1.0`").await;

    let mut other_batch = Batch::new(&client);
    let foreign = other_batch.add(user(&client, "1"));
    let mut batch = Batch::new(&client);
    let _ = batch.add_after(user(&client, "2"), &[foreign.id()]);
    refused(&server, batch, "another batch").await;
}
