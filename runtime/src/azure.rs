//! Tokens from any azure_core [`TokenCredential`]: azure_identity's client
//! secret, certificate, managed identity, workload identity, Azure CLI and
//! developer tools credentials, or your own.

use std::fmt;
use std::sync::Arc;

use azure_core::credentials::{Secret, TokenCredential};
use azure_core::time::{Duration, OffsetDateTime};
use futures::future::BoxFuture;
use futures::lock::Mutex;

pub use azure_core;

use crate::client::{BoxError, TokenProvider};
use crate::error::Error;

/// How long before expiry a token is replaced, at most: azure_core's own
/// margin, so a token is never sent in its last minutes (clock skew, a
/// long retry sequence).
const REFRESH_MARGIN: Duration = Duration::minutes(5);

/// A [`TokenProvider`] backed by a [`TokenCredential`], asking for the
/// Graph scope of the client's base URL.
///
/// The token is cached until shortly before it expires (five minutes, or
/// half its lifetime if that is shorter), then fetched once: requests that
/// need a token while it is being fetched wait for that one fetch. No
/// OAuth flow here: the credential does it. The token is never logged and
/// never in `Debug` output.
///
/// ```no_run
/// # async fn run(credential: std::sync::Arc<dyn graph_runtime::azure::azure_core::credentials::TokenCredential>) {
/// // let credential = azure_identity::DeveloperToolsCredential::new(None)?;
/// let client = graph_runtime::Client::builder("https://graph.microsoft.com/v1.0")
///     .azure_credential(credential)
///     .build();
/// # }
/// ```
pub struct AzureTokenProvider {
    credential: Arc<dyn TokenCredential>,
    scopes: Vec<String>,
    cache: Mutex<Option<CachedToken>>,
}

struct CachedToken {
    token: Secret,
    refresh_at: OffsetDateTime,
}

impl AzureTokenProvider {
    /// Tokens for Graph at `base_url`: the scope is its origin and
    /// `/.default` (`https://graph.microsoft.com/.default`, and the same for
    /// national clouds: `https://graph.microsoft.us/.default`,
    /// `https://microsoftgraph.chinacloudapi.cn/.default`).
    pub fn new(credential: Arc<dyn TokenCredential>, base_url: &str) -> Result<Self, Error> {
        Ok(Self::with_scopes(credential, [graph_scope(base_url)?]))
    }

    /// Tokens for other scopes than the base URL's `.default`.
    pub fn with_scopes<I, S>(credential: Arc<dyn TokenCredential>, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        AzureTokenProvider { credential, scopes: scopes.into_iter().map(Into::into).collect(), cache: Mutex::new(None) }
    }

    /// The scopes tokens are asked for.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    async fn cached_or_fetched(&self) -> Result<String, BoxError> {
        // Held across the fetch: concurrent callers wait for it instead of
        // fetching too.
        let mut cache = self.cache.lock().await;
        let now = OffsetDateTime::now_utc();
        if let Some(cached) = cache.as_ref().filter(|cached| now < cached.refresh_at) {
            return Ok(cached.token.secret().to_owned());
        }
        let scopes: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
        let fetched = self.credential.get_token(&scopes, None).await.map_err(|e| Box::new(e) as BoxError)?;
        let token = fetched.token.secret().to_owned();
        *cache = Some(CachedToken { token: fetched.token, refresh_at: refresh_at(now, fetched.expires_on) });
        Ok(token)
    }
}

/// When a token fetched at `now` that expires at `expires_on` is replaced:
/// [`REFRESH_MARGIN`] before expiry, or halfway for a shorter-lived token
/// (so it is used at all); at once for one already expired.
fn refresh_at(now: OffsetDateTime, expires_on: OffsetDateTime) -> OffsetDateTime {
    let lifetime = expires_on - now;
    if lifetime <= Duration::ZERO {
        return now;
    }
    let half: Duration = lifetime / 2;
    expires_on - half.min(REFRESH_MARGIN)
}

impl TokenProvider for AzureTokenProvider {
    fn token(&self) -> BoxFuture<'_, Result<String, BoxError>> {
        Box::pin(self.cached_or_fetched())
    }
}

impl fmt::Debug for AzureTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureTokenProvider").field("scopes", &self.scopes).finish_non_exhaustive()
    }
}

/// `<origin of base_url>/.default`.
pub fn graph_scope(base_url: &str) -> Result<String, Error> {
    let url = reqwest::Url::parse(base_url)
        .map_err(|e| Error::InvalidRequest(format!("base URL `{base_url}` is not valid: {e}")))?;
    if url.host_str().is_none() {
        return Err(Error::InvalidRequest(format!("base URL `{base_url}` has no host to derive a scope from")));
    }
    Ok(format!("{}/.default", url.origin().ascii_serialization()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_replaced_five_minutes_before_expiry_or_halfway() {
        let now = OffsetDateTime::now_utc();
        let hour = now + Duration::hours(1);
        assert_eq!(refresh_at(now, hour), hour - Duration::minutes(5));
        let four_minutes = now + Duration::minutes(4);
        assert_eq!(refresh_at(now, four_minutes), now + Duration::minutes(2));
        assert_eq!(refresh_at(now, now - Duration::seconds(1)), now);
    }

    #[test]
    fn the_scope_is_the_origin_of_the_base_url() {
        let scope = |url| graph_scope(url).unwrap();
        assert_eq!(scope("https://graph.microsoft.com/v1.0"), "https://graph.microsoft.com/.default");
        assert_eq!(scope("https://graph.microsoft.us/beta/"), "https://graph.microsoft.us/.default");
        assert_eq!(scope("https://dod-graph.microsoft.us/v1.0"), "https://dod-graph.microsoft.us/.default");
        assert_eq!(
            scope("https://microsoftgraph.chinacloudapi.cn/v1.0"),
            "https://microsoftgraph.chinacloudapi.cn/.default"
        );
        assert_eq!(scope("http://127.0.0.1:8080/v1.0"), "http://127.0.0.1:8080/.default");
        assert!(graph_scope("not a url").is_err());
    }
}
