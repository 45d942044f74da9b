//! The intermediate representation: what the documentation says, as plain
//! data. Built page by page by `lower`, read by `resolve`. No behaviour lives
//! here; every item keeps the page and line it came from.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::diagnostics::Location;
pub use crate::parse::lenient_json::Repair;

/// The `skip_serializing_if` tests of the IR: empty fields are left out of
/// its JSON (the dumps and snapshots stay short), but not while
/// [`omit::keeping_all`] runs, which the disk cache encodes pages in: its
/// encoding has no field names, so every field must be there, in order.
pub(crate) mod omit {
    use std::cell::Cell;

    thread_local! {
        static KEEP_ALL: Cell<bool> = const { Cell::new(false) };
    }

    /// Runs `f` (on this thread) with no field left out.
    pub(crate) fn keeping_all<T>(f: impl FnOnce() -> T) -> T {
        struct Restore(bool);
        impl Drop for Restore {
            fn drop(&mut self) {
                KEEP_ALL.set(self.0);
            }
        }
        let _restore = Restore(KEEP_ALL.replace(true));
        f()
    }

    fn omitting() -> bool {
        !KEEP_ALL.get()
    }

    pub(crate) fn empty_string(value: &str) -> bool {
        value.is_empty() && omitting()
    }

    pub(crate) fn no(value: &bool) -> bool {
        !*value && omitting()
    }

    pub(crate) fn empty_list<T>(value: &[T]) -> bool {
        value.is_empty() && omitting()
    }

    pub(crate) fn none<T>(value: &Option<T>) -> bool {
        value.is_none() && omitting()
    }
}

/// Everything extracted from a docs folder, in page order. Models and
/// operations are shared (`Arc`) with the page cache, so a run after a
/// one-page edit does not copy every other page's items again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ir {
    pub pages: Vec<PageInfo>,
    pub models: Vec<Arc<Model>>,
    pub enums: Vec<Enum>,
    pub operations: Vec<Arc<Operation>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageKind {
    Api,
    Resource,
    Enum,
    Conceptual,
    Unknown,
}

/// One page as a whole: its kind, title and product area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageInfo {
    /// Path relative to the docs root, with `/` separators.
    pub file: String,
    pub kind: PageKind,
    pub title: String,
    /// `ms.prod` from the front matter, as written.
    pub ms_prod: String,
    /// `ms.subservice` from the front matter, as written (today's pages).
    #[serde(default, skip_serializing_if = "omit::empty_string")]
    pub ms_subservice: String,
    /// The page has an HTTP request block (api pages).
    pub has_request_block: bool,
    /// Every link to another page, for the broken-link check; not in the JSON.
    #[serde(skip)]
    pub links: Vec<PageLink>,
}

/// A link from one page to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageLink {
    /// The linked page, relative to the docs root.
    pub page: String,
    /// The link as written.
    pub target: String,
    pub line: u32,
}

/// A resource or complex type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// The type's name in the docs, e.g. `mobileAppProvisioningConfigGroupAssignment`.
    pub name: String,
    /// e.g. `microsoft.graph`.
    pub namespace: String,
    pub description: String,
    pub base: Option<BaseType>,
    pub is_abstract: bool,
    /// `openType: true`: instances may carry properties the docs do not list.
    pub open_type: bool,
    /// Has a key (`keyProperty` annotation): an entity rather than a complex type.
    pub key_property: Option<String>,
    pub properties: Vec<Property>,
    /// The `blockType: resource` JSON representation, if any.
    pub json_representation: Option<JsonBlock>,
    pub location: Location,
}

