//! Resolve: the whole IR → a `TypeSpace` where every type reference points at
//! a model, an enum, a primitive or the documented fallback
//! (`serde_json::Value`), inheritance is flattened, the same operation found
//! on several pages is merged, operations hang in a tree that mirrors the URL
//! path, and every item has its final Rust name.
//!
//! Everything is decided in a stable order (sorted names and paths), so the
//! output does not depend on the order pages were read in.

pub mod areas;
mod enums;
mod examples;
mod models;
pub mod mounts;
pub mod names;
mod operations;
mod polymorphs;
mod tree;
mod types;

use std::collections::BTreeSet;
use std::sync::Arc;

use foldhash::HashMap;
use serde::Serialize;

use crate::diagnostics::{Diagnostic, Location};
use crate::ir::{self, Body, Example, Ir, Method, OperationKind, Primitive, Segment};
use names::Namespace;
pub use tree::segment_display;
pub(crate) use tree::segment_key;

pub type ModelId = usize;
pub type EnumId = usize;
pub type NodeId = usize;
pub type OperationId = usize;

/// The resolved API: what the emitters print.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TypeSpace {
    pub models: Vec<RModel>,
    pub enums: Vec<REnum>,
    pub polymorphs: Vec<RPolymorph>,
    /// Node 0 is the root (the client); every other node is a path segment.
    pub nodes: Vec<Node>,
    pub operations: Vec<ROperation>,
    /// Type references that fell back to `serde_json::Value`.
    pub fallback_types: usize,
    /// Type references in all.
    pub type_references: usize,
    /// Every product area (a cargo feature of the generated crate).
    pub areas: BTreeSet<String>,
}

/// Where a generated struct lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "in")]
pub enum Home {
    /// `crate::models::<module>`: a documented type.
    Models { module: String },
    /// `crate::requests::<module>`: an action's parameter body, next to its request.
    Requests { module: String },
}

#[derive(Debug, Clone, Hash, Serialize)]
pub struct RModel {
    pub rust_name: String,
    pub home: Home,
    /// `microsoft.graph.x`, or the request path for a parameter body.
    pub doc_name: String,
    pub description: String,
    pub page: String,
    /// The line that declares it (the page's title), for messages.
    pub line: u32,
    /// Own and inherited fields, base type's first.
    pub fields: Vec<RField>,
    pub base: Option<ModelId>,
    pub open_type: bool,
    /// The flattened map that keeps properties the docs do not list.
    pub extra_field: String,
    /// The areas whose operations need this type.
    pub areas: BTreeSet<String>,
    /// Sent as the body of a PATCH: its fields are tri-state.
    pub patch_body: bool,
    /// The resource page's JSON representation, for its round-trip test.
    pub representation: Option<Representation>,
}

/// A JSON representation as the round-trip tests need it.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct Representation {
    pub line: u32,
    pub body: RepresentationBody,
}

#[derive(Debug, Clone, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RepresentationBody {
    /// The object, as pretty JSON (after the parser's repairs).
    Json(String),
    /// Why the block cannot be decoded, in words for the round-trip report.
    Unusable(String),
}

