//! Resolve: the whole IR → a `TypeSpace` where every type reference points at
//! a model, an enum, a primitive or the documented fallback
//! (`serde_json::Value`), inheritance is flattened, the same operation found
//! on several pages is merged, operations hang in a tree that mirrors the URL
//! path, and every item has its final Rust name.
//!
//! Everything is decided in a stable order (sorted names and paths), so the
//! output does not depend on the order pages were read in.

pub mod areas;
mod examples;
pub mod mounts;
pub mod names;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use serde::Serialize;

use crate::diagnostics::{Code, Diagnostic, Location, Severity};
use crate::ir::{self, Body, Example, Ir, Method, OperationKind, Primitive, RequestBody, Segment, TypeRef};
use names::Namespace;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Model,
    Enum,
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
    resolver.declare_types(ir);
    resolver.build_models(ir);
    resolver.build_enums(ir);
    resolver.build_operations(ir);
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

impl Resolver {
    /// Gives each documented type an id and a Rust name. A type declared on
    /// several pages keeps one declaration: the one with the most properties,
    /// then the first page by path.
    fn declare_types(&mut self, ir: &Ir) {
        for page in &ir.pages {
            self.pages.insert(page.file.to_ascii_lowercase(), page.file.clone());
        }
        let model_keys = ir
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| (i, full_name(&m.namespace, &m.name), m.properties.len(), &m.location));
        let canonical_models = self.canonical(model_keys.collect());
        let canonical_enums = self.canonical(enum_declarations(ir));

