//! Request lines (`PATCH /a/{id}/b`) and their path templates.
//!
//! Placeholder syntax in the docs is free-form (`{id}`, `{id | upn}`,
//! `{path and filename}`, `<address>`, `'{x}'`), paths may be absolute URLs,
//! start with `~`, end with `/`, use colon addressing (`root:/{path}:`) or
//! function calls, and a few have an unbalanced `{`. This module turns all of
//! that into `PathTemplate`s, with a note for each repair.

use crate::ir::{FunctionArg, Method, PathTemplate, Segment};

/// A request line: method, path and notes about repairs made while reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    pub method: Method,
    pub path: PathTemplate,
    pub warnings: Vec<String>,
    /// Repairs that change nothing a reader meant (a service version
    /// written into the path), for notes.
    pub notes: Vec<String>,
}

fn is_version(token: &str) -> bool {
    ["beta", "v1.0"].iter().any(|v| token.eq_ignore_ascii_case(v))
}

/// Reads `METHOD path [HTTP/1.1]`. `None` when the line does not start with an
/// HTTP method (prose such as `or`, headers, bodies); `Some(Err)` when it does
/// but the path cannot be read.
pub fn parse_request_line(line: &str) -> Option<Result<RequestLine, String>> {
    let line = line.trim();
    let (word, rest) = line.split_once(char::is_whitespace)?;
    let method = Method::parse(word)?;
    let rest = rest.trim();
    let rest = rest.strip_suffix("HTTP/1.1").unwrap_or(rest).trim();
    if rest.is_empty() {
        return Some(Err(format!("`{word}` has no path")));
    }
    let mut warnings = Vec::new();
    let written = strip_service_root(rest).trim_start_matches(['~', '/']);
    let notes = match written.split('/').next() {
        Some(first) if is_version(first) && written.len() > first.len() => {
            vec![format!("`/{first}` in `{rest}` is the service version, not a path segment: it is left out")]
        }
        _ => Vec::new(),
    };
    Some(parse_path(rest, &mut warnings).map(|path| RequestLine { method, path, warnings, notes }))
}

/// The deepest path read; the docs' deepest has about a dozen segments.
pub const MAX_SEGMENTS: usize = 64;

/// Parses a path (or a full URL to the Graph service) into a template.
pub fn parse_path(raw: &str, warnings: &mut Vec<String>) -> Result<PathTemplate, String> {
    let without_host = strip_service_root(raw.trim());
    let without_host = without_host.strip_prefix('~').unwrap_or(without_host);
    let (path, query) = split_query(without_host);
    let slashes = path.bytes().filter(|b| *b == b'/').count();
    if slashes > 2 * MAX_SEGMENTS {
        return Err(format!("the path has {slashes} `/`; a Graph path has at most {MAX_SEGMENTS} segments"));
    }
    let mut tokens = split_segments(path, warnings);
    // `/beta/teams/{id}/photo`: the service version written into a path is
    // part of the base URL, not a segment.
    if tokens.len() > 1 && is_version(&tokens[0]) {
        tokens.remove(0);
    }
    if tokens.iter().any(|t| t == "..." || t == "…") {
        return Err("the path has a `...` segment, which stands for any depth and cannot be generated".into());
    }
    let segments = build_segments(&tokens, warnings)?;
    if segments.is_empty() {
        return Err("the path has no segments".into());
    }
    // Every segment becomes a builder named after the ones above it: a path
    // thousands deep would cost memory quadratic in its depth.
    if segments.len() > MAX_SEGMENTS {
        return Err(format!("the path has {} segments; a Graph path has at most {MAX_SEGMENTS}", segments.len()));
    }
    Ok(PathTemplate { raw: raw.trim().to_string(), segments, query: query.map(str::to_string) })
}

