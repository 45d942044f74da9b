//! Large file upload: chunked PUTs with Content-Range to the session's
//! upload URL (never with the token), resumed from nextExpectedRanges
//! after a dropped chunk, with progress reported.

mod common;

use std::io::Cursor;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use graph_runtime::{Error, LargeFileUpload, UPLOAD_CHUNK_UNIT, UploadProgress, cancel_upload};
use serde::Deserialize;
use serde_json::json;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const UNIT: usize = UPLOAD_CHUNK_UNIT as usize;

/// A file of three and a bit chunks of one unit each.
fn file() -> Vec<u8> {
    (0..3 * UNIT + 1000).map(|i| (i % 251) as u8).collect()
}

#[derive(Debug, Deserialize, PartialEq)]
struct DriveItem {
    id: String,
    size: u64,
}

/// An upload session as OneDrive runs it: ranges must come in order, each
/// but the last a multiple of 320 KiB; the last one creates the item.
#[derive(Clone, Default)]
struct Session(Arc<Mutex<State>>);

#[derive(Default)]
struct State {
    data: Vec<u8>,
    puts: usize,
    /// The PUT (counted from 1) whose bytes are kept but whose answer is a 500.
    lose_answer_of_put: Option<usize>,
    log: Vec<String>,
    saw_authorization: bool,
}

impl Session {
    fn with_data(data: &[u8]) -> Session {
        let session = Session::default();
        session.0.lock().unwrap().data = data.to_vec();
        session
    }

    fn losing_answer_of_put(put: usize) -> Session {
        let session = Session::default();
        session.0.lock().unwrap().lose_answer_of_put = Some(put);
        session
    }

    fn log(&self) -> Vec<String> {
        self.0.lock().unwrap().log.clone()
    }

    fn data(&self) -> Vec<u8> {
        self.0.lock().unwrap().data.clone()
    }

    fn saw_authorization(&self) -> bool {
        self.0.lock().unwrap().saw_authorization
    }

    async fn serve(&self) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any()).respond_with(self.clone()).mount(&server).await;
        server
    }
}

fn next_expected(received: usize) -> serde_json::Value {
    json!({"expirationDateTime": "2030-01-01T00:00:00Z", "nextExpectedRanges": [format!("{received}-")]})
}