        // Name in sorted order of full name, so naming never depends on page order.
        let mut order: Vec<(String, Kind, usize)> = Vec::new();
        order.extend(canonical_models.iter().map(|(key, sources)| (key.clone(), Kind::Model, sources[0])));
        order.extend(canonical_enums.iter().map(|(key, sources)| (key.clone(), Kind::Enum, sources[0])));
        order.sort();
        let mut id_of_model: HashMap<usize, ModelId> = HashMap::new();
        let mut id_of_enum: HashMap<usize, EnumId> = HashMap::new();
        for (key, kind, source) in order {
            let (namespace, name, location) = match kind {
                Kind::Model => (&ir.models[source].namespace, &ir.models[source].name, &ir.models[source].location),
                Kind::Enum => (&ir.enums[source].namespace, &ir.enums[source].name, &ir.enums[source].location),
            };
            let wanted = format!("{}{}", namespace_prefix(namespace), names::type_name(name));
            let (rust_name, renamed) = self.type_names.claim(&wanted);
            if renamed {
                self.diagnostics.push(Diagnostic::note(
                    Code::NameCollision,
                    location.clone(),
                    format!("`{key}` would be named `{wanted}` like another type; named it `{rust_name}`"),
                ));
            }
            let (module, _) = self.module_names.claim(&names::module_name(&rust_name));
            let page = location.file.clone();
            let line = location.line;
            match kind {
                Kind::Model => {
                    id_of_model.insert(source, self.space.models.len());
                    self.model_sources.push(source);
                    self.model_others.push(canonical_models[&key][1..].to_vec());
                    self.space.models.push(RModel {
                        rust_name,
                        home: Home::Models { module },
                        doc_name: key,
                        description: ir.models[source].description.clone(),
                        page,
                        line,
                        fields: Vec::new(),
                        base: None,
                        open_type: ir.models[source].open_type,
                        extra_field: String::new(),
                        areas: BTreeSet::new(),
                        patch_body: false,
                        representation: ir.models[source].json_representation.as_ref().map(Representation::of),
                    });
                }
                Kind::Enum => {
                    id_of_enum.insert(source, self.space.enums.len());
                    self.enum_sources.push(source);
                    self.enum_others.push(canonical_enums[&key][1..].to_vec());
                    self.space.enums.push(REnum {
                        rust_name,
                        module,
                        doc_name: key,
                        description: ir.enums[source].description.clone(),
                        page,
                        line,
                        variants: Vec::new(),
                        unknown_variant: String::new(),
                        is_flags: ir.enums[source].is_flags,
                        described: ir.enums[source].described,
                        areas: BTreeSet::new(),
                    });
                }
            }
        }
        // Every declaration, kept or not, answers for its page and its name.
        for model in &ir.models {
            let id = id_of_model[&canonical_models[&full_name(&model.namespace, &model.name)][0]];
            self.index(&model.location.file, &model.name, TypeId::Model(id));
        }
        for en in &ir.enums {
            // A described enum named like a model gave way to it: the model answers.
            let Some(sources) = canonical_enums.get(&full_name(&en.namespace, &en.name)) else { continue };
            self.index(&en.location.file, &en.name, TypeId::Enum(id_of_enum[&sources[0]]));
        }
    }

    /// Every link to a page that is not in the docs folder (the lookups of
    /// linked types report the same links with the same words; `sort` keeps one).
    fn check_links(&mut self, ir: &Ir) {
        for page in &ir.pages {
            for link in page.links.iter().filter(|l| !self.pages.contains_key(&l.page.to_ascii_lowercase())) {
                let location = Location { file: page.file.clone(), line: link.line, column: 1 };
                let message = format!("the link to `{}` points at a page that does not exist", link.page);
                self.diagnostics
                    .push(Diagnostic::warning(Code::BrokenLink, location, message).pointing_at(&link.target));
            }
        }
    }

    fn index(&mut self, page: &str, name: &str, id: TypeId) {
        let on_page = self.by_page.entry(page.to_ascii_lowercase()).or_default();
        if !on_page.contains(&id) {
            on_page.push(id);
        }
        let named = self.by_name.entry(name.to_ascii_lowercase()).or_default();
        if !named.contains(&id) {
            named.push(id);
        }
    }

    /// Groups the declarations of each full name: the one with the most
    /// properties or members leads (the first page by path on a tie), the
    /// others follow in page order and add what it lacks; each is noted.
    /// Each declaration is (source index, full name, size, location).
    fn canonical(&mut self, declarations: Vec<(usize, String, usize, &Location)>) -> BTreeMap<String, Vec<usize>> {
        let mut groups: BTreeMap<String, Vec<(usize, usize, &Location)>> = BTreeMap::new();
        for (index, key, size, location) in declarations {
            groups.entry(key).or_default().push((index, size, location));
        }
        let mut chosen = BTreeMap::new();
        for (key, mut group) in groups {
            group.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(b.2)));
            let (_, _, lead_location) = group[0];
            group[1..].sort_by(|a, b| a.2.cmp(b.2));
            for (_, _, location) in &group[1..] {
                self.diagnostics.push(Diagnostic::note(
                    Code::DuplicateType,
                    (*location).clone(),
                    format!(
                        "`{key}` is also declared on {}; the declarations are merged, that one first",
                        lead_location.file
                    ),
                ));
            }
            chosen.insert(key, group.iter().map(|(index, _, _)| *index).collect());
        }
        chosen
    }

    /// Resolves a type as written on `at`'s page.
    fn resolve_type(&mut self, ty: &TypeRef, at: &Location) -> RType {
        self.space.type_references += 1;
        match ty {
            TypeRef::Primitive(p) => RType::Primitive(*p),
            TypeRef::Collection(inner) => {
                self.space.type_references -= 1;
                RType::Collection(Box::new(self.resolve_type(inner, at)))
            }
            TypeRef::Untyped { raw, one_of } => {
                if let Some(base) = self.common_base_of(one_of, at) {
                    return RType::Model(base);
                }
                self.space.fallback_types += 1;
                self.diagnostics.push(
                    Diagnostic::note(
                        Code::UnresolvedType,
                        at.clone(),
                        format!("`{raw}` names no single type; using serde_json::Value"),
                    )
                    .pointing_at(raw.as_str()),
                );
                RType::Untyped
            }
            TypeRef::Named { name, page } => match self.lookup(name, page.as_deref(), at) {
                Some(TypeId::Model(id)) => RType::Model(id),
                Some(TypeId::Enum(id)) => RType::Enum(id),
                None => {
                    if let Some(primitive) = crate::parse::type_cell::primitive(name) {
                        return RType::Primitive(primitive);
                    }
                    self.space.fallback_types += 1;
                    self.diagnostics.push(
                        Diagnostic::warning(
                            Code::UnresolvedType,
                            at.clone(),
                            format!("no page declares the type `{name}`; using serde_json::Value"),
                        )
                        .pointing_at(name.as_str()),
                    );
                    RType::Untyped
                }
            },
        }
    }

    /// The type a reference names. A link to a page answers with the type
    /// of that page whose name the link text gives (`NAV.PostalAddress`
    /// names `postalAddress`), or with the page's only type; a page that
    /// declares several and none by that name does not answer, and neither
    /// does its first type: the name is looked up among all types instead.
    fn lookup(&mut self, name: &str, page: Option<&str>, at: &Location) -> Option<TypeId> {
        let wanted = name.to_ascii_lowercase();
        let simple = wanted.rsplit('.').next().unwrap_or(&wanted).to_string();
        if let Some(page) = page {
            let key = page.to_ascii_lowercase();
            match self.by_page.get(&key) {
                Some(ids) => {
                    let named = ids.iter().find(|id| {
                        let declared = self.simple_name(**id);
                        declared.eq_ignore_ascii_case(&wanted) || declared.eq_ignore_ascii_case(&simple)
                    });
                    match (named, ids.as_slice()) {
                        (Some(id), _) => return Some(*id),
                        (None, [only]) if !self.by_name.contains_key(&simple) => return Some(*only),
                        _ => {}
                    }
                }
                None if !self.pages.contains_key(&key) => self.diagnostics.push(Diagnostic::warning(
                    Code::BrokenLink,
                    at.clone(),
                    format!("the link to `{page}` points at a page that does not exist"),
                )),
                None => {}
            }
        }
        let ids = self.by_name.get(&wanted).or_else(|| self.by_name.get(&simple))?;
        let preferred = ids.iter().find(|id| {
            self.doc_name(**id).starts_with("microsoft.graph.") && self.doc_name(**id).matches('.').count() == 2
        });
        Some(*preferred.unwrap_or(&ids[0]))
    }

    fn doc_name(&self, id: TypeId) -> &str {
        match id {
            TypeId::Model(i) => &self.space.models[i].doc_name,
            TypeId::Enum(i) => &self.space.enums[i].doc_name,
        }
    }

    fn simple_name(&self, id: TypeId) -> &str {
        let full = self.doc_name(id);
        full.rsplit('.').next().unwrap_or(full)
    }

    fn build_models(&mut self, ir: &Ir) {
        // Bases first (a field typed `a or b` is their common base), then
        // own fields, then flatten in dependency order.
        let declarations_of = |id: ModelId| -> Vec<&ir::Model> {
            std::iter::once(self.model_sources[id])
                .chain(self.model_others[id].iter().copied())
                .map(|source| ir.models[source].as_ref())
                .collect()
        };
        let declarations: Vec<Vec<&ir::Model>> = (0..self.space.models.len()).map(declarations_of).collect();
        for (id, declarations) in declarations.iter().enumerate() {
            // The leading declaration's base, else the first another gives.
            let base = declarations.iter().find_map(|d| d.base.as_ref().map(|b| (&b.ty, &d.location)));
            let base = base.and_then(|(ty, at)| match self.lookup_base(ty, at) {
                Some(base) if base != id => Some(base),
                _ => None,
            });
            self.space.models[id].base = base;
        }
        let mut own: Vec<Vec<RField>> = Vec::new();
        for declarations in &declarations {
            let mut seen = HashSet::new();
            let properties = declarations.iter().flat_map(|d| &d.properties).filter(|p| seen.insert(p.name.clone()));
            let fields = properties
                .collect::<Vec<_>>()
                .into_iter()
                .map(|p| RField {
                    rust_name: String::new(),
                    json_name: p.name.clone(),
                    ty: self.resolve_type(&p.ty, &p.location),
                    description: p.description.clone(),
                    required: false,
                    location: p.location.clone(),
                })
                .collect();
            own.push(fields);
        }
        for id in 0..self.space.models.len() {
            let fields = self.flatten(id, &own, &mut Vec::new());
            self.space.models[id].fields = fields;
            self.name_fields(id);
        }
    }

    fn lookup_base(&mut self, ty: &TypeRef, at: &Location) -> Option<ModelId> {
        let TypeRef::Named { name, page } = ty else {
            return None;
        };
        match self.lookup(name, page.as_deref(), at) {
            Some(TypeId::Model(id)) => Some(id),
            _ => {
                self.diagnostics.push(Diagnostic::warning(
                    Code::UnresolvedType,
                    at.clone(),
                    format!("the base type `{name}` is not a documented model; its properties are not inherited"),
                ));
                None
            }
        }
    }

    /// Base fields first (recursively), then own fields; an own field with
    /// the same JSON name as a base field replaces it in place.
    fn flatten(&mut self, id: ModelId, own: &[Vec<RField>], visiting: &mut Vec<ModelId>) -> Vec<RField> {
        if visiting.contains(&id) {
            let location = Location { file: self.space.models[id].page.clone(), line: 1, column: 1 };
            self.diagnostics.push(Diagnostic::warning(
                Code::UnresolvedType,
                location,
                format!("`{}` inherits from itself through its base types", self.space.models[id].doc_name),
            ));
            return Vec::new();
        }
        visiting.push(id);
        let mut fields = match self.space.models[id].base {
            Some(base) => self.flatten(base, own, visiting),
            None => Vec::new(),
        };
        visiting.pop();
        // By name, not by search: a table of 100,000 rows must not cost 10^10 comparisons.
        let mut at: HashMap<String, usize> = fields.iter().enumerate().map(|(i, f)| (f.json_name.clone(), i)).collect();
        for field in &own[id] {
            match at.get(&field.json_name) {
                Some(&i) => fields[i] = field.clone(),
                None => {
                    at.insert(field.json_name.clone(), fields.len());
                    fields.push(field.clone());
                }
            }
        }
        fields
    }

    fn name_fields(&mut self, id: ModelId) {
        let model = &mut self.space.models[id];
        let mut taken = Namespace::new();
        let mut renamed = Vec::new();
        for field in &mut model.fields {
            let wanted = names::value_name(&field.json_name);
            let (name, changed) = taken.claim(&wanted);
            if changed {
                renamed.push(format!("`{}` is named `{}`", field.json_name, name));
            }
            field.rust_name = name;
        }
        model.extra_field = taken.claim("additional_properties").0;
        if !renamed.is_empty() {
            let location = Location { file: model.page.clone(), line: 1, column: 1 };
            let message = format!("properties of `{}` collide in snake_case: {}", model.doc_name, renamed.join(", "));
            self.diagnostics.push(Diagnostic::note(Code::NameCollision, location, message));
        }
    }

    fn build_enums(&mut self, ir: &Ir) {
        for id in 0..self.space.enums.len() {
            let declarations = std::iter::once(self.enum_sources[id]).chain(self.enum_others[id].iter().copied());
            let members: Vec<&ir::EnumMember> = declarations.flat_map(|source| &ir.enums[source].members).collect();
            let mut taken = Namespace::new();
            let mut seen = HashSet::new();
            let variants: Vec<RVariant> = members
                .into_iter()
                .filter(|m| !m.name.is_empty() && seen.insert(m.name.clone()))
                .map(|m| RVariant {
                    rust_name: taken.claim(&names::variant_name(&m.name)).0,
                    json_name: m.name.clone(),
                    description: m.description.clone(),
                })
                .collect();
            let unknown = taken.claim("Unrecognized").0;
            let en = &mut self.space.enums[id];
            en.variants = variants;
            en.unknown_variant = unknown;
        }
    }

    // ----- operations and the request tree -----

    fn build_operations(&mut self, ir: &Ir) {
        let aliases = mounts::Aliases::find(ir);
        let merged = self.merge_operations(ir, &aliases);
        let quoted = quoted_function_args(ir);
        self.space.nodes.push(Node {
            rust_name: "GraphClient".into(),
            module: String::new(),
            parent: None,
            segment: None,
            path: String::new(),
            accessor: String::new(),
            params: Vec::new(),
            children: Vec::new(),
            operations: Vec::new(),
            areas: BTreeSet::new(),
            alias_of: None,
        });
        let mut node_names = Namespace::new();
        node_names.claim("GraphClient");
        let mut modules = Namespace::new();
        let mut targets = Vec::new();
        for merged in &merged {
            let mut segments = aliases.canonical(&merged.lead.path.segments);
            quote_string_args(&mut segments, &quoted);
            targets.push(self.node_for(&segments, &mut node_names, &mut modules));
        }
        for alias in &aliases.aliases {
            let Some((segment, parent)) = alias.from.split_last() else { continue };
            let parent = self.node_for(&aliases.canonical(parent), &mut node_names, &mut modules);
            let target = self.node_for(&aliases.canonical(&alias.to), &mut node_names, &mut modules);
            self.alias_node(parent, segment, target);
        }
        self.mount_relative_roots(&merged, &targets);
        // Leaf actions and functions become methods on their parent.
        let mut hosted_on_parent = vec![false; merged.len()];
        let mut ops_at: HashMap<NodeId, Vec<usize>> = HashMap::new();
        for (index, target) in targets.iter().enumerate() {
            ops_at.entry(*target).or_default().push(index);
        }
        for (index, MergedOperation { lead: op, .. }) in merged.iter().enumerate() {
            let node = &self.space.nodes[targets[index]];
            let leaf = node.children.is_empty() && ops_at[&targets[index]].len() == 1;
            let callable = matches!(node.segment, Some(Segment::Function { .. }))
                || (op.kind == OperationKind::Action && matches!(node.segment, Some(Segment::Literal { .. })));
            hosted_on_parent[index] = leaf && callable && node.parent.is_some();
        }
        let mut body_names = Namespace::new();
        for (index, MergedOperation { lead: op, examples, others }) in merged.into_iter().enumerate() {
            let also = mounts::also_documented(op, &others);
            let target = targets[index];
            let host = if hosted_on_parent[index] { self.space.nodes[target].parent.unwrap_or(0) } else { target };
            let params =
                if hosted_on_parent[index] { std::mem::take(&mut self.space.nodes[target].params) } else { Vec::new() };
            let body = self.operation_body(op, target, hosted_on_parent[index], &mut body_names);
            let response = self.response_shape(op, &examples);
            let (body, response) = self.agreed_types(op, &others, body, response);
            if let (Method::Patch, Some(RType::Model(model))) = (op.method, &body) {
                self.space.models[*model].patch_body = true;
            }
            let id = self.space.operations.len();
            self.space.operations.push(ROperation {
                method: op.method,
                kind: op.kind,
                rust_name: String::new(),
                target,
                params,
                body,
                response,
                page: op.location.file.clone(),
                title: op.title.clone(),
                description: op.description.clone(),
                path: op.path.raw.clone(),
                also,
                query_options: op.query_options.clone(),
                headers: op.headers.clone(),
                permissions: op.permissions.clone(),
                examples,
                location: op.location.clone(),
                area: String::new(),
            });
            self.space.nodes[host].operations.push(id);
        }
        // A node whose only operation moved to its parent is not a builder any more.
        for index in 0..self.space.nodes.len() {
            let node = &self.space.nodes[index];
            let hosted_elsewhere = node.operations.is_empty()
                && node.children.is_empty()
                && node.parent.is_some()
                && node.alias_of.is_none();
            if hosted_elsewhere && let Some(parent) = node.parent {
                self.space.nodes[parent].children.retain(|c| *c != index);
            }
        }
        self.name_methods();
    }

    /// A dispatch enum for every base type that has derived types and is used
    /// somewhere (a field, a body, a response), and every such use pointed
    /// at it, so values decode into the type their `@odata.type` names.
    fn build_polymorphs(&mut self) {
        let count = self.space.models.len();
        let mut derived: Vec<Vec<ModelId>> = vec![Vec::new(); count];
        for (id, model) in self.space.models.iter().enumerate() {
            if let Some(base) = model.base {
                derived[base].push(id);
            }
        }
        let mut used: Vec<ModelId> = Vec::new();
        let field_types = self.space.models.iter().flat_map(|m| m.fields.iter().map(|f| &f.ty));
        let op_types = self.space.operations.iter().flat_map(|op| op.body.iter().chain(op.response.decoded_type()));
        for ty in field_types.chain(op_types) {
            collect_models(ty, &mut used);
        }
        used.retain(|id| !derived[*id].is_empty());
        used.sort_by(|a, b| self.space.models[*a].doc_name.cmp(&self.space.models[*b].doc_name));
        used.dedup();
        let mut poly_of: HashMap<ModelId, usize> = HashMap::new();
        for base in used {
            let mut variants = Vec::new();
            let mut pending = derived[base].clone();
            while let Some(next) = pending.pop() {
                if next != base && !variants.contains(&next) {
                    variants.push(next);
                    pending.extend(derived[next].iter().copied());
                }
            }
            variants.sort_by(|a, b| self.space.models[*a].doc_name.cmp(&self.space.models[*b].doc_name));
            let wanted = format!("Any{}", self.space.models[base].rust_name);
            let (rust_name, _) = self.type_names.claim(&wanted);
            let (module, _) = self.module_names.claim(&names::module_name(&rust_name));
            let mut taken = Namespace::new();
            taken.claim(&self.space.models[base].rust_name);
            for variant in &variants {
                taken.claim(&self.space.models[*variant].rust_name);
            }
            let unknown_variant = taken.claim("Unrecognized").0;
            poly_of.insert(base, self.space.polymorphs.len());
            self.space.polymorphs.push(RPolymorph {
                rust_name,
                module,
                base,
                variants,
                unknown_variant,
                areas: BTreeSet::new(),
            });
        }
        for model in &mut self.space.models {
            for field in &mut model.fields {
                point_at_polymorphs(&mut field.ty, &poly_of);
            }
        }
        for op in &mut self.space.operations {
            if let Some(body) = &mut op.body {
                point_at_polymorphs(body, &poly_of);
            }
            if let ResponseShape::Json(ty) | ResponseShape::Page(ty) | ResponseShape::Wrapped(ty) = &mut op.response {
                point_at_polymorphs(ty, &poly_of);
            }
        }
    }

    /// One operation per (method, path) across all pages, sorted by path.
    /// The page that documents the path itself leads (see `lead_rank`), the
    /// first such in page order on a tie. Every page adds its examples, in
    /// page order; the other pages' body and response types are unified with
    /// the leader's (see `unify`).
    fn merge_operations<'ir>(&mut self, ir: &'ir Ir, aliases: &mounts::Aliases) -> Vec<MergedOperation<'ir>> {
        let mut by_key: BTreeMap<(String, Method), Vec<&ir::Operation>> = BTreeMap::new();
        for op in &ir.operations {
            by_key.entry((path_key(&aliases.canonical(&op.path.segments)), op.method)).or_default().push(op);
        }
        by_key
            .into_values()
            .map(|mut ops| {
                // `min_by_key` keeps the first of equals: page order breaks ties.
                let lead = match ops.len() {
                    1 => 0,
                    _ => (0..ops.len()).min_by_key(|i| std::cmp::Reverse(lead_rank(ops[*i]))).unwrap_or(0),
                };
                let examples = ops.iter().flat_map(|op| op.examples.iter().cloned()).collect();
                let lead = ops.remove(lead);
                MergedOperation { lead, examples, others: ops }
            })
            .collect()
    }

    /// The type several pages agree on: the same type, or the closest base
    /// type of the ones they name (127 pages each document `GET
    /// /deviceManagement/deviceConfigurations` for one derived type; the
    /// operation returns their base). `None` when they are unrelated.
    fn unify(&self, first: &RType, other: &RType) -> Option<RType> {
        match (first, other) {
            _ if first == other => Some(first.clone()),
            (RType::Model(a), RType::Model(b)) => self.common_base(*a, *b).map(RType::Model),
            (RType::Collection(a), RType::Collection(b)) => self.unify(a, b).map(|t| RType::Collection(Box::new(t))),
            _ => None,
        }
    }

    /// The closest base type that alternatives (`[a](a.md) or [b](b.md)`)
    /// have in common, when each is a documented model.
    fn common_base_of(&mut self, one_of: &[TypeRef], at: &Location) -> Option<ModelId> {
        let mut common: Option<ModelId> = None;
        for alternative in one_of {
            let TypeRef::Named { name, page } = alternative else { return None };
            let Some(TypeId::Model(model)) = self.lookup(name, page.as_deref(), at) else { return None };
            common = Some(match common {
                None => model,
                Some(so_far) => self.common_base(so_far, model)?,
            });
        }
        common.filter(|_| one_of.len() > 1)
    }

    fn common_base(&self, a: ModelId, b: ModelId) -> Option<ModelId> {
        let mut ancestors = vec![a];
        while let Some(base) = ancestors.last().and_then(|m| self.space.models[*m].base) {
            if ancestors.contains(&base) {
                break;
            }
            ancestors.push(base);
        }
        let mut current = Some(b);
        let mut seen = Vec::new();
        while let Some(model) = current {
            if ancestors.contains(&model) {
                return Some(model);
            }
            if seen.contains(&model) {
                return None;
            }
            seen.push(model);
            current = self.space.models[model].base;
        }
        None
    }

    fn unify_shapes(&self, first: &ResponseShape, other: &ResponseShape) -> Option<ResponseShape> {
        match (first, other) {
            _ if first == other => Some(first.clone()),
            (ResponseShape::Json(a), ResponseShape::Json(b)) => self.unify(a, b).map(ResponseShape::Json),
            (ResponseShape::Page(a), ResponseShape::Page(b)) => self.unify(a, b).map(ResponseShape::Page),
            (ResponseShape::Wrapped(a), ResponseShape::Wrapped(b)) => self.unify(a, b).map(ResponseShape::Wrapped),
            _ => None,
        }
    }

    /// The first page's body and response, unified with what the other pages
    /// documenting the same operation say; a page that disagrees beyond a
    /// common base type is reported.
    fn agreed_types(
        &mut self,
        first: &ir::Operation,
        others: &[&ir::Operation],
        mut body: Option<RType>,
        mut response: ResponseShape,
    ) -> (Option<RType>, ResponseShape) {
        for other in others {
            let mut agrees = true;
            if let (Some(current), RequestBody::Type(ty)) = (&body, &other.request_body) {
                let other_body = self.resolve_type(ty, &other.location);
                match self.unify(current, &other_body) {
                    Some(unified) => body = Some(unified),
                    None => agrees = false,
                }
            } else if std::mem::discriminant(&first.request_body) != std::mem::discriminant(&other.request_body) {
                agrees = false;
            }
            let other_response = self.response_shape(other, &other.examples);
            match self.unify_shapes(&response, &other_response) {
                Some(unified) => response = unified,
                None => agrees = false,
            }
            if !agrees {
                self.diagnostics.push(Diagnostic::new(
                    Code::OperationConflict,
                    Severity::Note,
                    other.location.clone(),
                    format!(
                        "{} {} is also documented on {} with a different body or response type; that page's is used",
                        other.method.as_str(),
                        other.path.raw,
                        first.location.file
                    ),
                ));
            }
        }
        (body, response)
    }

    /// Finds or creates the node for a path, creating its ancestors too.
    fn node_for(&mut self, segments: &[Segment], node_names: &mut Namespace, modules: &mut Namespace) -> NodeId {
        let mut current = 0;
        for (depth, segment) in segments.iter().enumerate() {
            let key = (current, segment_key(segment));
            current = match self.children_by_key.get(&key) {
                Some(child) => *child,
                None => {
                    let parent = &self.space.nodes[current];
                    let stem = parent.rust_name.strip_suffix("Request").unwrap_or("");
                    let stem = if current == 0 { "" } else { stem };
                    let (rust_name, _) = node_names.claim(&format!("{stem}{}Request", segment_piece(segment)));
                    let module = if depth == 0 {
                        modules.claim(&names::module_name(&segment_piece(segment))).0
                    } else {
                        parent.module.clone()
                    };
                    let path = format!("{}/{}", parent.path, segment_display(segment));
                    let id = self.space.nodes.len();
                    self.space.nodes.push(Node {
                        rust_name,
                        module,
                        parent: Some(current),
                        segment: Some(segment.clone()),
                        path,
                        accessor: String::new(),
                        params: segment_params(segment),
                        children: Vec::new(),
                        operations: Vec::new(),
                        areas: BTreeSet::new(),
                        alias_of: None,
                    });
                    self.space.nodes[current].children.push(id);
                    self.children_by_key.insert(key, id);
                    id
                }
            };
        }
        current
    }

    fn operation_body(
        &mut self,
        op: &ir::Operation,
        target: NodeId,
        hosted: bool,
        body_names: &mut Namespace,
    ) -> Option<RType> {
        let ends_in_ref = matches!(op.path.segments.last(), Some(Segment::Literal { name }) if name == "$ref");
        if ends_in_ref && matches!(op.method, Method::Post | Method::Put) {
            return Some(RType::Reference);
        }
        match &op.request_body {
            RequestBody::None => None,
            RequestBody::Type(ty) => Some(self.resolve_type(ty, &op.location)),
            RequestBody::Parameters(properties) => {
                let node = &self.space.nodes[target];
                let stem = node.rust_name.strip_suffix("Request").unwrap_or(&node.rust_name).to_string();
                let suffix = if hosted {
                    String::new()
                } else {
                    names::type_name(op.method.as_str().to_ascii_lowercase().as_str())
                };
                let (rust_name, _) = body_names.claim(&format!("{stem}{suffix}Body"));
                let module = node.module.clone();
                // A parameter listed twice is one JSON key: keep its first row.
                let mut seen = HashSet::new();
                let fields = properties
                    .iter()
                    .filter(|p| seen.insert(p.name.clone()))
                    .map(|p| RField {
                        rust_name: String::new(),
                        json_name: p.name.clone(),
                        ty: self.resolve_type(&p.ty, &p.location),
                        description: p.description.clone(),
                        // A PATCH sends only what changes: nothing is required.
                        required: p.required && op.method != Method::Patch,
                        location: p.location.clone(),
                    })
                    .collect();
                let id = self.space.models.len();
                self.space.models.push(RModel {
                    rust_name,
                    home: Home::Requests { module },
                    doc_name: format!("{} {}", op.method.as_str(), op.path.raw),
                    description: format!("The request body of `{} {}`.", op.method.as_str(), op.path.raw),
                    page: op.location.file.clone(),
                    line: op.location.line,
                    fields,
                    base: None,
                    open_type: false,
                    extra_field: String::new(),
                    areas: BTreeSet::new(),
                    patch_body: false,
                    representation: None,
                });
                self.name_fields(id);
                Some(RType::Model(id))
            }
        }
    }

    /// What `op` answers; `examples` are the examples of every page that
    /// documents it (the merged operation's), or its page's own.
    fn response_shape(&mut self, op: &ir::Operation, examples: &[Arc<Example>]) -> ResponseShape {
        let ends_in_value = matches!(op.path.segments.last(), Some(Segment::Literal { name }) if name == "$value");
        if ends_in_value {
            return ResponseShape::Bytes;
        }
        // A page that documents several methods has one Response section; the
        // operation's own examples say better what it returns.
        let statuses: Vec<u16> = examples.iter().filter_map(|e| e.response.as_ref()).map(|r| r.status).collect();
        let status = match statuses.first() {
            Some(first) if statuses.iter().all(|s| s == first) => Some(*first),
            _ => op.response.status,
        };
        match status {
            Some(204) => return ResponseShape::Empty,
            // A redirect to the content (reports, downloads): the client follows it.
            Some(300..=399) => return ResponseShape::Bytes,
            _ => {}
        }
        if op.method == Method::Delete && status != Some(200) {
            return ResponseShape::Empty;
        }
        match &op.response.ty {
            None => match op.response.status {
                Some(200 | 201) => ResponseShape::Json(RType::Untyped),
                _ => ResponseShape::Empty,
            },
            Some(TypeRef::Primitive(Primitive::Stream)) => ResponseShape::Bytes,
            Some(TypeRef::Collection(inner)) => {
                let inner = self.resolve_type(inner, &op.location);
                ResponseShape::Page(inner)
            }
            Some(ty) => match self.resolve_type(ty, &op.location) {
                ty @ RType::Enum(_) => ResponseShape::Wrapped(ty),
                ty @ RType::Primitive(p) if p != Primitive::Json => ResponseShape::Wrapped(ty),
                ty => ResponseShape::Json(ty),
            },
        }
    }

    /// Names every method in every builder: operations first (they have the
    /// fixed verbs), then child accessors, each scope settling its own clashes.
    fn name_methods(&mut self) {
        for id in 0..self.space.nodes.len() {
            let mut taken = Namespace::new();
            let operations = self.space.nodes[id].operations.clone();
            for op_id in operations {
                let op = &self.space.operations[op_id];
                let wanted = if op.target != id {
                    match &self.space.nodes[op.target].segment {
                        Some(segment) => names::value_name(&segment_method(segment)),
                        None => "call".into(),
                    }
                } else {
                    verb(op.kind).to_string()
                };
                self.space.operations[op_id].rust_name = taken.claim(&wanted).0;
            }
            let mut children = self.space.nodes[id].children.clone();
            children.sort_by_key(|c| self.space.nodes[*c].path.clone());
            for child in children {
                let wanted = match &self.space.nodes[child].segment {
                    Some(segment) => names::value_name(&segment_method(segment)),
                    None => continue,
                };
                self.space.nodes[child].accessor = taken.claim(&wanted).0;
            }
            self.name_params(id);
        }
        // A mounted subtree's root is reached through its aliases' accessors;
        // its own name only marks it as a builder.
        for node in self.space.nodes.iter_mut().filter(|n| n.is_mounted_root()) {
            node.accessor = node.segment.as_ref().map(|s| names::value_name(&segment_method(s))).unwrap_or_default();
        }
    }

    fn name_params(&mut self, id: NodeId) {
        let mut taken = Namespace::new();
        for param in &mut self.space.nodes[id].params {
            param.rust_name = taken.claim(&param.rust_name).0;
        }
        for op_id in self.space.nodes[id].operations.clone() {
            let mut taken = Namespace::new();
            taken.claim("body");
            for param in &mut self.space.operations[op_id].params {
                param.rust_name = taken.claim(&param.rust_name).0;
            }
        }
    }
}