/// Removes `https://graph.microsoft.com[/v1.0|/beta]` or any other scheme and host.
pub fn strip_service_root(url: &str) -> &str {
    let Some(after_scheme) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return url;
    };
    let path = after_scheme.find('/').map(|i| &after_scheme[i..]).unwrap_or("/");
    for version in ["/v1.0", "/beta", "/V1.0", "/Beta", "/{ver}", "/{version}"] {
        if let Some(rest) = path.strip_prefix(version)
            && (rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
        {
            return rest;
        }
    }
    path
}

/// Splits off the query string at the first `?` outside braces, parentheses and quotes.
fn split_query(path: &str) -> (&str, Option<&str>) {
    let mut depth = 0i32;
    let mut quoted = false;
    for (i, c) in path.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '{' | '(' if !quoted => depth += 1,
            '}' | ')' if !quoted => depth -= 1,
            '?' if depth <= 0 && !quoted => return (&path[..i], Some(&path[i + 1..])),
            _ => {}
        }
    }
    (path, None)
}

/// The raw segments of a URL path (an example's URL), split like templates are.
pub fn url_segments(path: &str) -> Vec<String> {
    let (path, _) = split_query(strip_service_root(path.trim()));
    split_segments(path, &mut Vec::new())
}

/// One argument of a function call in a URL: its name (if named) and value.
pub type CallArgument = (Option<String>, String);

/// `name(a=1,b='x')` → `("name", [(Some("a"), "1"), (Some("b"), "x")])`, quotes removed.
pub fn call_arguments(segment: &str) -> Option<(String, Vec<CallArgument>)> {
    let open = segment.find('(')?;
    let inner = segment[open + 1..].strip_suffix(')')?;
    let args = if inner.trim().is_empty() { Vec::new() } else { split_top_level_commas(inner) }
        .into_iter()
        .map(|part| {
            let (name, value) = match part.split_once('=') {
                Some((name, value)) if is_name(name.trim()) => (Some(name.trim().to_string()), value.trim()),
                _ => (None, part.trim()),
            };
            let value = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')).unwrap_or(value);
            (name, value.to_string())
        })
        .collect();
    Some((segment[..open].to_string(), args))
}

/// Splits on `/` outside braces, parentheses and quotes, closing a `{` that
/// is never closed before the next `/` (`{group-id/drive/items/{item-id}`).
fn split_segments(path: &str, warnings: &mut Vec<String>) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut braces = 0i32;
    let mut parens = 0i32;
    let mut quoted = false;
    for c in path.chars() {
        match c {
            '\'' if parens > 0 => quoted = !quoted,
            '{' if !quoted => {
                if braces > 0 {
                    warnings.push(format!("`{{` inside a placeholder in `{path}`: closed the first one"));
                    current.push('}');
                    braces -= 1;
                }
                braces += 1;
            }
            '}' if !quoted => braces -= 1,
            '(' if !quoted => parens += 1,
            ')' if !quoted => parens -= 1,
            _ => {}
        }
        if c == '/' && !quoted && parens <= 0 {
            if braces > 0 {
                warnings.push(format!("unbalanced `{{` in `{path}`: closed it before `/`"));
                current.push('}');
                braces = 0;
            }
            tokens.push(std::mem::take(&mut current));
            continue;
        }
        current.push(c);
    }
    if braces > 0 {
        warnings.push(format!("unbalanced `{{` in `{path}`: closed it at the end"));
        current.push('}');
    }
    tokens.push(current);
    tokens.into_iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()
}

fn build_segments(tokens: &[String], warnings: &mut Vec<String>) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        // Colon addressing: `root:` then the item path up to the next token ending in `:`.
        if let Some(head) = token.strip_suffix(':').filter(|h| !h.is_empty() && !h.ends_with(':')) {
            segments.push(single_segment(head)?);
            let mut address = Vec::new();
            i += 1;
            while i < tokens.len() {
                let part = &tokens[i];
                i += 1;
                if let Some(last) = part.strip_suffix(':') {
                    address.push(last.to_string());
                    break;
                }
                address.push(part.clone());
            }
            let placeholder = match address.as_slice() {
                [only] => placeholder_name(only).map(|(name, _)| name).unwrap_or_else(|| "path".into()),
                _ => {
                    warnings
                        .push(format!("colon address `{}` is not one placeholder: named it `path`", address.join("/")));
                    "path".into()
                }
            };
            segments.push(Segment::Address { placeholder });
            continue;
        }
        segments.push(single_segment(token)?);
        i += 1;
    }
    Ok(segments)
}

