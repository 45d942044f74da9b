//! What every generated request builder holds.

use crate::Method;
use crate::client::Client;
use crate::model::Binary;
use crate::path::{FunctionArg, RequestPath};
use crate::request::{Request, ResponseKind};

/// A client and a path below its base URL: the state of every generated
/// request builder.
///
/// Builders walk the URL one segment at a time (each method here appends
/// exactly one, like [`RequestPath`]'s) and end in a [`Request`] for one
/// operation. Keeping that here makes each generated builder method a single
/// call, which keeps the generated crate small to read, compile and generate.
#[derive(Debug, Clone)]
pub struct Endpoint {
    client: Client,
    path: RequestPath,
}

impl Endpoint {
    /// The service root of `client`.
    pub fn root(client: Client) -> Self {
        Endpoint { client, path: RequestPath::root() }
    }

    /// `path` below the base URL of `client`.
    pub fn new(client: Client, path: RequestPath) -> Self {
        Endpoint { client, path }
    }

    /// The client requests from here are sent with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The encoded path, starting with `/` unless it is the root.
    pub fn path(&self) -> &str {
        self.path.as_str()
    }

    /// See [`RequestPath::segment`].
    pub fn segment(&self, literal: &str) -> Self {
        self.with_path(self.path.segment(literal))
    }

    /// See [`RequestPath::key`].
    pub fn key(&self, value: &str) -> Self {
        self.with_path(self.path.key(value))
    }

    /// See [`RequestPath::address`].
    pub fn address(&self, item_path: &str) -> Self {
        self.with_path(self.path.address(item_path))
    }

    /// See [`RequestPath::function`].
    pub fn function(&self, name: &str, args: &[FunctionArg<'_>]) -> Self {
        self.with_path(self.path.function(name, args))
    }

    /// A request whose successful answer is a JSON document decoded as `T`.
    pub fn json<T>(&self, method: Method) -> Request<T> {
        self.request(method, ResponseKind::Json)
    }

    /// A request whose successful answer has no content.
    pub fn empty(&self, method: Method) -> Request<()> {
        self.request(method, ResponseKind::Empty)
    }

    /// A request whose successful answer is raw bytes.
    pub fn bytes(&self, method: Method) -> Request<Binary> {
        self.request(method, ResponseKind::Bytes)
    }

    /// A request for this path, decoded as `kind` says.
    pub fn request<T>(&self, method: Method, kind: ResponseKind) -> Request<T> {
        Request::new(&self.client, method, self.path.clone(), kind)
    }

    fn with_path(&self, path: RequestPath) -> Self {
        Endpoint { client: self.client.clone(), path }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> Endpoint {
        Endpoint::root(Client::with_token("https://graph.example/v1.0", "t")).segment("users")
    }

    #[test]
    fn each_step_appends_one_segment_like_request_path() {
        let arg = FunctionArg { name: "days", value: "7", quoted: false };
        let endpoint = users().key("a/b").segment("drive").address("x y").function("f", &[arg]);
        let path =
            RequestPath::root().segment("users").key("a/b").segment("drive").address("x y").function("f", &[arg]);
        assert_eq!(endpoint.path(), path.as_str());
        assert_eq!(endpoint.path(), "/users/a%2Fb/drive:/x%20y:/f(days=7)");
        assert_eq!(users().path(), "/users", "children do not change their parent");
    }

    #[test]
    fn requests_carry_the_method_path_and_response_kind() {
        let get: Request<serde_json::Value> = users().json(Method::GET);
        assert_eq!((get.method(), get.path(), get.response_kind()), (&Method::GET, "/users", ResponseKind::Json));
        let delete = users().key("1").empty(Method::DELETE);
        assert_eq!(
            (delete.method(), delete.path(), delete.response_kind()),
            (&Method::DELETE, "/users/1", ResponseKind::Empty)
        );
        let content = users().segment("$value").bytes(Method::GET);
        assert_eq!((content.path(), content.response_kind()), ("/users/$value", ResponseKind::Bytes));
        assert_eq!(get.url(), "https://graph.example/v1.0/users");
    }
}