fn collect_models(ty: &RType, out: &mut Vec<ModelId>) {
    match ty {
        RType::Model(id) => out.push(*id),
        RType::Collection(inner) => collect_models(inner, out),
        _ => {}
    }
}

fn point_at_polymorphs(ty: &mut RType, poly_of: &HashMap<ModelId, usize>) {
    match ty {
        RType::Model(id) => {
            if let Some(poly) = poly_of.get(id) {
                *ty = RType::Polymorphic(*poly);
            }
        }
        RType::Collection(inner) => point_at_polymorphs(inner, poly_of),
        _ => {}
    }
}

/// The enums that compete for their names: every declared one, and each
/// described one (`ir::Enum::described`) whose name no declared type or
/// earlier described enum has; the others give way silently (the docs did
/// not declare them twice). Lookups of a described name find the winner.
fn enum_declarations(ir: &Ir) -> Vec<(usize, String, usize, &Location)> {
    let declared: HashSet<String> = ir
        .models
        .iter()
        .map(|m| full_name(&m.namespace, &m.name))
        .chain(ir.enums.iter().filter(|e| !e.described).map(|e| full_name(&e.namespace, &e.name)))
        .collect();
    let mut described: BTreeMap<String, (usize, &Location)> = BTreeMap::new();
    let mut out = Vec::new();
    for (index, en) in ir.enums.iter().enumerate() {
        let key = full_name(&en.namespace, &en.name);
        if !en.described {
            out.push((index, key, en.members.len(), &en.location));
        } else if !declared.contains(&key) {
            let slot = described.entry(key).or_insert((index, &en.location));
            if en.location < *slot.1 {
                *slot = (index, &en.location);
            }
        }
    }
    out.extend(
        described.into_iter().map(|(key, (index, location))| (index, key, ir.enums[index].members.len(), location)),
    );
    out
}