/// `{x}` or `<x>` as a whole: the placeholder's name and its alternates.
fn placeholder_name(token: &str) -> Option<(String, Vec<String>)> {
    let token = token.trim().trim_matches('\'');
    let inner = token
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .or_else(|| token.strip_prefix('<').and_then(|t| t.strip_suffix('>')))?;
    if inner.contains(['{', '}', '<', '>']) {
        return None;
    }
    let alternates: Vec<String> = inner.split('|').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
    let name = alternates.first().cloned().unwrap_or_else(|| "id".into());
    let alternates = if alternates.len() > 1 { alternates } else { Vec::new() };
    Some((name, alternates))
}

fn single_segment(token: &str) -> Result<Segment, String> {
    if let Some((placeholder, alternates)) = placeholder_name(token) {
        return Ok(Segment::Key { placeholder, alternates });
    }
    if let Some(open) = token.find('(')
        && token.ends_with(')')
        && is_name(&token[..open])
    {
        let args = parse_args(&token[open + 1..token.len() - 1])?;
        return Ok(Segment::Function { name: token[..open].to_string(), args });
    }
    if token.contains(['{', '}', '<', '>', ' ', '\'', '"', '(', ')']) {
        return Err(format!("cannot read the path segment `{token}`"));
    }
    Ok(Segment::Literal { name: token.to_string() })
}

fn is_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '$' | '-'))
}

/// `a={x},b='{y}'`, `'{x}'`, `<address>` or empty.
fn parse_args(text: &str) -> Result<Vec<FunctionArg>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = Vec::new();
    for part in split_top_level_commas(text) {
        let part = part.trim();
        let (name, value) = match part.split_once('=') {
            Some((name, value)) if is_name(name.trim()) => (Some(name.trim().to_string()), value.trim()),
            _ => (None, part),
        };
        let quoted = value.len() >= 2 && value.starts_with('\'') && value.ends_with('\'');
        let unquoted = if quoted { &value[1..value.len() - 1] } else { value };
        let arg = match placeholder_name(unquoted) {
            Some((placeholder, _)) => FunctionArg { name, value: placeholder, is_placeholder: true, quoted },
            None if !unquoted.contains(['{', '}']) => {
                FunctionArg { name, value: unquoted.to_string(), is_placeholder: false, quoted }
            }
            None => return Err(format!("cannot read the function argument `{part}`")),
        };
        args.push(arg);
    }
    Ok(args)
}