impl Representation {
    fn of(block: &crate::ir::JsonBlock) -> Representation {
        let body = match &block.body {
            Body::Json { value: value @ serde_json::Value::Object(_), .. } => {
                RepresentationBody::Json(serde_json::to_string_pretty(value).unwrap_or_default())
            }
            Body::Json { .. } => RepresentationBody::Unusable("the JSON representation is not an object".into()),
            Body::Invalid { error, .. } => {
                RepresentationBody::Unusable(format!("the JSON representation is invalid JSON: {error}"))
            }
            Body::Text { .. } | Body::None => {
                RepresentationBody::Unusable("the JSON representation block holds no JSON".into())
            }
        };
        Representation { line: block.location.line, body }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RField {
    pub rust_name: String,
    pub json_name: String,
    pub ty: RType,
    pub description: String,
    /// A required action parameter: the field is not an `Option`.
    pub required: bool,
    /// The table row that declares it (a base type's row for an inherited
    /// field), for checks against the service's metadata. Not printed.
    pub location: Location,
}

/// Hashes what the emitters print: not the location, so moving a row does
/// not make every model that has it print again.
impl std::hash::Hash for RField {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let RField { rust_name, json_name, ty, description, required, location: _ } = self;
        (rust_name, json_name, ty, description, required).hash(state);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RType {
    Primitive(Primitive),
    Model(ModelId),
    Enum(EnumId),
    Collection(Box<RType>),
    /// No single documented type: `serde_json::Value`.
    Untyped,
    /// The `{"@odata.id": …}` body of a `$ref` operation.
    Reference,
    /// A base type that has derived types: any of them, told apart by
    /// `@odata.type` (an index into `TypeSpace::polymorphs`).
    Polymorphic(usize),
}

/// The dispatch enum of a base type with derived types.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct RPolymorph {
    pub rust_name: String,
    pub module: String,
    pub base: ModelId,
    /// Every model deriving from `base`, directly or not, by full name.
    pub variants: Vec<ModelId>,
    /// The variant for a derived type this crate does not know.
    pub unknown_variant: String,
    pub areas: BTreeSet<String>,
}

#[derive(Debug, Clone, Hash, Serialize)]
pub struct REnum {
    pub rust_name: String,
    pub module: String,
    pub doc_name: String,
    pub description: String,
    pub page: String,
    /// The line that declares it (its members table's section), for messages.
    pub line: u32,
    pub variants: Vec<RVariant>,
    /// The variant that keeps a value this crate does not know yet.
    pub unknown_variant: String,
    pub is_flags: bool,
    /// Made from a String property's listed values, not declared by the docs.
    pub described: bool,
    pub areas: BTreeSet<String>,
}

#[derive(Debug, Clone, Hash, Serialize)]
pub struct RVariant {
    pub rust_name: String,
    pub json_name: String,
    pub description: String,
}

/// A builder in the fluent request tree: one per distinct path prefix.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct Node {
    pub rust_name: String,
    /// The `requests` submodule (named after the first path segment).
    pub module: String,
    pub parent: Option<NodeId>,
    pub segment: Option<Segment>,
    /// The path of this node with `{}` for keys, for doc comments.
    pub path: String,
    /// The method on the parent that returns this node.
    pub accessor: String,
    pub params: Vec<Param>,
    pub children: Vec<NodeId>,
    /// Operations whose method lives on this node's builder.
    pub operations: Vec<OperationId>,
    /// The areas of every operation at or below this node.
    pub areas: BTreeSet<String>,
    /// An alias: its accessor returns the builder of this node (with this
    /// node's own segment appended), and it has no builder of its own.
    /// `/me` serves `/users/{id}`'s requests; `/workbook` below a drive
    /// item serves the Excel pages' requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias_of: Option<NodeId>,
}

impl Node {
    /// A builder of its own: not an alias, and not a leaf function or
    /// action whose only operation became a method of its parent.
    pub fn is_builder(&self) -> bool {
        self.alias_of.is_none() && !self.accessor.is_empty()
    }