/// Where a model's base type was declared; the three conventions of the docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseSource {
    /// `"baseType": "microsoft.graph.x"` in the resource annotation.
    Annotation,
    /// "Inherits from [x](x.md)" prose.
    Prose,
    /// "Inherited from [x](x.md)" in property rows.
    InheritedRows,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseType {
    pub ty: TypeRef,
    pub source: BaseSource,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Property {
    /// The JSON name, as in the table.
    pub name: String,
    pub ty: TypeRef,
    pub description: String,
    /// From a Relationships table.
    pub navigation: bool,
    /// "Inherited from \[x\]" in the description.
    pub inherited_from: Option<TypeRef>,
    /// An action parameter the page says is required ("Required." in its
    /// description, or a Required column); parameters are optional otherwise.
    #[serde(default, skip_serializing_if = "omit::no")]
    pub required: bool,
    pub location: Location,
}

/// A type as written in a type cell, before resolution.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeRef {
    Primitive(Primitive),
    /// A type named by link or by bare name. `page` is the link target relative
    /// to the docs root, when the cell links one.
    Named {
        name: String,
        page: Option<String>,
    },
    Collection(Box<TypeRef>),
    /// A cell that names no single type (`string/number`, a union, free text).
    Untyped {
        raw: String,
        /// The types of a cell that links several as alternatives (`[a](a.md)
        /// or [b](b.md)`): their closest common base type, if they have one,
        /// can stand for them.
        #[serde(default, skip_serializing_if = "omit::empty_list")]
        one_of: Vec<TypeRef>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Primitive {
    String,
    Boolean,
    Byte,
    Int16,
    Int32,
    Int64,
    Single,
    Double,
    Decimal,
    DateTimeOffset,
    Date,
    TimeOfDay,
    Duration,
    Guid,
    Binary,
    Stream,
    Json,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enum {
    pub name: String,
    pub namespace: String,
    pub description: String,
    pub members: Vec<EnumMember>,
    /// Values are distinct powers of two: Graph sends several, comma-separated.
    pub is_flags: bool,
    /// Not declared by the docs: made from a String property that lists its
    /// possible values in prose or in the JSON representation. A declared
    /// enum of the same name wins over it.
    #[serde(default, skip_serializing_if = "omit::no")]
    pub described: bool,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumMember {
    pub name: String,
    pub value: Option<i64>,
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Patch,
    Put,
    Delete,
}

impl Method {
    pub fn parse(word: &str) -> Option<Method> {
        Some(match word {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PATCH" => Method::Patch,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// A request path as documented, split into segments.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PathTemplate {
    /// The path as written on the page.
    pub raw: String,
    pub segments: Vec<Segment>,
    /// A fixed query string that is part of the documented path, if any.
    pub query: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// `users`, `$value`, `microsoft.graph.group`.
    Literal { name: String },
    /// `{id}`, `{id | userPrincipalName}`: one caller-supplied key.
    Key { placeholder: String, alternates: Vec<String> },
    /// `reminderView(startDateTime={startDateTime},endDateTime={endDateTime})`.
    Function { name: String, args: Vec<FunctionArg> },
    /// `root:/{path}:`: an item addressed by its path.
    Address { placeholder: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FunctionArg {
    /// `None` for a positional argument (`range('{address}')`).
    pub name: Option<String>,
    /// The placeholder in the value, or the literal value when there is none.
    pub value: String,
    pub is_placeholder: bool,
    /// Written in single quotes (a string argument).
    pub quoted: bool,
}

/// What an operation does, which decides its method name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationKind {
    Get,
    List,
    Create,
    Update,
    Replace,
    Delete,
    /// A POST to a bound action segment (`…/assign`).
    Action,
    /// A GET of a function segment (`…/delta()`).
    Function,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub method: Method,
    pub path: PathTemplate,
    pub kind: OperationKind,
    pub title: String,
    pub description: String,
    pub request_body: RequestBody,
    pub response: Response,
    /// Names of the OData query options the page documents (`$select`, …).
    pub query_options: Vec<String>,
    /// Request headers the page documents that a caller may set (not
    /// Authorization, Content-Type, Content-Length or Accept, which the runtime sets).
    pub headers: Vec<String>,
    /// Shared, not copied: the same example travels from the page to the
    /// merged operation and to the emitted tests.
    pub examples: Vec<Arc<Example>>,
    /// The permissions table of the page (written there or included);
    /// `None` when the page has none that could be read.
    #[serde(default, skip_serializing_if = "omit::none")]
    pub permissions: Option<Permissions>,
    /// The request line in the HTTP request block.
    pub location: Location,
}

/// Who may call an operation: per permission type, what its page's
/// permissions table says. A type the table does not list is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Permissions {
    #[serde(default, skip_serializing_if = "omit::none")]
    pub delegated_work_or_school: Option<PermissionSet>,
    #[serde(default, skip_serializing_if = "omit::none")]
    pub delegated_personal: Option<PermissionSet>,
    #[serde(default, skip_serializing_if = "omit::none")]
    pub application: Option<PermissionSet>,
}

/// The permissions of one type, least privileged first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PermissionSet {
    /// `false`: the page says this type of permission is not supported.
    pub supported: bool,
    /// The permission (or permissions) the page marks as least privileged.
    pub least_privileged: Vec<String>,
    /// Permissions that also allow the call but grant more.
    pub higher_privileged: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestBody {
    None,
    /// The body is a JSON representation of this type.
    Type(TypeRef),
    /// An action's parameters, each a property of the body object.
    Parameters(Vec<Property>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// The success status named in the Response section.
    pub status: Option<u16>,
    /// The returned type; `None` when nothing is returned or nothing could be read.
    pub ty: Option<TypeRef>,
}

/// A documented request/response pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub request: Option<ExampleRequest>,
    pub response: Option<ExampleResponse>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExampleRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// The annotation's `name`, pairing it with a response.
    pub name: Option<String>,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExampleResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// `truncated: true`: the body shows only some properties.
    pub truncated: bool,
    /// The annotation's `@odata.type`.
    pub odata_type: Option<String>,
    pub is_collection: bool,
    pub location: Location,
}

/// A JSON block with its line, as written on the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonBlock {
    pub body: Body,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Body {
    None,
    /// JSON, possibly after repairs.
    Json {
        value: Value,
        repairs: Vec<Repair>,
    },
    /// Looks like JSON but cannot be read.
    Invalid {
        text: String,
        error: String,
    },
    /// Not JSON at all: CSV, vCard, XML, binary placeholders.
    Text {
        text: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn optional_property() -> Property {
        Property {
            name: "displayName".into(),
            ty: TypeRef::Untyped { raw: "String or Int32".into(), one_of: Vec::new() },
            description: String::new(),
            navigation: false,
            inherited_from: None,
            required: false,
            location: Location { file: "resources/user.md".into(), line: 40, column: 1 },
        }
    }

    #[test]
    fn empty_fields_are_left_out_of_the_json_but_kept_while_keeping_all() {
        let property = optional_property();
        let json = serde_json::to_value(&property).unwrap();
        assert!(json.get("required").is_none());
        assert!(json["ty"]["untyped"].get("one_of").is_none());
        let kept = omit::keeping_all(|| serde_json::to_value(&property).unwrap());
        assert_eq!(kept["required"], false);
        assert_eq!(kept["ty"]["untyped"]["one_of"], serde_json::json!([]));
        // Left as it was once `keeping_all` returns.
        assert!(serde_json::to_value(&property).unwrap().get("required").is_none());
    }

    #[test]
    fn every_field_reads_back_from_an_encoding_without_field_names() {
        let property = optional_property();
        let bytes = omit::keeping_all(|| rmp_serde::to_vec(&property).unwrap());
        let back: Property = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!(back, property);
    }
}
