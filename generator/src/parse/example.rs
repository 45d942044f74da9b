//! Example blocks: an HTTP request (`POST https://…` + headers + body) or an
//! HTTP response (`HTTP/1.1 201 Created` + headers + body), recognised by
//! their first line whether or not they carry an annotation.

use crate::ir::{Body, Method};
use crate::parse::lenient_json;

#[derive(Debug, Clone, PartialEq)]
pub struct RawRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Request(RawRequest),
    Response(RawResponse),
}

/// Classifies a fenced block by its first non-blank line. `info` is the fence
/// info string: a few pages put the request line there (```` ```http GET /x ````).
pub fn classify(info: &str, text: &str) -> Option<Message> {
    let from_info = info.split_once(char::is_whitespace).map(|(_, rest)| rest.trim()).filter(|r| !r.is_empty());
    let mut lines: Vec<&str> = text.lines().collect();
    if let Some(first) = from_info {
        lines.insert(0, first);
    }
    let start = lines.iter().position(|l| !l.trim().is_empty())?;
    let first = lines[start].trim();
    let rest = &lines[start + 1..];
    if let Some(status) = status_code(first) {
        let (headers, body) = headers_and_body(rest);
        return Some(Message::Response(RawResponse { status, headers, body: read_body(&body) }));
    }
    let (word, url) = first.split_once(char::is_whitespace)?;
    let method = Method::parse(word)?;
    let url = url.trim();
    let url = url.strip_suffix("HTTP/1.1").unwrap_or(url).trim().to_string();
    let (headers, body) = headers_and_body(rest);
    Some(Message::Request(RawRequest { method, url, headers, body: read_body(&body) }))
}

/// `HTTP/1.1 200 OK`, `HTTP/1.1 204`, `HTTP 200`.
fn status_code(line: &str) -> Option<u16> {
    let rest = line.strip_prefix("HTTP")?;
    let rest =
        rest.strip_prefix('/').map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')).unwrap_or(rest);
    let code = rest.trim_start().get(..3)?;
    code.parse().ok().filter(|c| (100..600).contains(c))
}

fn is_header(line: &str) -> bool {
    let Some((name, _)) = line.split_once(':') else {
        return false;
    };
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && line[name.len() + 1..].starts_with([' ', '\t'])
}

/// Headers run from the first line (after optional blank lines) until a
/// blank line or the first line that is not `Name: value`; the rest is body.
fn headers_and_body(lines: &[&str]) -> (Vec<(String, String)>, String) {
    let mut i = 0;
    while i < lines.len() && lines[i].trim().is_empty() {
        i += 1;
    }
    let mut headers = Vec::new();
    while i < lines.len() && is_header(lines[i].trim()) {
        let (name, value) = lines[i].trim().split_once(':').unwrap_or_default();
        headers.push((name.trim().to_string(), value.trim().to_string()));
        i += 1;
    }
    let body = lines[i.min(lines.len())..].join("\n");
    (headers, body.trim().to_string())
}

/// Reads a body as JSON (leniently) when it looks like JSON, else keeps it as text.
pub fn read_body(text: &str) -> Body {
    let text = text.trim();
    if text.is_empty() {
        return Body::None;
    }
    if !(text.starts_with('{') || text.starts_with('[')) {
        return Body::Text { text: text.to_string() };
    }
    match lenient_json::parse(text) {
        Ok((value, repairs)) => Body::Json { value, repairs },
        Err(error) => Body::Invalid { text: text.to_string(), error },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_with_headers_and_json_body() {
        let Some(Message::Request(request)) = classify(
            "http",
            "PATCH https://graph.microsoft.com/beta/x\nContent-type: application/json\n\n{\"a\": 1}\n",
        ) else {
            panic!("expected a request")
        };
        assert_eq!(request.method, Method::Patch);
        assert_eq!(request.url, "https://graph.microsoft.com/beta/x");
        assert_eq!(request.headers, vec![("Content-type".into(), "application/json".into())]);
        assert_eq!(request.body, Body::Json { value: json!({"a": 1}), repairs: vec![] });
    }

    #[test]
    fn response_with_blank_line_before_headers_and_none_after() {
        let text = "HTTP/1.1 200 OK\n\nContent-Type: application/json\n{\n  \"id\": \"1\"\n}\n";
        let Some(Message::Response(response)) = classify("http", text) else { panic!("expected a response") };
        assert_eq!(response.status, 200);
        assert_eq!(response.headers.len(), 1);
        assert_eq!(response.body, Body::Json { value: json!({"id": "1"}), repairs: vec![] });
    }

    #[test]
    fn status_line_variants() {
        assert_eq!(status_code("HTTP/1.1 204 No content"), Some(204));
        assert_eq!(status_code("HTTP 200"), Some(200));
        assert_eq!(status_code("HTTP/1.1 201"), Some(201));
        assert_eq!(status_code("HTTPS"), None);
    }

    #[test]
    fn request_line_in_the_fence_info() {
        let Some(Message::Request(request)) = classify("http GET /education/schools", "") else {
            panic!("expected a request")
        };
        assert_eq!(request.url, "/education/schools");
    }

    #[test]
    fn vcard_lines_are_body_not_headers() {
        let Some(Message::Response(response)) = classify("http", "HTTP/1.1 200 OK\n\nBEGIN:VCARD\nEND:VCARD") else {
            panic!("expected a response")
        };
        assert!(response.headers.is_empty());
        assert!(matches!(response.body, Body::Text { .. }));
    }

    #[test]
    fn other_blocks_are_not_examples() {
        assert_eq!(classify("json", "{\"a\": 1}"), None);
        assert_eq!(classify("csharp", "var x = 1;"), None);
    }
}
