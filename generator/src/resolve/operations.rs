//! Operations: one per (method, path) across all pages, with the body and
//! response types the pages agree on, hung on the request tree and given
//! their method names. A request documented on several pages is generated
//! once.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::names::{self, Namespace};
use super::tree::{quote_string_args, quoted_function_args, segment_key, segment_method};
use super::{Home, MergedOperation, Node, NodeId, RField, RModel, ROperation, RType, Resolver, ResponseShape, mounts};
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::{self, Example, Ir, Method, OperationKind, Primitive, RequestBody, Segment, TypeRef};

/// What the operations' paths say, read from the IR alone (no types
/// needed), so it is read on one core while the models are built on the
/// other: the aliases, the operations merged by path, and the function
/// parameters that are quoted strings.
pub(super) struct Paths<'ir> {
    aliases: mounts::Aliases,
    merged: Vec<MergedOperation<'ir>>,
    quoted: HashSet<(String, String)>,
}

impl<'ir> Paths<'ir> {
    pub(super) fn read(ir: &'ir Ir) -> Paths<'ir> {
        let aliases = mounts::Aliases::find(ir);
        let merged = merge_operations(ir, &aliases);
        Paths { aliases, merged, quoted: quoted_function_args(ir) }
    }
}

impl Resolver {
    pub(super) fn build_operations(&mut self, paths: Paths) {
        let Paths { aliases, mut merged, quoted } = paths;
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
        for merged in &mut merged {
            let mut segments = std::mem::take(&mut merged.canonical);
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
        for (index, MergedOperation { lead: op, examples, others, .. }) in merged.into_iter().enumerate() {
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
        let lead = lead_rank(first);
        for other in others {
            // A page that speaks less well for the operation (an extension
            // page showing `GET /me?$expand=…`) is checked against the types
            // but does not widen them.
            let widens = lead_rank(other) >= lead;
            let mut agrees = true;
            if let (Some(current), RequestBody::Type(ty)) = (&body, &other.request_body) {
                let other_body = self.resolve_type(ty, &other.location);
                match self.unify(current, &other_body) {
                    Some(unified) if widens => body = Some(unified),
                    Some(unified) => agrees = &unified == current,
                    None => agrees = false,
                }
            } else if std::mem::discriminant(&first.request_body) != std::mem::discriminant(&other.request_body) {
                agrees = false;
            }
            let other_response = self.response_shape(other, &other.examples);
            match self.unify_shapes(&response, &other_response) {
                Some(unified) if widens => response = unified,
                Some(unified) => agrees &= unified == response,
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

/// One operation per (method, path) across all pages, sorted by path.
/// The page that documents the path itself leads (see `lead_rank`), the
/// first such in page order on a tie. Every page adds its examples, in
/// page order; the other pages' body and response types are unified with
/// the leader's (see `unify`).
fn merge_operations<'ir>(ir: &'ir Ir, aliases: &mounts::Aliases) -> Vec<MergedOperation<'ir>> {
    // Each operation with its canonical path, by path key and method.
    type Documented<'ir> = Vec<(&'ir ir::Operation, Vec<Segment>)>;
    let mut by_key: BTreeMap<(String, Method), Documented> = BTreeMap::new();
    for op in &ir.operations {
        let canonical = aliases.canonical(&op.path.segments);
        by_key.entry((path_key(&canonical), op.method)).or_default().push((op, canonical));
    }
    by_key
        .into_values()
        .map(|with_paths| {
            let (mut ops, mut canonical): (Vec<&ir::Operation>, Vec<Vec<Segment>>) = with_paths.into_iter().unzip();
            // `min_by_key` keeps the first of equals: page order breaks ties.
            let lead = match ops.len() {
                1 => 0,
                _ => (0..ops.len()).min_by_key(|i| std::cmp::Reverse(lead_rank(ops[*i]))).unwrap_or(0),
            };
            let examples = ops.iter().flat_map(|op| op.examples.iter().cloned()).collect();
            let canonical = canonical.swap_remove(lead);
            let lead = ops.remove(lead);
            MergedOperation { lead, canonical, examples, others: ops }
        })
        .collect()
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
/// Last, that word first (`user-list.md` for `GET /users`, over
/// `intune-shared-user-list.md`, which documents it for Intune).
fn lead_rank(op: &ir::Operation) -> (bool, bool, bool) {
    let stem = op.location.file.rsplit('/').next().unwrap_or(&op.location.file).to_ascii_lowercase();
    let last = op.path.segments.iter().rev().find_map(|segment| match segment {
        Segment::Literal { name } | Segment::Function { name, .. } => {
            Some(name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase())
        }
        Segment::Key { .. } | Segment::Address { .. } => None,
    });
    let words: Vec<&str> = stem.trim_end_matches(".md").split('-').collect();
    let names =
        |word: &&str| last.as_deref().is_some_and(|last| *word == last || Some(*word) == last.strip_suffix('s'));
    let named = words.iter().any(names);
    let named_first = words.first().is_some_and(names);
    (op.path.query.is_none(), named, named_first)
}

fn path_key(segments: &[Segment]) -> String {
    segments.iter().map(segment_key).collect::<Vec<_>>().join("/")
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
        let (space, diagnostics) = crate::resolve::resolve(&ir);
        let op = space.operations.iter().find(|op| op.path == "/me/gizmos").expect("POST /me/gizmos is generated");
        assert_eq!(op.page, "api/user-post-gizmos.md");
        let Some(crate::resolve::RType::Model(body)) = &op.body else { panic!("the body is a model: {:?}", op.body) };
        assert_eq!(space.models[*body].doc_name, "microsoft.graph.gizmo");
        let conflict = diagnostics.iter().find(|d| d.code == crate::diagnostics::Code::OperationConflict);
        assert_eq!(conflict.map(|d| d.location.file.as_str()), Some("api/gizmoextension-post-gizmoextensions.md"));
    }
}
