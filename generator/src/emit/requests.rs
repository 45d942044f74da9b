//! Request builders: one struct per path prefix, mirroring the URL, so
//! `client.users().by_id(id).events().list()` reads like the path it calls.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use super::models::model_items;
use super::syntax::{
    call, doc_comment, inherent_impl, list_attribute, literal, method_call, path_expr, public_method, public_newtype,
    reference_type, self_endpoint, slice_expr, str_expr, struct_expr, unit_type,
};
use super::types::{body_param_type, path_type, response_type};
use super::{
    EmitCache, EmitError, EmitOptions, GeneratedFile, cfg_attribute, doc_attribute, format_cached, format_parts, keys,
    one_area, with_header, with_header_parts,
};
use crate::ir::Segment;
use crate::resolve::{Home, ModelId, NodeId, Param, ParamKind, ROperation, ResponseShape, TypeSpace};

/// `src/client.rs` (the root builder) and one `src/requests/<module>.rs` per first path segment.
pub fn emit(space: &TypeSpace, options: &EmitOptions, cache: &EmitCache) -> Result<Vec<GeneratedFile>, EmitError> {
    let mut files = Vec::new();
    if space.nodes.is_empty() {
        return Ok(files);
    }
    let path = "src/client.rs".to_string();
    let key = keys::node(space, options, 0);
    let body = format_cached(cache, key, &path, || client_file(space, options))?;
    files.push(GeneratedFile { contents: with_header(&refs(&pages_of(space, &[0])), &body), path });

    for (module, contents) in modules(space) {
        let path = format!("src/requests/{module}.rs");
        let mut item_keys: Vec<u64> = contents.nodes.iter().map(|id| keys::node(space, options, *id)).collect();
        item_keys.extend(contents.bodies.iter().map(|id| keys::model(space, options, *id)));
        let parts = format_parts(cache, &path, &item_keys, |index| match contents.nodes.get(index) {
            Some(node) => node_items(space, options, *node),
            None => {
                let id = contents.bodies[index - contents.nodes.len()];
                let mut items = model_items(space, id);
                for item in &mut items {
                    if let Some(attrs) = item_attrs(item) {
                        attrs.splice(0..0, cfg_attribute(options, &space.models[id].areas));
                    }
                }
                items
            }
        })?;
        let mut pages = pages_of(space, &contents.nodes);
        pages.extend(contents.bodies.iter().map(|id| space.models[*id].page.clone()));
        pages.sort();
        pages.dedup();
        files.push(GeneratedFile { contents: with_header_parts(&refs(&pages), &parts), path });
    }
    Ok(files)
}

/// The attributes of a struct, an `impl` or a macro call, to gate them.
fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    match item {
        syn::Item::Struct(item) => Some(&mut item.attrs),
        syn::Item::Impl(item) => Some(&mut item.attrs),
        syn::Item::Macro(item) => Some(&mut item.attrs),
        _ => None,
    }
}

/// What one `requests` submodule holds.
#[derive(Default)]
pub struct ModuleContents {
    pub nodes: Vec<NodeId>,
    /// Parameter bodies of the operations in it.
    pub bodies: Vec<ModelId>,
}

impl ModuleContents {
    /// Every area something in the module belongs to.
    pub fn areas(&self, space: &TypeSpace) -> BTreeSet<String> {
        let nodes = self.nodes.iter().flat_map(|id| space.nodes[*id].areas.iter());
        let bodies = self.bodies.iter().flat_map(|id| space.models[*id].areas.iter());
        nodes.chain(bodies).cloned().collect()
    }
}

/// The `requests` submodules by name: builders, and parameter bodies.
pub fn modules(space: &TypeSpace) -> BTreeMap<String, ModuleContents> {
    let mut modules: BTreeMap<String, ModuleContents> = BTreeMap::new();
    for (id, node) in space.nodes.iter().enumerate().skip(1) {
        if node.is_builder() {
            modules.entry(node.module.clone()).or_default().nodes.push(id);
        }
    }
    for (id, model) in space.models.iter().enumerate() {
        if let Home::Requests { module } = &model.home {
            modules.entry(module.clone()).or_default().bodies.push(id);
        }
    }
    modules
}

