//! What the emit options may hold. Each option ends up in generated code or
//! in the manifest, unescaped in places (the manifest's strings, comment
//! lines), so a value that would make either invalid is refused before
//! anything is read or written, with what is wrong and what is allowed.

use super::EmitOptions;

/// An option value the generated crate cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError {
    /// The option, as the command line names it: `crate-name`, `base-url`,
    /// `runtime-path` or `docs-label`.
    pub option: &'static str,
    pub value: String,
    /// What is wrong with it, and what would do.
    pub problem: String,
}

impl std::fmt::Display for OptionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "--{} {:?} {}", self.option, self.value, self.problem)
    }
}

impl std::error::Error for OptionError {}

/// Names cargo or rustc keep for themselves: a package of one of these
/// names does not build as a dependency.
const RESERVED_NAMES: &[&str] = &["core", "std", "alloc", "proc_macro", "proc-macro", "test"];

/// Rust's keywords (strict and reserved, every edition): a library named
/// one of these cannot be named in a `use`.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// What is wrong with one option's value, if anything.
type Check = fn(&str) -> Option<String>;

impl EmitOptions {
    /// Every problem with the options, in the order of the fields; empty
    /// when the generated crate can carry them all.
    pub fn validate(&self) -> Vec<OptionError> {
        let checks: [(&'static str, &str, Check); 4] = [
            ("crate-name", &self.crate_name, package_name_problem),
            ("base-url", &self.base_url, base_url_problem),
            ("runtime-path", &self.runtime_path, runtime_path_problem),
            ("docs-label", &self.docs_label, docs_label_problem),
        ];
        checks
            .into_iter()
            .filter_map(|(option, value, check)| {
                check(value).map(|problem| OptionError { option, value: value.to_string(), problem })
            })
            .collect()
    }
}

/// Cargo's rules for a package name (and so the library's): an ASCII letter,
/// then letters, digits, `-` and `_`, at most 64 of them, and not a name
/// that Rust or its standard library keep.
fn package_name_problem(name: &str) -> Option<String> {
    let allowed = "a package name is an ASCII letter followed by ASCII letters, digits, `-` or `_`";
    let Some(first) = name.chars().next() else {
        return Some(format!("is empty: {allowed}"));
    };
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        return Some(format!("has {bad:?}, which cargo rejects: {allowed} (e.g. `graph-sdk-v1`)"));
    }
    if !first.is_ascii_alphabetic() {
        return Some(format!("starts with {first:?}: {allowed}"));
    }
    if name.len() > 64 {
        return Some(format!("is {} characters long; crates.io allows at most 64", name.len()));
    }
    let library = name.replace('-', "_");
    if KEYWORDS.contains(&library.as_str())
        || RESERVED_NAMES.contains(&name)
        || RESERVED_NAMES.contains(&library.as_str())
    {
        return Some("is a name Rust keeps for itself: a crate of that name cannot be used".into());
    }
    None
}

/// An absolute `http` or `https` URL with a host, and a path of URL
/// characters; no query or fragment, which the request paths are appended
/// after.
fn base_url_problem(url: &str) -> Option<String> {
    let example = "e.g. `https://graph.microsoft.com/v1.0`";
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return Some(format!("is not an absolute http(s) URL: it must start with `https://` or `http://` ({example})"));
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (host, port) = match authority.find(']') {
        Some(end) if authority.starts_with('[') => {
            let after = &authority[end + 1..];
            // After an IPv6 address: nothing, or `:` and the port.
            (&authority[..=end], (!after.is_empty()).then(|| after.strip_prefix(':').unwrap_or(after)))
        }
        _ => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let host_ok = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        !v6.is_empty() && v6.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
    } else {
        !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    };
    if !host_ok {
        return Some(format!("has no valid host name ({example})"));
    }
    if let Some(port) = port
        && (port.is_empty() || port.parse::<u16>().is_err())
    {
        return Some(format!("has an invalid port `{port}`"));
    }
    if let Some(bad) = path.chars().find(|c| !(c.is_ascii_alphanumeric() || "-._~/%!$&'()*+,;=:@".contains(*c))) {
        let what = match bad {
            '?' | '#' => "a query or fragment, which request paths could not be appended to".to_string(),
            _ => format!("{bad:?}, which is not allowed in a URL path (percent-encode it)"),
        };
        return Some(format!("has {what} ({example})"));
    }
    None
}

