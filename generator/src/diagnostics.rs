//! Problems found in the input, as values: every stage returns its output
//! together with the diagnostics it found, and nothing stops at the first one.

use std::ops::Range;

use serde::Serialize;

/// Where something came from: a page (relative to the docs root) and a
/// 1-based line and column.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// The kinds of problem the generator reports. Each has a stable name that
/// appears in output and in the README's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The front matter is not valid YAML.
    FrontMatter,
    /// An `<!-- { … } -->` annotation needed repairs to read as JSON.
    AnnotationRepaired,
    /// An annotation could not be read even leniently.
    AnnotationInvalid,
    /// An HTML comment is never closed, so the rest of the page is hidden.
    UnclosedComment,
    /// An API page has no HTTP request block.
    MissingRequestBlock,
    /// A line in an HTTP request block is not `METHOD /path`.
    BadRequestLine,
    /// A path template has a `{` without its `}`.
    UnbalancedPlaceholder,
    /// An example body needed repairs to read as JSON.
    ExampleJsonRepaired,
    /// An example body looks like JSON but cannot be read.
    ExampleJsonInvalid,
    /// A type cell names a type that no page declares.
    UnresolvedType,
    /// A relative link points at a page that does not exist.
    BrokenLink,
    /// A link leaves the docs root.
    LinkOutsideRoot,
    /// The same type is declared on more than one page.
    DuplicateType,
    /// Two pages document the same method and path differently.
    OperationConflict,
    /// Two items would get the same Rust name; one was renamed.
    NameCollision,
    /// A `**TODO …**` placeholder was left in the page.
    TodoPlaceholder,
    /// PATCH or DELETE addressed to a collection path with no key segment.
    CollectionWrite,
    /// A page of a known kind produced nothing.
    NothingExtracted,
    /// A page's kind could not be told from its front matter or folder.
    UnknownPageKind,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::FrontMatter => "front-matter",
            Code::AnnotationRepaired => "annotation-repaired",
            Code::AnnotationInvalid => "annotation-invalid",
            Code::UnclosedComment => "unclosed-comment",
            Code::MissingRequestBlock => "missing-request-block",
            Code::BadRequestLine => "bad-request-line",
            Code::UnbalancedPlaceholder => "unbalanced-placeholder",
            Code::ExampleJsonRepaired => "example-json-repaired",
            Code::ExampleJsonInvalid => "example-json-invalid",
            Code::UnresolvedType => "unresolved-type",
            Code::BrokenLink => "broken-link",
            Code::LinkOutsideRoot => "link-outside-root",
            Code::DuplicateType => "duplicate-type",
            Code::OperationConflict => "operation-conflict",
            Code::NameCollision => "name-collision",
            Code::TodoPlaceholder => "todo-placeholder",
            Code::CollectionWrite => "collection-write",
            Code::NothingExtracted => "nothing-extracted",
            Code::UnknownPageKind => "unknown-page-kind",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub location: Location,
    pub message: String,
    /// Byte range in the page, for the source snippet; not part of the JSON output.
    #[serde(skip)]
    pub span: Option<Range<usize>>,
}

impl Diagnostic {
    pub fn new(code: Code, severity: Severity, location: Location, message: impl Into<String>) -> Self {
        Diagnostic { code, severity, location, message: message.into(), span: None }
    }

    pub fn warning(code: Code, location: Location, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, location, message)
    }

    pub fn note(code: Code, location: Location, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Note, location, message)
    }

    pub fn with_span(mut self, span: Range<usize>) -> Self {
        self.span = Some(span);
        self
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        write!(f, "{}[{}]: {} ({})", severity, self.code, self.message, self.location)
    }
}

/// Sorts diagnostics into the order they are printed (file, line, code) and
/// drops exact repeats (the same link read for two purposes, say).
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| (&a.location, a.code, &a.message).cmp(&(&b.location, b.code, &b.message)));
    diagnostics.dedup_by(|a, b| a.location == b.location && a.code == b.code && a.message == b.message);
}