fn refs(pages: &[String]) -> Vec<&str> {
    pages.iter().map(String::as_str).collect()
}

/// Every page an operation in these builders comes from, sorted.
fn pages_of(space: &TypeSpace, nodes: &[NodeId]) -> Vec<String> {
    let mut pages: Vec<String> =
        nodes.iter().flat_map(|id| &space.nodes[*id].operations).map(|op| space.operations[*op].page.clone()).collect();
    pages.sort();
    pages.dedup();
    pages
}

fn client_file(space: &TypeSpace, options: &EmitOptions) -> TokenStream {
    let base_url = &options.base_url;
    let methods = methods(space, options, 0, None);
    quote! {
        /// The entry point of the generated API: every request starts here and
        /// follows the URL path, one method per segment.
        #[derive(Debug, Clone)]
        pub struct GraphClient(graph_runtime::Endpoint);

        impl GraphClient {
            /// The service root the docs describe.
            pub const DEFAULT_BASE_URL: &'static str = #base_url;

            /// Wraps a runtime client (base URL, auth, retries).
            pub fn new(client: graph_runtime::Client) -> Self {
                Self(graph_runtime::Endpoint::root(client))
            }

            /// A client for the default service root with a fixed bearer token.
            pub fn with_token(token: impl Into<String>) -> Self {
                Self::new(graph_runtime::Client::with_token(Self::DEFAULT_BASE_URL, token))
            }

            /// The runtime client requests are sent with.
            pub fn client(&self) -> &graph_runtime::Client {
                self.0.client()
            }

            #(#methods)*
        }
    }
}

/// A builder: its struct, and an `impl` with its operations and the
/// accessors of its children. Built as syntax trees (see `super::Code`):
/// builders are over a quarter of the Rust emitted (26-29% of the bytes).
fn node_items(space: &TypeSpace, options: &EmitOptions, id: NodeId) -> Vec<syn::Item> {
    let node = &space.nodes[id];
    let gate = || cfg_attribute(options, &node.areas);
    let mut attrs: Vec<syn::Attribute> = doc_attribute(&format!("Requests to `{}`.", node.path)).into_iter().collect();
    attrs.extend(gate());
    attrs.push(list_attribute("derive", quote! { Debug, Clone }));
    let builder = public_newtype(attrs, &node.rust_name, path_type(&["graph_runtime", "Endpoint"], None));
    let path = public_method(
        vec![doc_comment(" The path this builder addresses, percent-encoded.")],
        "path",
        Vec::new(),
        reference_type(path_type(&["str"], None)),
        method_call(self_endpoint(), "path", Vec::new()),
    );
    let mut methods = vec![path];
    methods.extend(self::methods(space, options, id, Some(&node.areas)));
    vec![
        syn::Item::Struct(builder),
        syn::Item::Impl(inherent_impl(gate().into_iter().collect(), &node.rust_name, methods)),
    ]
}

/// Operations first, then accessors of child builders, in a fixed order.
/// `impl_areas` are the areas the `impl` block is gated on, if it is.
fn methods(
    space: &TypeSpace,
    options: &EmitOptions,
    id: NodeId,
    impl_areas: Option<&BTreeSet<String>>,
) -> Vec<syn::ImplItem> {
    let node = &space.nodes[id];
    let mut methods: Vec<syn::ImplItem> =
        node.operations.iter().map(|op| operation(space, options, id, &space.operations[*op], impl_areas)).collect();
    // Builders and aliases; not the leaf functions and actions that became methods here.
    let mut children: Vec<NodeId> =
        node.children.iter().copied().filter(|c| !space.nodes[*c].accessor.is_empty()).collect();
    children.sort_by(|a, b| space.nodes[*a].accessor.cmp(&space.nodes[*b].accessor));
    methods.extend(children.into_iter().map(|child| accessor(space, options, id, child, impl_areas)));
    methods
}