fn full_name(namespace: &str, name: &str) -> String {
    format!("{namespace}.{name}")
}

/// `microsoft.graph.callRecords` → `CallRecords`; the main namespace adds nothing.
fn namespace_prefix(namespace: &str) -> String {
    match namespace.strip_prefix("microsoft.graph") {
        Some("") | None if namespace == "microsoft.graph" || namespace.is_empty() => String::new(),
        Some(rest) => names::type_name(rest.trim_start_matches('.')),
        None => names::type_name(namespace),
    }
}

/// The operation's method name on its own node.
fn verb(kind: OperationKind) -> &'static str {
    match kind {
        OperationKind::Get | OperationKind::Function => "get",
        OperationKind::List => "list",
        OperationKind::Create => "create",
        OperationKind::Update => "update",
        OperationKind::Replace => "put",
        OperationKind::Delete => "delete",
        OperationKind::Action => "post",
    }
}

/// One (method, path) as the pages document it: the page that leads, the
/// examples of every page, and the other pages (checked for agreement).
struct MergedOperation<'ir> {
    lead: &'ir ir::Operation,
    examples: Vec<Arc<Example>>,
    others: Vec<&'ir ir::Operation>,
}

/// `(function, argument)` names, lower-cased, that some request line writes
/// in quotes (`range(address='<address>')`): the argument is a string.
/// An example URL that quotes an argument (`reminderView(startDateTime='…')`)
/// counts too: it shows the call that works.
fn quoted_function_args(ir: &Ir) -> HashSet<(String, String)> {
    let mut quoted = HashSet::new();
    for op in &ir.operations {
        for segment in &op.path.segments {
            let Segment::Function { name, args } = segment else { continue };
            for arg in args.iter().filter(|a| a.quoted) {
                if let Some(arg_name) = &arg.name {
                    quoted.insert((name.to_ascii_lowercase(), arg_name.to_ascii_lowercase()));
                }
            }
        }
        for request in op.examples.iter().filter_map(|e| e.request.as_ref()) {
            for part in crate::parse::path::url_segments(&request.url) {
                let Some((name, inner)) = part.split_once('(') else { continue };
                for arg in inner.trim_end_matches(')').split(',') {
                    if let Some((arg_name, value)) = arg.split_once('=')
                        && value.trim().starts_with('\'')
                    {
                        quoted.insert((name.to_ascii_lowercase(), arg_name.trim().to_ascii_lowercase()));
                    }
                }
            }
        }
    }
    quoted
}

