//! Shared setup for the HTTP tests: a client aimed at a local mock server
//! with retries fast enough that tests never wait.
// Each test binary uses part of it.
#![allow(dead_code)]

use std::time::Duration;

use graph_runtime::{Client, RetryPolicy};
use wiremock::MockServer;

/// The fixed token the tests authenticate with; tests check it never leaks.
pub const TOKEN: &str = "secret-token-0123456789";

/// Retries with millisecond delays.
pub fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        retry_non_idempotent: false,
    }
}

/// A client for `server` with base URL `<server>/v1.0`, a static token and
/// four fast attempts.
pub fn client(server: &MockServer) -> Client {
    Client::builder(format!("{}/v1.0/", server.uri())).bearer_token(TOKEN).retry_policy(fast_retry(4)).build()
}