/// The gate of a method needed in `areas`, inside an `impl` gated on
/// `impl_areas`: none when the two are the same (most methods of most
/// builders, thousands of attributes in all), since the block's gate already
/// says it.
fn method_gate(
    options: &EmitOptions,
    areas: &BTreeSet<String>,
    impl_areas: Option<&BTreeSet<String>>,
) -> Option<syn::Attribute> {
    if impl_areas == Some(areas) { None } else { cfg_attribute(options, areas) }
}

/// The path of builder `id` as named in the code of builder `host`: its
/// bare name in the same module (most of them), else its path from the
/// crate root.
fn builder_path(space: &TypeSpace, host: NodeId, id: NodeId) -> Vec<&str> {
    let node = &space.nodes[id];
    if host != 0 && space.nodes[host].module == node.module {
        return vec![&node.rust_name];
    }
    vec!["crate", "requests", &node.module, &node.rust_name]
}

/// The method of builder `host` that returns the builder of `child`.
fn accessor(
    space: &TypeSpace,
    options: &EmitOptions,
    host: NodeId,
    child: NodeId,
    impl_areas: Option<&BTreeSet<String>>,
) -> syn::ImplItem {
    let node = &space.nodes[child];
    let doc = match node.alias_of {
        Some(target) => format!("`{}`: the requests of `{}`", node.path, space.nodes[target].path),
        None => format!("`{}`", node.path),
    };
    let mut attrs: Vec<syn::Attribute> = doc_attribute(&doc).into_iter().collect();
    attrs.extend(method_gate(options, &node.areas, impl_areas));
    let builder = builder_path(space, host, node.alias_of.unwrap_or(child));
    let endpoint = segment_path(node.segment.as_ref(), &node.params);
    public_method(
        attrs,
        &node.accessor,
        param_list(&node.params),
        path_type(&builder, None),
        call(path_expr(&builder), vec![endpoint]),
    )
}

/// Path parameters: each a `&str`.
fn param_list(params: &[Param]) -> Vec<(String, syn::Type)> {
    params.iter().map(|p| (p.rust_name.clone(), reference_type(path_type(&["str"], None)))).collect()
}

/// The expression that extends the builder's endpoint (`self.0`) by one segment.
fn segment_path(segment: Option<&Segment>, params: &[Param]) -> syn::Expr {
    let param = |i: usize| params.get(i).map(|p| path_expr(&[&p.rust_name])).into_iter().collect();
    match segment {
        None => method_call(self_endpoint(), "clone", Vec::new()),
        Some(Segment::Literal { name }) => method_call(self_endpoint(), "segment", vec![str_expr(name)]),
        Some(Segment::Key { .. }) => method_call(self_endpoint(), "key", param(0)),
        Some(Segment::Address { .. }) => method_call(self_endpoint(), "address", param(0)),
        Some(Segment::Function { name, args }) => {
            let args = args.iter().zip(params).map(|(arg, p)| {
                let quoted = matches!(p.kind, ParamKind::FunctionArg { quoted: true, .. });
                struct_expr(
                    &["graph_runtime", "FunctionArg"],
                    vec![
                        ("name", str_expr(arg.name.as_deref().unwrap_or_default())),
                        ("value", path_expr(&[&p.rust_name])),
                        ("quoted", literal(syn::LitBool::new(quoted, proc_macro2::Span::call_site()))),
                    ],
                )
            });
            method_call(self_endpoint(), "function", vec![str_expr(name), slice_expr(args.collect())])
        }
    }
}