fn split_top_level_commas(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '{' | '(' if !quoted => depth += 1,
            '}' | ')' if !quoted => depth -= 1,
            ',' if depth == 0 && !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(raw: &str) -> Vec<Segment> {
        parse_path(raw, &mut Vec::new()).unwrap().segments
    }

    fn lit(name: &str) -> Segment {
        Segment::Literal { name: name.into() }
    }

    fn key(name: &str) -> Segment {
        Segment::Key { placeholder: name.into(), alternates: vec![] }
    }

    #[test]
    fn a_service_version_written_into_a_path_is_not_a_segment() {
        let line = parse_request_line("GET /beta/teams/{id}/photo").unwrap().unwrap();
        assert_eq!(line.path.segments.len(), 3);
        assert!(matches!(&line.path.segments[0], Segment::Literal { name } if name == "teams"));
        assert_eq!(line.notes.len(), 1);
        let plain = parse_request_line("GET /teams/{id}/beta").unwrap().unwrap();
        assert_eq!(plain.path.segments.len(), 3);
        assert!(plain.notes.is_empty());
    }

    #[test]
    fn request_line_with_method_and_keys() {
        let line = parse_request_line("PATCH /deviceAppManagement/x/{xId}/groupAssignments").unwrap().unwrap();
        assert_eq!(line.method, Method::Patch);
        assert_eq!(line.path.segments, vec![lit("deviceAppManagement"), lit("x"), key("xId"), lit("groupAssignments")]);
    }

    #[test]
    fn prose_lines_are_not_request_lines() {
        assert!(parse_request_line("or").is_none());
        assert!(parse_request_line("Content-Type: application/json").is_none());
    }

    #[test]
    fn alternate_keys_keep_every_name() {
        assert_eq!(
            path("/users/{id | userPrincipalName}/events"),
            vec![
                lit("users"),
                Segment::Key { placeholder: "id".into(), alternates: vec!["id".into(), "userPrincipalName".into()] },
                lit("events")
            ]
        );
    }

    #[test]
    fn absolute_url_tilde_and_trailing_slash_are_normalised() {
        assert_eq!(path("https://graph.microsoft.com/beta/me/events/"), vec![lit("me"), lit("events")]);
        assert_eq!(path("~/things/{id1}/"), vec![lit("things"), key("id1")]);
        assert_eq!(path("policies/x"), vec![lit("policies"), lit("x")]);
    }

    #[test]
    fn function_segments_keep_named_and_quoted_arguments() {
        let segments = path("/me/reminderView(startDateTime={start},endDateTime='{end}')");
        assert_eq!(
            segments[1],
            Segment::Function {
                name: "reminderView".into(),
                args: vec![
                    FunctionArg {
                        name: Some("startDateTime".into()),
                        value: "start".into(),
                        is_placeholder: true,
                        quoted: false
                    },
                    FunctionArg {
                        name: Some("endDateTime".into()),
                        value: "end".into(),
                        is_placeholder: true,
                        quoted: true
                    },
                ]
            }
        );
        assert_eq!(path("/me/delta()")[1], Segment::Function { name: "delta".into(), args: vec![] });
    }

    #[test]
    fn query_strings_are_kept_apart() {
        let template = parse_path("/me/messages/{id}?$expand=x($filter=id eq '{v}')", &mut Vec::new()).unwrap();
        assert_eq!(template.segments, vec![lit("me"), lit("messages"), key("id")]);
        assert_eq!(template.query.as_deref(), Some("$expand=x($filter=id eq '{v}')"));
    }

    #[test]
    fn unbalanced_placeholder_is_closed_with_a_warning() {
        let mut warnings = Vec::new();
        let template = parse_path("/groups/{group-id/drive/items/{item-id}/follow", &mut warnings).unwrap();
        assert_eq!(
            template.segments,
            vec![lit("groups"), key("group-id"), lit("drive"), lit("items"), key("item-id"), lit("follow")]
        );
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn colon_addressing_becomes_an_address_segment() {
        assert_eq!(
            path("/drive/root:/{path and filename}:/content"),
            vec![
                lit("drive"),
                lit("root"),
                Segment::Address { placeholder: "path and filename".into() },
                lit("content")
            ]
        );
        assert_eq!(
            path("/drives/{drive-id}/root:/{item-path}"),
            vec![lit("drives"), key("drive-id"), lit("root"), Segment::Address { placeholder: "item-path".into() }]
        );
    }

    #[test]
    fn dollar_segments_and_casts_are_literals() {
        assert_eq!(path("/me/photo/$value"), vec![lit("me"), lit("photo"), lit("$value")]);
        assert_eq!(path("/directory/deletedItems/microsoft.graph.group")[2], lit("microsoft.graph.group"));
    }

    #[test]
    fn any_depth_ellipsis_is_an_error() {
        assert!(parse_path("/me/mailFolders/{id}/.../messages", &mut Vec::new()).is_err());
    }
}