impl Respond for Session {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.0.lock().unwrap();
        state.saw_authorization |= request.headers.contains_key("authorization");
        match request.method.as_str() {
            "GET" => {
                state.log.push("GET".to_owned());
                ResponseTemplate::new(200).set_body_json(next_expected(state.data.len()))
            }
            "DELETE" => {
                state.log.push("DELETE".to_owned());
                ResponseTemplate::new(204)
            }
            "PUT" => {
                state.puts += 1;
                let range = request.headers.get("content-range").and_then(|v| v.to_str().ok()).unwrap_or("");
                state.log.push(format!("PUT {range}"));
                let Some((start, end, total)) = parse_content_range(range) else {
                    return ResponseTemplate::new(400);
                };
                if start != state.data.len() {
                    return ResponseTemplate::new(416);
                }
                let length = end + 1 - start;
                if request.body.len() != length || (end + 1 != total && length % UNIT != 0) {
                    return ResponseTemplate::new(400);
                }
                state.data.extend_from_slice(&request.body);
                if state.lose_answer_of_put == Some(state.puts) {
                    return ResponseTemplate::new(500);
                }
                if state.data.len() == total {
                    return ResponseTemplate::new(201).set_body_json(json!({"id": "item-1", "size": total}));
                }
                ResponseTemplate::new(202).set_body_json(next_expected(state.data.len()))
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

/// `bytes a-b/total`.
fn parse_content_range(range: &str) -> Option<(usize, usize, usize)> {
    let (span, total) = range.strip_prefix("bytes ")?.split_once('/')?;
    let (start, end) = span.split_once('-')?;
    Some((start.parse().ok()?, end.parse().ok()?, total.parse().ok()?))
}

fn upload(graph: &MockServer, upload_host: &MockServer, data: Vec<u8>) -> LargeFileUpload<Cursor<Vec<u8>>> {
    let upload_url = format!("{}/up/session-1?tempauth=session-credential", upload_host.uri());
    LargeFileUpload::new(&common::client(graph), upload_url, Cursor::new(data)).chunk_size(UPLOAD_CHUNK_UNIT)
}

fn puts(from: &[usize]) -> Vec<String> {
    let total = file().len();
    from.iter().map(|&start| format!("PUT bytes {start}-{}/{total}", (start + UNIT).min(total) - 1)).collect()
}

#[tokio::test]
async fn uploads_in_chunks_with_content_range_and_never_the_token() {
    let graph = MockServer::start().await;
    let session = Session::default();
    let upload_host = session.serve().await;
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&progress);

    let item: DriveItem = upload(&graph, &upload_host, file())
        .on_progress(move |p: UploadProgress| seen.lock().unwrap().push(p.uploaded))
        .send()
        .await
        .unwrap();

    let total = file().len();
    assert_eq!(item, DriveItem { id: "item-1".to_owned(), size: total as u64 });
    assert_eq!(session.data(), file());
    assert_eq!(session.log(), puts(&[0, UNIT, 2 * UNIT, 3 * UNIT]));
    assert_eq!(*progress.lock().unwrap(), [UNIT as u64, 2 * UNIT as u64, 3 * UNIT as u64, total as u64]);
    assert!(!session.saw_authorization(), "the Graph token went to the upload URL");
    assert!(graph.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_dropped_chunk_is_sent_again_from_the_next_expected_range() {
    let graph = MockServer::start().await;
    let session = Session::default();
    let upload_host = MockServer::start().await;
    // The connection breaks during the second chunk, once.
    let second = format!("bytes {UNIT}-{}/{}", 2 * UNIT - 1, file().len());
    Mock::given(method("PUT"))
        .and(header("content-range", second.as_str()))
        .respond_with_err(|_: &Request| std::io::Error::new(std::io::ErrorKind::ConnectionReset, "dropped"))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&upload_host)
        .await;
    Mock::given(wiremock::matchers::any()).respond_with(session.clone()).mount(&upload_host).await;

    let item: DriveItem = upload(&graph, &upload_host, file()).send().await.unwrap();

    assert_eq!(item.id, "item-1");
    assert_eq!(session.data(), file());
    let mut expected = puts(&[0]);
    expected.push("GET".to_owned());
    expected.extend(puts(&[UNIT, 2 * UNIT, 3 * UNIT]));
    assert_eq!(session.log(), expected);
}

#[tokio::test]
async fn a_chunk_whose_answer_was_lost_is_not_sent_again() {
    let graph = MockServer::start().await;
    let session = Session::losing_answer_of_put(2);
    let upload_host = session.serve().await;

    let item: DriveItem = upload(&graph, &upload_host, file()).send().await.unwrap();

    assert_eq!(item.id, "item-1");
    assert_eq!(session.data(), file());
    let mut expected = puts(&[0, UNIT]);
    expected.push("GET".to_owned());
    expected.extend(puts(&[2 * UNIT, 3 * UNIT]));
    assert_eq!(session.log(), expected);
}

#[tokio::test]
async fn an_upload_resumes_from_the_sessions_next_expected_ranges() {
    let graph = MockServer::start().await;
    let session = Session::with_data(&file()[..2 * UNIT]);
    let upload_host = session.serve().await;

    let item: DriveItem =
        upload(&graph, &upload_host, file()).next_expected_ranges([format!("{}-", 2 * UNIT)]).send().await.unwrap();

    assert_eq!(item.id, "item-1");
    assert_eq!(session.log(), puts(&[2 * UNIT, 3 * UNIT]));
    assert_eq!(session.data(), file());
}

#[tokio::test]
async fn an_upload_restarted_without_its_ranges_resumes_after_one_refused_chunk() {
    let graph = MockServer::start().await;
    let session = Session::with_data(&file()[..2 * UNIT]);
    let upload_host = session.serve().await;

    let item: DriveItem = upload(&graph, &upload_host, file()).send().await.unwrap();

    assert_eq!(item.id, "item-1");
    let mut expected = puts(&[0]);
    expected.push("GET".to_owned());
    expected.extend(puts(&[2 * UNIT, 3 * UNIT]));
    assert_eq!(session.log(), expected);
    assert_eq!(session.data(), file());
}

#[tokio::test]
async fn a_session_that_keeps_failing_gives_up_after_the_retry_policy() {
    let graph = MockServer::start().await;
    let upload_host = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ResponseTemplate::new(500)).expect(4).mount(&upload_host).await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(500)).expect(3).mount(&upload_host).await;

    let err = upload(&graph, &upload_host, file()).send::<DriveItem>().await.unwrap_err();

    assert_eq!(err.status(), Some(500));
}

#[tokio::test]
async fn a_session_that_never_moves_on_is_an_error_not_a_loop() {
    let graph = MockServer::start().await;
    let upload_host = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(202).set_body_json(next_expected(0)))
        .expect(4)
        .mount(&upload_host)
        .await;

    let sent = tokio::time::timeout(Duration::from_secs(5), upload(&graph, &upload_host, file()).send::<DriveItem>());

    let err = sent.await.expect("the upload went on forever").unwrap_err();
    assert!(matches!(&err, Error::UnexpectedResponse(m) if m.contains("keeps expecting byte 0")), "{err:?}");
}

#[tokio::test]
async fn an_empty_file_is_refused_and_nothing_is_sent() {
    let graph = MockServer::start().await;
    let session = Session::default();
    let upload_host = session.serve().await;

    let err = upload(&graph, &upload_host, Vec::new()).send::<DriveItem>().await.unwrap_err();

    assert!(matches!(&err, Error::InvalidRequest(m) if m.contains("empty")), "{err:?}");
    assert!(upload_host.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_chunk_size_off_the_320_kib_grid_is_refused_and_nothing_is_sent() {
    let graph = MockServer::start().await;
    let session = Session::default();
    let upload_host = session.serve().await;

    for size in [0, 1_000_000, 200 * UPLOAD_CHUNK_UNIT] {
        let err = upload(&graph, &upload_host, file()).chunk_size(size).send::<DriveItem>().await.unwrap_err();
        assert!(matches!(&err, Error::InvalidRequest(m) if m.contains("320 KiB")), "{size}: {err:?}");
    }
    assert!(upload_host.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn cancelling_deletes_the_session_without_the_token() {
    let graph = MockServer::start().await;
    let session = Session::default();
    let upload_host = session.serve().await;

    cancel_upload(&common::client(&graph), &format!("{}/up/session-1", upload_host.uri())).await.unwrap();

    assert_eq!(session.log(), ["DELETE"]);
    assert!(!session.saw_authorization());
}

#[test]
fn the_upload_url_stays_out_of_debug_output() {
    let client = graph_runtime::Client::with_token("https://graph.example/v1.0", "t");
    let upload = LargeFileUpload::new(&client, "https://up.example/x?tempauth=credential", Cursor::new(file()));
    assert!(!format!("{upload:?}").contains("credential"));
}
