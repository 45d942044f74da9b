//! The shared client: base URL, credentials, retry policy and the HTTP stack.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use reqwest::header::HeaderValue;

use crate::error::Error;
use crate::hook::RequestHook;

/// The error type a [`TokenProvider`] may return.
///
/// Boxed so that any credential library's error fits without this crate
/// knowing about it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A source of bearer tokens: plug in azure-identity, MSAL or your own.
///
/// The client asks for a token before *every* attempt (including retries),
/// so the provider decides about caching and refreshing; a long retry
/// sequence then never sends a token that expired while it waited.
///
/// Any `Fn() -> impl Future<Output = Result<String, BoxError>>` closure is a
/// provider too.
pub trait TokenProvider: Send + Sync {
    /// Returns a bearer token, without the `Bearer ` prefix.
    fn token(&self) -> BoxFuture<'_, Result<String, BoxError>>;
}

impl<F, Fut> TokenProvider for F
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<String, BoxError>> + Send + 'static,
{
    fn token(&self) -> BoxFuture<'_, Result<String, BoxError>> {
        Box::pin(self())
    }
}

/// When and how often a request is tried again.
///
/// Graph throttles with 429 and sheds load with 503/504, usually with a
/// `Retry-After` header; retrying those is what Microsoft asks clients to do.
/// Only requests that are safe to repeat are retried (see
/// [`Request::idempotent`](crate::Request::idempotent)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first one included; `0` behaves like `1`.
    pub max_attempts: u32,
    /// Wait before the second attempt when the server gives no
    /// `Retry-After`; doubled for each further attempt.
    pub base_delay: Duration,
    /// Upper bound for any wait, `Retry-After` included, so a hostile or
    /// confused server cannot park the caller for hours.
    pub max_delay: Duration,
    /// Retry POST and PATCH too. Off by default because repeating them can
    /// create duplicates; prefer [`Request::idempotent`](crate::Request::idempotent)
    /// for the individual operations known to be safe.
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries: for callers that do their own.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }
}

/// How requests are authenticated.
enum Auth {
    /// No `Authorization` header (a proxy adds it, or a test server).
    None,
    /// A fixed header value, marked sensitive so `http` never prints it.
    Static(HeaderValue),
    /// The static token could not be a header value; reported on each send
    /// rather than at build time so `build()` stays infallible.
    InvalidStatic,
    Provider(Box<dyn TokenProvider>),
}

struct Inner {
    base_url: String,
    http: reqwest::Client,
    auth: Auth,
    retry: RetryPolicy,
    hooks: Vec<Box<dyn RequestHook>>,
}

/// The entry point of the SDK: where requests go and how they authenticate.
///
/// Cheap to clone (an `Arc` inside), so every request and stream holds its
/// own handle and nothing borrows from the caller. Its `Debug` output names
/// the kind of credential but never the token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl Client {
    /// Starts configuring a client for `base_url`, e.g.
    /// `"https://graph.microsoft.com/beta"`. A trailing `/` is trimmed so
    /// request paths (which start with `/`) join cleanly.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            http: None,
            auth: Auth::None,
            retry: RetryPolicy::default(),
            hooks: Vec::new(),
        }
    }

    /// A client with a fixed bearer token and default settings: the
    /// shortest path for scripts and tests.
    pub fn with_token(base_url: impl Into<String>, token: impl Into<String>) -> Client {
        Client::builder(base_url).bearer_token(token).build()
    }

    /// The base URL every request path is appended to, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The retry policy requests made with this client follow.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn hooks(&self) -> &[Box<dyn RequestHook>] {
        &self.inner.hooks
    }

    /// The `Authorization` header value for one attempt, if any.
    pub(crate) async fn authorization(&self) -> Result<Option<HeaderValue>, Error> {
        match &self.inner.auth {
            Auth::None => Ok(None),
            Auth::Static(value) => Ok(Some(value.clone())),
            Auth::InvalidStatic => Err(Error::Auth(INVALID_TOKEN.into())),
            Auth::Provider(provider) => {
                let token = provider.token().await.map_err(Error::Auth)?;
                bearer(&token).map(Some).ok_or_else(|| Error::Auth(INVALID_TOKEN.into()))
            }
        }
    }
}

const INVALID_TOKEN: &str = "the bearer token contains characters that are not allowed in an HTTP header";

/// `Bearer <token>` as a header value that `http` will not print.
fn bearer(token: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.inner.auth {
            Auth::None => "none",
            Auth::Static(_) | Auth::InvalidStatic => "bearer token (redacted)",
            Auth::Provider(_) => "token provider",
        };
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &auth)
            .field("retry", &self.inner.retry)
            .field("hooks", &self.inner.hooks.len())
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]; every setting has a default, so `build()` is
/// infallible.
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    http: Option<reqwest::Client>,
    auth: Auth,
    retry: RetryPolicy,
    hooks: Vec<Box<dyn RequestHook>>,
}

impl ClientBuilder {
    /// Authenticates every request with this fixed token (without the
    /// `Bearer ` prefix). Replaces any token provider.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.auth = match bearer(&token.into()) {
            Some(value) => Auth::Static(value),
            None => Auth::InvalidStatic,
        };
        self
    }

    /// Authenticates with tokens from `provider`, asked once per attempt.
    /// Replaces any fixed token.
    pub fn token_provider(mut self, provider: impl TokenProvider + 'static) -> Self {
        self.auth = Auth::Provider(Box::new(provider));
        self
    }

    /// Authenticates with tokens from an azure_core `TokenCredential` (one
    /// of azure_identity's), for the Graph scope of this builder's base URL
    /// and cached until shortly before they expire: see
    /// [`AzureTokenProvider`](crate::azure::AzureTokenProvider). Replaces any
    /// fixed token or provider. A base URL no scope can be derived from
    /// makes every request fail with [`Error::Auth`].
    #[cfg(feature = "azure")]
    pub fn azure_credential(self, credential: Arc<dyn azure_core::credentials::TokenCredential>) -> Self {
        match crate::azure::AzureTokenProvider::new(credential, &self.base_url) {
            Ok(provider) => self.token_provider(provider),
            Err(e) => {
                let reason = e.to_string();
                self.token_provider(move || {
                    let reason = reason.clone();
                    async move { Err::<String, BoxError>(reason.into()) }
                })
            }
        }
    }

    /// Replaces the default [`RetryPolicy`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Adds a [`RequestHook`], run before each attempt of every request
    /// (after the hooks added before it) and after each answer.
    pub fn hook(mut self, hook: impl RequestHook + 'static) -> Self {
        self.hooks.push(Box::new(hook));
        self
    }

    /// Uses your own `reqwest` client, e.g. for proxies, timeouts or a
    /// shared connection pool.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Finishes the client.
    pub fn build(self) -> Client {
        let http = self.http.unwrap_or_else(default_http_client);
        Client {
            inner: Arc::new(Inner {
                base_url: self.base_url.trim_end_matches('/').to_owned(),
                http,
                auth: self.auth,
                retry: self.retry,
                hooks: self.hooks,
            }),
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("retry", &self.retry)
            .field("hooks", &self.hooks.len())
            .finish_non_exhaustive()
    }
}

/// A user agent naming this crate, and a connect timeout so a dead host
/// fails (and can be retried) instead of hanging. No overall timeout: a
/// large download may legitimately take long.
fn default_http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("graph-runtime/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_default()
}