/// Quotes the named arguments `quoted` lists: a page that writes
/// `range(address={address})` means the same string argument as the pages
/// that write `range(address='<address>')`, and Graph wants it quoted.
fn quote_string_args(segments: &mut [Segment], quoted: &HashSet<(String, String)>) {
    for segment in segments {
        let Segment::Function { name, args } = segment else { continue };
        for arg in args.iter_mut().filter(|a| !a.quoted) {
            if let Some(arg_name) = &arg.name {
                arg.quoted = quoted.contains(&(name.to_ascii_lowercase(), arg_name.to_ascii_lowercase()));
            }
        }
    }
}

/// How segments are compared when building the tree: keys are all alike,
/// literals ignore case, functions are told apart by their argument names.
pub(crate) fn segment_key(segment: &Segment) -> String {
    match segment {
        Segment::Literal { name } => name.to_ascii_lowercase(),
        Segment::Key { .. } => "{}".into(),
        Segment::Address { .. } => ":{}:".into(),
        Segment::Function { name, args } => {
            let mut arg_names: Vec<String> =
                args.iter().map(|a| a.name.clone().unwrap_or_default().to_ascii_lowercase()).collect();
            arg_names.sort();
            format!("{}({})", name.to_ascii_lowercase(), arg_names.join(","))
        }
    }
}

