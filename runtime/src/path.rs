//! Request paths built one segment at a time, so that a caller-supplied id
//! can never change which resource a request addresses.

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters encoded in literal segments taken from the docs (`users`,
/// `$value`, `microsoft.graph.group`, `root:`). Those never need encoding;
/// the set only guarantees that a literal with a stray `/`, `?` or `#` still
/// stays one segment. OData punctuation (`$`, `:`, `(`, `'`, `=`, `,`) is
/// kept as written.
const LITERAL: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Characters encoded in a caller-supplied id. Everything except RFC 3986
/// unreserved characters and the few that real Graph ids contain: `@` (user
/// principal names), `!` (OneDrive item ids), `,` (site ids) and `=`
/// (base64 padding). OData punctuation such as `$`, `:`, `(` and `'` is
/// encoded so an id cannot read as `$value`, `root:` or a function call.
const KEY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@')
    .remove(b'!')
    .remove(b',')
    .remove(b'=');

/// Characters encoded inside a quoted function argument (`name='…'`). The
/// quotes delimit the value, so OData punctuation may stay readable
/// (`range(address='A1:B2')`); `'` itself is doubled before encoding.
const QUOTED_ARG: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'\'')
    .remove(b':')
    .remove(b'@')
    .remove(b'!')
    .remove(b',')
    .remove(b'=')
    .remove(b'*')
    .remove(b'$')
    .remove(b'(')
    .remove(b')');

/// Characters encoded in an unquoted function argument (numbers, dates,
/// GUIDs, booleans). Nothing there needs more than unreserved characters and
/// `:`, so a `'`, `,` or `)` cannot open a string or end the argument list.
const BARE_ARG: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b':');

/// A path below the client's base URL, e.g.
/// `/deviceAppManagement/iosLobAppProvisioningConfigurations/abc/groupAssignments`.
///
/// Generated builders extend a path one segment at a time, and every method
/// here appends exactly one segment, so the structure of the path comes from
/// the API docs and never from data: an id containing `/`, `?` or `#` is
/// encoded instead of addressing another resource.
///
/// Methods take `&self` and return a new path, so a builder can hand out
/// child paths without giving up its own.
///
/// Beside the path it keeps its [template](RequestPath::template), the same
/// path with every caller-supplied value replaced by a placeholder, for
/// logs and traces. Two paths are equal when their encoded paths are.
#[derive(Debug, Clone, Default)]
pub struct RequestPath {
    path: String,
    template: String,
}

impl PartialEq for RequestPath {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
    }
}

impl Eq for RequestPath {}

impl std::hash::Hash for RequestPath {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.path.hash(state);
    }
}

/// One argument of an OData function segment such as
/// `getSchedule(start='…',days=7)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionArg<'a> {
    /// The parameter name, as documented.
    pub name: &'a str,
    /// The value, unescaped; [`RequestPath::function`] escapes it.
    pub value: &'a str,
    /// `true` for OData string literals (`name='value'`), `false` for
    /// numbers, booleans, dates and GUIDs (`name=value`).
    pub quoted: bool,
}

impl RequestPath {
    /// The empty path: the base URL itself.
    pub fn root() -> Self {
        RequestPath::default()
    }

    /// Appends a literal segment from the docs, e.g. `groupAssignments`,
    /// `$value`, `$ref`, `microsoft.graph.group` or `root:`. It is taken as
    /// written; only characters that could end the segment are encoded.
    pub fn segment(&self, literal: &str) -> Self {
        let mut next = self.push_encoded(literal, LITERAL);
        next.template.push('/');
        next.template.extend(utf8_percent_encode(literal, LITERAL));
        next
    }

    /// Appends a caller-supplied id as exactly one segment. `/`, `?`, `#`,
    /// `%`, spaces and non-ASCII are percent-encoded, and an id that is `.`
    /// or `..` becomes `%2E` / `%2E%2E` rather than a dot segment.
    ///
    /// Such dot ids (and the empty id) cannot be sent: URL parsers collapse
    /// `%2E` segments just like `.`, so [`Request::send`](crate::Request::send)
    /// refuses them with [`Error::InvalidRequest`](crate::Error::InvalidRequest)
    /// instead of reaching a different resource.
    pub fn key(&self, value: &str) -> Self {
        let mut next = self.push_encoded(value, KEY);
        next.template.push_str("/{id}");
        next
    }