/// One operation as a method of the builder `host`, whose `impl` block is
/// gated on `impl_areas` (if it is).
pub(super) fn operation(
    space: &TypeSpace,
    options: &EmitOptions,
    host: NodeId,
    op: &ROperation,
    impl_areas: Option<&BTreeSet<String>>,
) -> syn::ImplItem {
    let mut attrs: Vec<syn::Attribute> = doc_attribute(&operation_doc(op)).into_iter().collect();
    attrs.extend(method_gate(options, &one_area(&op.area), impl_areas));
    let endpoint = if op.target == host {
        self_endpoint()
    } else {
        segment_path(space.nodes[op.target].segment.as_ref(), &op.params)
    };
    // The `Endpoint` method that makes the request, by what the answer holds.
    let (answer, request) = match (&op.response, response_type(space, &op.response)) {
        (_, Some(ty)) => (ty, "json"),
        (ResponseShape::Empty, None) => (unit_type(), "empty"),
        (_, None) => (path_type(&["graph_runtime", "Binary"], None), "bytes"),
    };
    let method = path_expr(&["graph_runtime", "Method", op.method.as_str()]);
    let mut body = method_call(endpoint, request, vec![method]);
    let mut params = param_list(&op.params);
    if let Some(ty) = &op.body {
        params.push(("body".to_string(), body_param_type(space, ty)));
        body = method_call(body, "json_body", vec![path_expr(&["body"])]);
    }
    public_method(attrs, &op.rust_name, params, path_type(&["graph_runtime", "Request"], Some(answer)), body)
}

fn operation_doc(op: &ROperation) -> String {
    let mut doc = op.title.clone();
    if !op.description.is_empty() && op.description != op.title {
        doc.push_str("\n\n");
        doc.push_str(&op.description);
    }
    doc.push_str(&format!("\n\n`{} {}`, documented on `{}`.", op.method.as_str(), op.path, op.page));
    if !op.also.is_empty() {
        let also: Vec<String> = op.also.iter().map(|path| format!("`{path}`")).collect();
        doc.push_str(&format!(" Also documented at {}.", also.join(", ")));
    }
    if !op.query_options.is_empty() {
        doc.push_str(&format!("\n\nQuery options the page documents: {}.", op.query_options.join(", ")));
    }
    if !op.headers.is_empty() {
        doc.push_str(&format!("\n\nRequest headers the page documents: {}.", op.headers.join(", ")));
    }
    if let Some(permissions) = &op.permissions {
        doc.push_str("\n\nPermissions the page documents, least privileged first:");
        let kinds = [
            ("Delegated (work or school account)", &permissions.delegated_work_or_school),
            ("Delegated (personal Microsoft account)", &permissions.delegated_personal),
            ("Application", &permissions.application),
        ];
        for (kind, set) in kinds.iter().filter_map(|(kind, set)| Some((kind, set.as_ref()?))) {
            doc.push_str(&format!("\n- {kind}: {}", permission_line(set)));
        }
    }
    doc
}

/// `` `User.Read` (higher: `User.ReadWrite.All`) ``, or `not supported`.
fn permission_line(set: &crate::ir::PermissionSet) -> String {
    let names = |names: &[String]| names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    match (set.supported, set.least_privileged.is_empty(), set.higher_privileged.is_empty()) {
        (false, _, _) => "not supported".into(),
        (true, false, true) => names(&set.least_privileged),
        (true, false, false) => {
            format!("{} (higher: {})", names(&set.least_privileged), names(&set.higher_privileged))
        }
        (true, true, _) => format!("higher privileged only: {}", names(&set.higher_privileged)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::cfg;

    fn options(features: bool) -> EmitOptions {
        EmitOptions {
            crate_name: "graph-sdk".into(),
            base_url: "https://graph.microsoft.com/v1.0".into(),
            runtime_path: "../runtime".into(),
            standalone: false,
            docs_label: "docs".into(),
            features,
        }
    }

    fn areas(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_method_is_gated_only_where_its_impl_block_is_not_gated_the_same() {
        let users = areas(&["users"]);
        let both = areas(&["groups", "users"]);
        let on = options(true);
        let gate = |gate: Option<syn::Attribute>| quote! { #gate }.to_string();
        assert!(method_gate(&on, &users, Some(&users)).is_none());
        assert_eq!(gate(method_gate(&on, &users, Some(&both))), cfg(&on, &users).to_string());
        // The client's impl block has no gate.
        assert_eq!(gate(method_gate(&on, &users, None)), cfg(&on, &users).to_string());
        assert!(!cfg(&on, &users).is_empty());
        assert!(method_gate(&options(false), &users, Some(&both)).is_none());
    }
}