/// How well a page speaks for an operation it shares with other pages.
/// First, a request line without a query string: `GET
/// /me/events?$filter=singleValueExtendedProperties…` on the extended-property
/// pages shows one use of an operation another page documents. Then a file
/// name with the path's last segment as one of its words, as the docs name pages
/// `{resource}-{verb}-{navigation}.md`: `user-post-messages.md` speaks for
/// `POST /me/messages`, while
/// `multivaluelegacyextendedproperty-post-multivalueextendedproperties.md`,
/// which documents the same request for messages, events and folders alike
/// (and comes first by name), describes its body as an extended property.
fn lead_rank(op: &ir::Operation) -> (bool, bool) {
    let stem = op.location.file.rsplit('/').next().unwrap_or(&op.location.file).to_ascii_lowercase();
    let last = op.path.segments.iter().rev().find_map(|segment| match segment {
        Segment::Literal { name } | Segment::Function { name, .. } => {
            Some(name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase())
        }
        Segment::Key { .. } | Segment::Address { .. } => None,
    });
    let named = last.is_some_and(|last| {
        let singular = last.strip_suffix('s').unwrap_or(&last);
        stem.trim_end_matches(".md").split('-').any(|word| word == last || word == singular)
    });
    (op.path.query.is_none(), named)
}

