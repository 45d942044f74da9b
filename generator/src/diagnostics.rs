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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// The kinds of problem the generator reports. Each has a stable name that
/// appears in output and in the table of `docs/diagnostics.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
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
    /// An example body has a property the documented type does not list.
    ExampleUnknownProperty,
    /// An example or JSON representation gives a property a value its
    /// documented type cannot hold (`"Boolean"` for a Boolean, an object for a String).
    ExampleValueType,
    /// An example's annotation lacks a key the tools need (`name` on a
    /// request, `@odata.type` on a response whose type the page does not say).
    AnnotationKeyMissing,
    /// The page is not valid UTF-8; it was read with U+FFFD in place of the bad bytes.
    InvalidUtf8,
    /// The service's metadata has a property the page does not list.
    MetadataMissingProperty,
    /// The page lists a property the service's metadata does not have.
    MetadataUnknownProperty,
    /// A property's type differs from the metadata's.
    MetadataTypeMismatch,
    /// A property is a collection on one side and a single value on the other.
    MetadataCollectionMismatch,
    /// A type's base type differs from the metadata's.
    MetadataBaseMismatch,
    /// A documented type the metadata does not declare.
    MetadataUnknownType,
    /// An enum member missing on one side.
    MetadataEnumMember,
    /// A request path the metadata's containers and navigation properties cannot reach.
    MetadataUnreachablePath,
    /// An include directive's file is not in the includes folders (or no
    /// includes folder was found, or the file cannot be read).
    IncludeMissing,
    /// An include directive points outside the includes folders and the docs root.
    IncludeOutside,
    /// Includes include each other in a loop, or nest too deep.
    IncludeLoop,
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
            Code::ExampleUnknownProperty => "example-unknown-property",
            Code::ExampleValueType => "example-value-type",
            Code::AnnotationKeyMissing => "annotation-key-missing",
            Code::InvalidUtf8 => "invalid-utf8",
            Code::MetadataMissingProperty => "metadata-missing-property",
            Code::MetadataUnknownProperty => "metadata-unknown-property",
            Code::MetadataTypeMismatch => "metadata-type-mismatch",
            Code::MetadataCollectionMismatch => "metadata-collection-mismatch",
            Code::MetadataBaseMismatch => "metadata-base-mismatch",
            Code::MetadataUnknownType => "metadata-unknown-type",
            Code::MetadataEnumMember => "metadata-enum-member",
            Code::MetadataUnreachablePath => "metadata-unreachable-path",
            Code::IncludeMissing => "include-missing",
            Code::IncludeOutside => "include-outside",
            Code::IncludeLoop => "include-loop",
        }
    }

    /// Every code, in declaration order (`docs/diagnostics.md` lists each).
    pub const ALL: [Code; 34] = [
        Code::FrontMatter,
        Code::AnnotationRepaired,
        Code::AnnotationInvalid,
        Code::UnclosedComment,
        Code::MissingRequestBlock,
        Code::BadRequestLine,
        Code::UnbalancedPlaceholder,
        Code::ExampleJsonRepaired,
        Code::ExampleJsonInvalid,
        Code::UnresolvedType,
        Code::BrokenLink,
        Code::LinkOutsideRoot,
        Code::DuplicateType,
        Code::OperationConflict,
        Code::NameCollision,
        Code::TodoPlaceholder,
        Code::CollectionWrite,
        Code::NothingExtracted,
        Code::UnknownPageKind,
        Code::ExampleUnknownProperty,
        Code::ExampleValueType,
        Code::AnnotationKeyMissing,
        Code::InvalidUtf8,
        Code::MetadataMissingProperty,
        Code::MetadataUnknownProperty,
        Code::MetadataTypeMismatch,
        Code::MetadataCollectionMismatch,
        Code::MetadataBaseMismatch,
        Code::MetadataUnknownType,
        Code::MetadataEnumMember,
        Code::MetadataUnreachablePath,
        Code::IncludeMissing,
        Code::IncludeOutside,
        Code::IncludeLoop,
    ];
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
    /// Text to point at, for stages that know what is wrong but not where
    /// in the page (they never see the text): the first occurrence at or
    /// after `location` becomes the span when the page is rendered.
    #[serde(skip)]
    pub needle: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, severity: Severity, location: Location, message: impl Into<String>) -> Self {
        Diagnostic { code, severity, location, message: message.into(), span: None, needle: None }
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

    /// Points the snippet at the first `needle` at or after the location.
    pub fn pointing_at(mut self, needle: impl Into<String>) -> Self {
        self.needle = Some(needle.into());
        self
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}]: {} ({})", self.severity.as_str(), self.code, self.message, self.location)
    }
}

/// Sorts diagnostics into the order they are printed (file, line, code) and
/// drops exact repeats (the same link read for two purposes, say), keeping
/// the repeat that knows most precisely where it points.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    fn key(d: &Diagnostic) -> (&Location, Code, &str, bool, bool) {
        (&d.location, d.code, &d.message, d.span.is_none(), d.needle.is_none())
    }
    diagnostics.sort_by(|a, b| key(a).cmp(&key(b)));
    diagnostics.dedup_by(|a, b| a.location == b.location && a.code == b.code && a.message == b.message);
}