/// The path goes into the manifest as a TOML string, as written.
fn runtime_path_problem(path: &str) -> Option<String> {
    if path.is_empty() {
        return Some("is empty: give the path from the generated crate to graph-runtime".into());
    }
    if let Some(bad) = path.chars().find(|c| c.is_control() || *c == '"' || *c == '\\') {
        return Some(format!(
            "has {bad:?}, which cannot stand in the manifest's path string (use `/` between folders)"
        ));
    }
    None
}

/// The label goes into comment lines and doc comments of every file.
fn docs_label_problem(label: &str) -> Option<String> {
    if label.trim().is_empty() {
        return Some("is empty: name the docs folder, e.g. `graph-docs/v1.0`".into());
    }
    if let Some(bad) = label.chars().find(|c| c.is_control()) {
        return Some(format!("has {bad:?}: the label is printed inside comments, on one line"));
    }
    if label.contains("*/") || label.contains("/*") || label.contains('`') {
        return Some("has a comment delimiter or a backquote, which the label's comments cannot hold".into());
    }
    if label.chars().count() > 200 {
        return Some("is longer than 200 characters".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> EmitOptions {
        EmitOptions {
            crate_name: "graph-sdk".into(),
            base_url: "https://graph.microsoft.com/v1.0".into(),
            runtime_path: "../runtime".into(),
            standalone: false,
            docs_label: "graph-docs/v1.0".into(),
            features: false,
        }
    }

    fn problems(change: impl Fn(&mut EmitOptions)) -> Vec<&'static str> {
        let mut options = options();
        change(&mut options);
        options.validate().iter().map(|e| e.option).collect()
    }

    #[test]
    fn package_names_follow_cargo() {
        for good in ["graph-sdk", "graph_sdk_v1", "g", "GraphSdk2"] {
            assert_eq!(package_name_problem(good), None, "{good}");
        }
        for bad in
            ["graph-v1.0", "", "1graph", "-graph", "graph sdk", "graph/sdk", "gräph", "fn", "self", "std", "test"]
        {
            assert!(package_name_problem(bad).is_some(), "{bad:?} passed");
        }
        assert!(package_name_problem(&"a".repeat(65)).is_some());
        assert!(package_name_problem("graph-v1.0").unwrap().contains("'.'"));
    }

    #[test]
    fn base_urls_are_absolute_http_urls() {
        for good in [
            "https://graph.microsoft.com/v1.0",
            "http://localhost:8080",
            "https://graph.microsoft.com/beta/",
            "http://127.0.0.1:3000/v1.0",
            "http://[::1]:8080/v1.0",
        ] {
            assert_eq!(base_url_problem(good), None, "{good}");
        }
        for bad in [
            "graph.microsoft.com/v1.0",
            "ftp://graph.microsoft.com",
            "https://",
            "https:///v1.0",
            "https://graph..com",
            "https://graph.microsoft.com:99999",
            "https://graph.microsoft.com/v1.0?x=1",
            "https://graph.microsoft.com/v1.0#top",
            "https://graph.microsoft.com/v 1",
            "https://graph.microsoft.com/\"v1\"",
            "https://graph.microsoft.com/v1\n",
        ] {
            assert!(base_url_problem(bad).is_some(), "{bad:?} passed");
        }
    }

    #[test]
    fn runtime_paths_and_labels_fit_their_strings_and_comments() {
        assert_eq!(problems(|_| {}), Vec::<&str>::new());
        assert_eq!(problems(|o| o.runtime_path = "C:/runtime".into()), Vec::<&str>::new());
        for bad in ["", "a\"b", "a\\b", "a\nb"] {
            assert_eq!(problems(|o| o.runtime_path = bad.into()), ["runtime-path"], "{bad:?}");
        }
        for bad in ["", "two\nlines", "ends */ here", "tick`", "cr\r"] {
            assert_eq!(problems(|o| o.docs_label = bad.into()), ["docs-label"], "{bad:?}");
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let found = problems(|o| {
            o.crate_name = "graph-v1.0".into();
            o.base_url = "graph".into();
        });
        assert_eq!(found, ["crate-name", "base-url"]);
    }
}