fn path_key(segments: &[Segment]) -> String {
    segments.iter().map(segment_key).collect::<Vec<_>>().join("/")
}

pub fn segment_display(segment: &Segment) -> String {
    match segment {
        Segment::Literal { name } => name.clone(),
        Segment::Key { placeholder, .. } => format!("{{{placeholder}}}"),
        Segment::Address { placeholder } => format!(":/{{{placeholder}}}:"),
        Segment::Function { name, args } => {
            let args: Vec<String> = args
                .iter()
                .map(|a| {
                    let value = if a.is_placeholder { format!("{{{}}}", a.value) } else { a.value.clone() };
                    let value = if a.quoted { format!("'{value}'") } else { value };
                    match &a.name {
                        Some(name) => format!("{name}={value}"),
                        None => value,
                    }
                })
                .collect();
            format!("{name}({})", args.join(","))
        }
    }
}

/// The piece a segment adds to its builder's struct name.
fn segment_piece(segment: &Segment) -> String {
    match segment {
        Segment::Literal { name } => match name.as_str() {
            "$value" => "Content".into(),
            "$ref" => "Ref".into(),
            "$count" => "Count".into(),
            _ => match name.strip_prefix("microsoft.graph.") {
                Some(cast) => format!("As{}", names::type_name(cast)),
                None => heck_upper(name),
            },
        },
        Segment::Key { .. } => "Item".into(),
        Segment::Address { .. } => "ByPath".into(),
        Segment::Function { name, .. } => heck_upper(name.rsplit('.').next().unwrap_or(name)),
    }
}