    /// Appends an OData function call segment:
    /// `name(a='x',b=2024-01-01T00:00:00Z)`. String arguments get their `'`
    /// doubled (OData's escape), and both kinds are percent-encoded so a
    /// value can neither leave its argument nor the segment.
    pub fn function(&self, name: &str, args: &[FunctionArg<'_>]) -> Self {
        let mut next = self.clone();
        next.path.push('/');
        next.path.extend(utf8_percent_encode(name, LITERAL));
        next.path.push('(');
        next.template.push('/');
        next.template.extend(utf8_percent_encode(name, LITERAL));
        next.template.push('(');
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                next.path.push(',');
                next.template.push(',');
            }
            // A positional argument (`range('A1:B2')`) has no name.
            if arg.name.is_empty() {
                next.template.push_str("{value}");
            } else {
                next.path.extend(utf8_percent_encode(arg.name, LITERAL));
                next.path.push('=');
                let name: String = utf8_percent_encode(arg.name, LITERAL).collect();
                let _ = write!(next.template, "{name}={{{name}}}");
            }
            if arg.quoted {
                let escaped = arg.value.replace('\'', "''");
                // Writing to a String cannot fail.
                let _ = write!(next.path, "'{}'", utf8_percent_encode(&escaped, QUOTED_ARG));
            } else {
                next.path.extend(utf8_percent_encode(arg.value, BARE_ARG));
            }
        }
        next.path.push(')');
        next.template.push(')');
        next
    }

    /// Appends an item address in OneDrive's colon syntax: `root` followed
    /// by `:/folder/file.txt:`. The caller's path may hold `/` (it names
    /// folders); each of its parts is encoded like a key, so it cannot add a
    /// query, and `.`/`..` parts make the path unsendable as with keys.
    pub fn address(&self, item_path: &str) -> Self {
        let mut next = self.clone();
        next.path.push_str(":/");
        let parts: Vec<String> = item_path
            .trim_matches('/')
            .split('/')
            .map(|part| match part {
                "." => "%2E".to_string(),
                ".." => "%2E%2E".to_string(),
                _ => utf8_percent_encode(part, KEY).to_string(),
            })
            .collect();
        next.path.push_str(&parts.join("/"));
        next.path.push(':');
        next.template.push_str(":/{path}:");
        next
    }

    /// The encoded path, starting with `/` unless it is the root.
    pub fn as_str(&self) -> &str {
        &self.path
    }

    /// The path with placeholders for every caller-supplied value:
    /// `/users/{id}/drive/root:/{path}:/content`,
    /// `/reports/getEmailActivityUserDetail(period={period})`. Literal
    /// segments are kept. Traces show this instead of the path, so ids
    /// (often e-mail addresses) stay out of logs and one operation is one
    /// span name however many ids it is called with.
    pub fn template(&self) -> &str {
        if self.template.is_empty() { "/" } else { &self.template }
    }

    /// Why this path cannot be sent, if it cannot: an empty or dot segment
    /// would be dropped or resolved by URL normalisation, silently
    /// addressing another resource.
    pub(crate) fn unsendable_reason(&self) -> Option<String> {
        let segments = self.path.strip_prefix('/')?;
        segments.split('/').find_map(|segment| match segment {
            "" => Some(format!("path `{}` has an empty segment (an empty id?)", self.path)),
            "%2E" | "%2E%2E" => Some(format!(
                "path `{}` has an id that is `.` or `..`, which URL normalisation would resolve",
                self.path
            )),
            _ => None,
        })
    }

    fn push_encoded(&self, raw: &str, set: &'static AsciiSet) -> Self {
        let mut next = self.clone();
        next.path.push('/');
        match raw {
            "." => next.path.push_str("%2E"),
            ".." => next.path.push_str("%2E%2E"),
            _ => next.path.extend(utf8_percent_encode(raw, set)),
        }
        next
    }
}

