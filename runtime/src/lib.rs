//! HTTP support for the generated Microsoft Graph SDK.
//!
//! The generated crate is thin: each builder holds an [`Endpoint`] (a
//! client and a [`RequestPath`]) and each operation asks it for a [`Request`]
//! with a [`Method`] and a [`ResponseKind`]. Everything every operation
//! needs lives here, once:
//!
//! - [`Client`]: base URL, bearer token or [`TokenProvider`] (with the
//!   `azure` feature, any azure_core `TokenCredential`: [`azure`]),
//!   [`RetryPolicy`], [`RequestHook`]s for custom headers.
//! - [`Endpoint`]: what a builder holds; one call per builder method.
//! - [`RequestPath`]: paths built a segment at a time, so ids are always
//!   encoded as exactly one segment.
//! - [`Request`]: OData query options, headers, bodies, retries on
//!   throttling (429/503/504, honouring `Retry-After`), decoding with the
//!   failing JSON path in the error, paging via [`Request::items`], delta
//!   queries via [`Request::delta`] and [`Request::from_delta_link`], and
//!   long-running operations via [`Request::send_long_running`].
//! - [`Batch`]: up to 20 requests in one `$batch`, each answer typed.
//! - [`LargeFileUpload`]: chunked, resumable upload to an upload session.
//! - [`Error`]: transport, status (with Graph's error body), decode,
//!   serialise and auth failures. No error or `Debug` output contains the
//!   token.
//! - Tracing: a DEBUG `graph_request` span per attempt (method, path
//!   template, attempt, status, duration), never tokens, ids or bodies.
//! - [`testing`]: the assertions the generated tests call; with the
//!   `testing` feature, the local server of their contract tests.
//!
//! ```no_run
//! use futures::StreamExt;
//! use graph_runtime::{Client, Method, Page, Request, RequestPath, ResponseKind};
//!
//! #[derive(serde::Deserialize)]
//! struct User {
//!     id: String,
//!     #[serde(rename = "displayName")]
//!     display_name: Option<String>,
//! }
//!
//! # async fn run() -> Result<(), graph_runtime::Error> {
//! let client = Client::with_token("https://graph.microsoft.com/v1.0", "<token>");
//!
//! // GET /users/{id}
//! let path = RequestPath::root().segment("users").key("adele@contoso.com");
//! let user: User = Request::new(&client, Method::GET, path, ResponseKind::Json)
//!     .select(&["id", "displayName"])
//!     .send()
//!     .await?;
//! println!("{} {:?}", user.id, user.display_name);
//!
//! // GET /users?$filter=…, every page
//! let path = RequestPath::root().segment("users");
//! let mut users = Request::<Page<User>>::new(&client, Method::GET, path, ResponseKind::Json)
//!     .filter("startswith(displayName,'A')")
//!     .top(100)
//!     .items();
//! while let Some(user) = users.next().await {
//!     println!("{}", user?.id);
//! }
//! # Ok(())
//! # }
//! ```

#[cfg(feature = "azure")]
pub mod azure;
mod batch;
mod client;
mod decode;
mod delta;
mod endpoint;
mod error;
mod hook;
mod model;
mod object;
mod operation;
mod path;
mod request;
mod string_enum;
pub mod testing;
mod transport;
mod upload;
mod values;

pub use reqwest::{Method, StatusCode, header};

pub use batch::{Batch, BatchId, BatchItem, BatchResponses, MAX_BATCH_ITEMS};
pub use client::{BoxError, Client, ClientBuilder, RetryPolicy, TokenProvider};
pub use decode::decode_variant;
pub use delta::Delta;
pub use endpoint::Endpoint;
pub use error::{Error, GraphError, InnerError};
pub use hook::{RequestHook, RequestInfo};
pub use model::{Binary, Flags, Page, Reference, ValueWrapper};
pub use object::Object;
pub use operation::{Operation, OperationState, OperationStatus, Polling};
pub use path::{FunctionArg, RequestPath};
pub use request::{Request, ResponseKind};
pub use upload::{LargeFileUpload, UPLOAD_CHUNK_UNIT, UploadProgress, cancel_upload};
pub use values::{Base64, Date, DateTimeOffset, Double, Duration, Guid, Int64, Nullable, TimeOfDay, ValueError};