fn heck_upper(name: &str) -> String {
    use heck::ToUpperCamelCase;
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect::<String>().to_upper_camel_case()
}

/// The method name a segment is reached by.
fn segment_method(segment: &Segment) -> String {
    match segment {
        Segment::Literal { name } => match name.as_str() {
            "$value" => "content".into(),
            "$ref" => "reference".into(),
            "$count" => "count".into(),
            _ => match name.strip_prefix("microsoft.graph.") {
                Some(cast) => format!("as_{cast}"),
                None => name.clone(),
            },
        },
        Segment::Key { .. } => "by_id".into(),
        Segment::Address { .. } => "by_path".into(),
        Segment::Function { name, .. } => name.rsplit('.').next().unwrap_or(name).to_string(),
    }
}

fn segment_params(segment: &Segment) -> Vec<Param> {
    match segment {
        Segment::Literal { .. } => Vec::new(),
        Segment::Key { placeholder, .. } => {
            vec![Param { rust_name: names::value_name(placeholder), kind: ParamKind::Key }]
        }
        Segment::Address { placeholder } => {
            vec![Param { rust_name: names::value_name(placeholder), kind: ParamKind::Address }]
        }
        Segment::Function { args, .. } => args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let base = a
                    .name
                    .clone()
                    .unwrap_or_else(|| if a.is_placeholder { a.value.clone() } else { format!("arg{i}") });
                Param {
                    rust_name: names::value_name(&base),
                    kind: ParamKind::FunctionArg { name: a.name.clone(), quoted: a.quoted },
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use crate::source::SourceFile;

    fn page(path: &str, text: &str) -> SourceFile {
        SourceFile::new(path, text)
    }

    fn resource(name: &str) -> String {
        format!(
            "---\ndoc_type: resourcePageType\n---\n# {name} resource type\n\nNamespace: microsoft.graph\n\n\
             ## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n|id|String|The key.|\n"
        )
    }

    fn create(body_page: &str, body_name: &str) -> String {
        format!(
            "---\ndoc_type: apiPageType\n---\n# Create\n\n## HTTP request\n```http\nPOST /me/gizmos\n```\n\n\
             ## Request body\nSupply a JSON representation of a [{body_name}](../resources/{body_page}) object.\n\n\
             ## Response\nIf successful, this method returns a `201 Created` response code and a \
             [{body_name}](../resources/{body_page}) object in the response body.\n"
        )
    }

    #[test]
    fn the_page_named_after_the_path_leads_a_shared_operation() {
        // The cross-cutting page comes first by name but documents the
        // request as one of its own properties' use.
        let pages = [
            page("api/gizmoextension-post-gizmoextensions.md", &create("gizmoextension.md", "gizmoExtension")),
            page("api/user-post-gizmos.md", &create("gizmo.md", "gizmo")),
            page("resources/gizmo.md", &resource("gizmo")),
            page("resources/gizmoextension.md", &resource("gizmoExtension")),
        ];
        let (ir, _) = crate::extract(&pages);
        let (space, diagnostics) = super::resolve(&ir);
        let op = space.operations.iter().find(|op| op.path == "/me/gizmos").expect("POST /me/gizmos is generated");
        assert_eq!(op.page, "api/user-post-gizmos.md");
        let Some(super::RType::Model(body)) = &op.body else { panic!("the body is a model: {:?}", op.body) };
        assert_eq!(space.models[*body].doc_name, "microsoft.graph.gizmo");
        let conflict = diagnostics.iter().find(|d| d.code == crate::diagnostics::Code::OperationConflict);
        assert_eq!(conflict.map(|d| d.location.file.as_str()), Some("api/gizmoextension-post-gizmoextensions.md"));
    }

    fn get_page(request_line: &str) -> String {
        format!("---\ndoc_type: apiPageType\n---\n# Get cells\n\n## HTTP request\n```http\n{request_line}\n```\n")
    }

    #[test]
    fn a_function_argument_quoted_on_one_page_is_quoted_on_all() {
        let pages = [
            page("api/a-get.md", &get_page("GET /sheets/{id}/range(address='<address>')/cells")),
            page("api/b-get.md", &get_page("GET /me/sheets/{id}/range(address={address})/rows")),
            page("api/c-get.md", &get_page("GET /me/sheets/{id}/cell(row={row})")),
        ];
        let (ir, _) = crate::extract(&pages);
        let (space, _) = super::resolve(&ir);
        let quoting = |function: &str| -> Vec<bool> {
            // A leaf function's arguments move to the operation its parent hosts.
            let nodes = space.nodes.iter().filter(|n| n.path.contains(function)).flat_map(|n| &n.params);
            let ops = space.operations.iter().filter(|o| o.path.contains(function)).flat_map(|o| &o.params);
            let params = nodes.chain(ops);
            params
                .filter_map(|p| match &p.kind {
                    super::ParamKind::FunctionArg { quoted, .. } => Some(*quoted),
                    _ => None,
                })
                .collect()
        };
        assert!(!quoting("range(").is_empty() && quoting("range(").iter().all(|q| *q), "{:?}", quoting("range("));
        assert_eq!(quoting("cell("), vec![false], "an argument no page quotes stays bare");
    }
}