    /// The root of a subtree that hangs nowhere but below its aliases
    /// (the Excel pages' `/workbook`).
    pub fn is_mounted_root(&self) -> bool {
        self.parent.is_none() && self.segment.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Param {
    pub rust_name: String,
    pub kind: ParamKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ParamKind {
    Key,
    Address,
    FunctionArg { name: Option<String>, quoted: bool },
}

#[derive(Debug, Clone, Serialize)]
pub struct ROperation {
    pub method: Method,
    pub kind: OperationKind,
    pub rust_name: String,
    /// The node whose path the request goes to.
    pub target: NodeId,
    /// Extra parameters when the operation is a method on the parent of its
    /// target (an action or function segment at the end of the path).
    pub params: Vec<Param>,
    pub body: Option<RType>,
    pub response: ResponseShape,
    pub title: String,
    pub description: String,
    pub page: String,
    pub path: String,
    /// Other paths pages document the same request at (`/me/events` for
    /// `/users/{id}/events`), as written.
    pub also: Vec<String>,
    pub query_options: Vec<String>,
    pub headers: Vec<String>,
    /// The permissions the page documents, for the request's doc comment.
    pub permissions: Option<ir::Permissions>,
    pub examples: Vec<std::sync::Arc<Example>>,
    pub location: Location,
    pub area: String,
}

/// Hashes what the request builders print (not the examples or the
/// location, which they do not), for the emit cache.
impl std::hash::Hash for ROperation {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let ROperation {
            method,
            kind,
            rust_name,
            target,
            params,
            body,
            response,
            title,
            description,
            page,
            path,
            also,
            query_options,
            headers,
            permissions,
            examples: _,
            location: _,
            area,
        } = self;
        (method, kind, rust_name, target, params, body, response).hash(state);
        (title, description, page, path, also, query_options, headers, permissions, area).hash(state);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseShape {
    /// A JSON body of this type.
    Json(RType),
    /// A collection: `{"value": [...], "@odata.nextLink": …}`.
    Page(RType),
    /// One primitive or enum value, which OData wraps: `{"value": …}`
    /// (a function such as a chart's `image`, a single property's value).
    Wrapped(RType),
    /// No body (204).
    Empty,
    /// Raw bytes (`$value`, Stream).
    Bytes,
}

impl ResponseShape {
    /// The type a JSON answer decodes into (the item type of a page).
    pub fn decoded_type(&self) -> Option<&RType> {
        match self {
            ResponseShape::Json(ty) | ResponseShape::Page(ty) | ResponseShape::Wrapped(ty) => Some(ty),
            ResponseShape::Empty | ResponseShape::Bytes => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum TypeId {
    Model(usize),
    Enum(usize),
}

pub fn resolve(ir: &Ir) -> (TypeSpace, Vec<Diagnostic>) {
    let (space, diagnostics, ()) = resolve_and(ir, |_| ());
    (space, diagnostics)
}

/// Resolves `ir`, then runs `then` on the finished type space while the
/// examples are checked against it: the checks only add diagnostics, so the
/// emitter need not wait for them, and each fills the other's idle core.
pub fn resolve_and<T: Send>(ir: &Ir, then: impl FnOnce(&TypeSpace) -> T + Send) -> (TypeSpace, Vec<Diagnostic>, T) {
    let mut resolver = Resolver::default();
    // The paths are read from the IR alone, on the other core while the
    // types are declared and the models built.
    let (paths, ()) = rayon::join(
        || operations::Paths::read(ir),
        || {
            resolver.declare_types(ir);
            resolver.build_models(ir);
            resolver.build_enums(ir);
        },
    );
    resolver.build_operations(paths);
    resolver.build_polymorphs();
    resolver.check_links(ir);
    let Resolver { mut space, mut diagnostics, model_sources, .. } = resolver;
    // The checks read the IR's JSON, not the text the round-trip tests keep.
    let representations: Vec<(ModelId, &serde_json::Value)> = model_sources
        .iter()
        .enumerate()
        .filter_map(|(id, source)| match ir.models[*source].json_representation.as_ref().map(|r| &r.body) {
            Some(Body::Json { value: value @ serde_json::Value::Object(_), .. }) => Some((id, value)),
            _ => None,
        })
        .collect();
    areas::assign(&mut space, &ir.pages);
    let (checked, then) = rayon::join(|| examples::check(&space, &representations), || then(&space));
    diagnostics.extend(checked);
    (space, diagnostics, then)
}

#[derive(Default)]
struct Resolver {
    space: TypeSpace,
    diagnostics: Vec<Diagnostic>,
    /// Canonical IR model index for each resolved model (documented models only).
    model_sources: Vec<usize>,
    enum_sources: Vec<usize>,
    /// The other declarations of each model and enum (another page declares
    /// the same type: `user` on `user.md` and on an Intune page).
    model_others: Vec<Vec<usize>>,
    enum_others: Vec<Vec<usize>>,
    /// Lower-cased page path → the types declared on it.
    by_page: HashMap<String, Vec<TypeId>>,
    /// Lower-cased simple name → types with that name.
    by_name: HashMap<String, Vec<TypeId>>,
    /// Every page path, lower-cased, to tell broken links.
    pages: HashMap<String, String>,
    type_names: Namespace,
    module_names: Namespace,
    /// (parent node, `segment_key` of a child's segment) → the child, so
    /// finding a path's node does not scan a parent's hundreds of children.
    children_by_key: HashMap<(NodeId, String), NodeId>,
}

/// One (method, path) as the pages document it: the page that leads, the
/// examples of every page, and the other pages (checked for agreement).
struct MergedOperation<'ir> {
    lead: &'ir ir::Operation,
    /// The lead's path with every alias replaced by its target.
    canonical: Vec<Segment>,
    examples: Vec<Arc<Example>>,
    others: Vec<&'ir ir::Operation>,
}