impl std::fmt::Display for RequestPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> RequestPath {
        RequestPath::root().segment("users")
    }

    #[test]
    fn address_keeps_folders_and_encodes_the_rest() {
        let path = RequestPath::root().segment("drive").segment("root").address("/Docs/a b?.txt").segment("content");
        assert_eq!(path.as_str(), "/drive/root:/Docs/a%20b%3F.txt:/content");
        assert!(RequestPath::root().segment("root").address("../x").unsendable_reason().is_some());
    }

    #[test]
    fn positional_function_arguments_have_no_name() {
        let arg = FunctionArg { name: "", value: "A1:B2", quoted: true };
        assert_eq!(RequestPath::root().function("range", &[arg]).as_str(), "/range('A1:B2')");
    }

    #[test]
    fn root_is_empty() {
        assert_eq!(RequestPath::root().as_str(), "");
        assert_eq!(RequestPath::root().unsendable_reason(), None);
    }

    #[test]
    fn literal_segments_are_kept_as_written() {
        let path = RequestPath::root()
            .segment("deviceAppManagement")
            .segment("iosLobAppProvisioningConfigurations")
            .key("abc")
            .segment("groupAssignments");
        assert_eq!(path.as_str(), "/deviceAppManagement/iosLobAppProvisioningConfigurations/abc/groupAssignments");
        for literal in ["$value", "$ref", "$count", "microsoft.graph.group", "root:"] {
            assert_eq!(users().segment(literal).as_str(), format!("/users/{literal}"));
        }
    }

    #[test]
    fn literal_with_slash_stays_one_segment() {
        assert_eq!(users().segment("a/b?c").as_str(), "/users/a%2Fb%3Fc");
    }

    #[test]
    fn hostile_keys_stay_one_segment() {
        let cases = [
            ("a/b?c#d", "a%2Fb%3Fc%23d"),
            ("../x", "..%2Fx"),
            ("..", "%2E%2E"),
            (".", "%2E"),
            ("%2F", "%252F"),
            ("x y", "x%20y"),
            ("ü", "%C3%BC"),
            ("a+b", "a%2Bb"),
            ("$value", "%24value"),
            ("root:", "root%3A"),
            ("f(x)", "f%28x%29"),
            ("o'brien", "o%27brien"),
            ("a\\b", "a%5Cb"),
            ("a\nb", "a%0Ab"),
        ];
        for (id, encoded) in cases {
            let path = users().key(id);
            assert_eq!(path.as_str(), format!("/users/{encoded}"), "id {id:?}");
            assert_eq!(path.as_str().matches('/').count(), 2, "id {id:?}");
        }
    }

    #[test]
    fn common_graph_ids_stay_readable() {
        let cases = [
            "john.doe@contoso.com",
            "contoso.sharepoint.com,2C712604-1370-44E7-A1F5-426573FDA80A,2D2244C3-251A-49EA-93A8-39E1C3A060FE",
            "D4648F06C91D9D3D!54927",
            "AAMkAGI2THVSAAA=",
            "48d31887-5fad-4d73-a9f5-3c356e68a038",
        ];
        for id in cases {
            assert_eq!(users().key(id).as_str(), format!("/users/{id}"));
        }
    }

    #[test]
    fn dot_and_empty_keys_are_unsendable() {
        assert!(users().key(".").unsendable_reason().is_some());
        assert!(users().key("..").unsendable_reason().is_some());
        assert!(users().key("").unsendable_reason().is_some());
        assert!(users().key("").segment("x").unsendable_reason().is_some());
        assert_eq!(users().key("..x").unsendable_reason(), None);
        assert_eq!(users().key("a").segment("b").unsendable_reason(), None);
    }

    #[test]
    fn function_with_quoted_and_bare_args() {
        let path = RequestPath::root().segment("reports").function(
            "getEmailActivityUserDetail",
            &[
                FunctionArg { name: "period", value: "D7", quoted: true },
                FunctionArg { name: "date", value: "2024-01-01T00:00:00Z", quoted: false },
            ],
        );
        assert_eq!(path.as_str(), "/reports/getEmailActivityUserDetail(period='D7',date=2024-01-01T00:00:00Z)");
    }

    #[test]
    fn function_without_args() {
        let path = users().segment("delta").function("microsoft.graph.delta", &[]);
        assert_eq!(path.as_str(), "/users/delta/microsoft.graph.delta()");
    }

    #[test]
    fn quoted_arg_doubles_quotes_and_encodes_separators() {
        let path = RequestPath::root()
            .segment("drive")
            .function("getByPath", &[FunctionArg { name: "path", value: "it's a/b?c#d%", quoted: true }]);
        assert_eq!(path.as_str(), "/drive/getByPath(path='it''s%20a%2Fb%3Fc%23d%25')");
    }

    #[test]
    fn bare_arg_cannot_close_the_call() {
        let path = RequestPath::root().function("f", &[FunctionArg { name: "n", value: "1)/x,y='z'", quoted: false }]);
        assert_eq!(path.as_str(), "/f(n=1%29%2Fx%2Cy%3D%27z%27)");
        assert_eq!(path.as_str().matches('/').count(), 1);
    }

    #[test]
    fn templates_replace_every_caller_value_with_a_placeholder() {
        let path = users()
            .key("adele@contoso.com")
            .segment("drive")
            .segment("root")
            .address("Secret/plan.docx")
            .segment("content");
        assert_eq!(path.template(), "/users/{id}/drive/root:/{path}:/content");
        let report = RequestPath::root().segment("reports").function(
            "getEmailActivityUserDetail",
            &[
                FunctionArg { name: "period", value: "D7", quoted: true },
                FunctionArg { name: "", value: "A1:B2", quoted: true },
            ],
        );
        assert_eq!(report.template(), "/reports/getEmailActivityUserDetail(period={period},{value})");
        assert_eq!(RequestPath::root().template(), "/");
        // Equality is the path's: the same URL built another way is the same path.
        assert_eq!(users().key("x"), users().segment("x"));
    }

    #[test]
    fn child_paths_do_not_change_the_parent() {
        let parent = users();
        let child = parent.key("1");
        assert_eq!(parent.as_str(), "/users");
        assert_eq!(child.as_str(), "/users/1");
    }
}
