//! Request builders: one struct per path prefix, mirroring the URL, so
//! `client.users().by_id(id).events().list()` reads like the path it calls.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};

use super::models::model_struct;
use super::types::{body_param_type, ident, response_type};
use super::{
    EmitCache, EmitError, EmitOptions, GeneratedFile, cfg, doc_lines, format_cached, format_parts, keys, one_area,
    with_header, with_header_parts,
};
use crate::ir::Segment;
use crate::resolve::{Home, ModelId, Node, NodeId, Param, ParamKind, ROperation, ResponseShape, TypeSpace};

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
                let gate = cfg(options, &space.models[id].areas);
                let item = model_struct(space, id);
                quote! { #gate #item }
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
        if is_builder(node) {
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

/// Nodes that became methods on their parent have no builder of their own.
fn is_builder(node: &Node) -> bool {
    !node.accessor.is_empty()
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

fn node_items(space: &TypeSpace, options: &EmitOptions, id: NodeId) -> TokenStream {
    let node = &space.nodes[id];
    let name = format_ident!("{}", node.rust_name);
    let doc = doc_lines(&format!("Requests to `{}`.", node.path));
    let methods = methods(space, options, id, Some(&node.areas));
    let gate = cfg(options, &node.areas);
    quote! {
        #doc
        #gate
        #[derive(Debug, Clone)]
        pub struct #name(pub(crate) graph_runtime::Endpoint);

        #gate
        impl #name {
            /// The path this builder addresses, percent-encoded.
            pub fn path(&self) -> &str {
                self.0.path()
            }

            #(#methods)*
        }
    }
}

/// Operations first, then accessors of child builders, in a fixed order.
/// `impl_areas` are the areas the `impl` block is gated on, if it is.
fn methods(
    space: &TypeSpace,
    options: &EmitOptions,
    id: NodeId,
    impl_areas: Option<&BTreeSet<String>>,
) -> Vec<TokenStream> {
    let node = &space.nodes[id];
    let mut methods: Vec<TokenStream> =
        node.operations.iter().map(|op| operation(space, options, id, &space.operations[*op], impl_areas)).collect();
    let mut children: Vec<NodeId> = node.children.iter().copied().filter(|c| is_builder(&space.nodes[*c])).collect();
    children.sort_by(|a, b| space.nodes[*a].accessor.cmp(&space.nodes[*b].accessor));
    methods.extend(children.into_iter().map(|child| accessor(space, options, id, child, impl_areas)));
    methods
}

/// The gate of a method needed in `areas`, inside an `impl` gated on
/// `impl_areas`: none when the two are the same (most methods of most
/// builders, thousands of attributes in all), since the block's gate already
/// says it.
fn method_gate(options: &EmitOptions, areas: &BTreeSet<String>, impl_areas: Option<&BTreeSet<String>>) -> TokenStream {
    if impl_areas == Some(areas) { TokenStream::new() } else { cfg(options, areas) }
}

/// The builder `id` as named in the code of builder `host`: by its bare name
/// in the same module (most of them), else by its path from the crate root.
fn builder_path(space: &TypeSpace, host: NodeId, id: NodeId) -> TokenStream {
    let node = &space.nodes[id];
    let name = format_ident!("{}", node.rust_name);
    if host != 0 && space.nodes[host].module == node.module {
        return quote! { #name };
    }
    let module = ident(&node.module);
    quote! { crate::requests::#module::#name }
}

/// The method of builder `host` that returns the builder of `child`.
fn accessor(
    space: &TypeSpace,
    options: &EmitOptions,
    host: NodeId,
    child: NodeId,
    impl_areas: Option<&BTreeSet<String>>,
) -> TokenStream {
    let gate = method_gate(options, &space.nodes[child].areas, impl_areas);
    let node = &space.nodes[child];
    let method = ident(&node.accessor);
    let builder = builder_path(space, host, child);
    let params = param_list(&node.params);
    let path = segment_path(node.segment.as_ref(), &node.params);
    let doc = doc_lines(&format!("`{}`", node.path));
    quote! {
        #doc
        #gate
        pub fn #method(&self, #(#params),*) -> #builder {
            #builder(#path)
        }
    }
}

fn param_list(params: &[Param]) -> Vec<TokenStream> {
    params
        .iter()
        .map(|p| {
            let name = ident(&p.rust_name);
            quote! { #name: &str }
        })
        .collect()
}

/// The expression that extends the builder's endpoint (`self.0`) by one segment.
fn segment_path(segment: Option<&Segment>, params: &[Param]) -> TokenStream {
    let param = |i: usize| params.get(i).map(|p| ident(&p.rust_name));
    match segment {
        None => quote! { self.0.clone() },
        Some(Segment::Literal { name }) => quote! { self.0.segment(#name) },
        Some(Segment::Key { .. }) => {
            let value = param(0);
            quote! { self.0.key(#value) }
        }
        Some(Segment::Address { .. }) => {
            let value = param(0);
            quote! { self.0.address(#value) }
        }
        Some(Segment::Function { name, args }) => {
            let args = args.iter().zip(params).map(|(arg, p)| {
                let arg_name = arg.name.clone().unwrap_or_default();
                let value = ident(&p.rust_name);
                let quoted = matches!(p.kind, ParamKind::FunctionArg { quoted: true, .. });
                quote! { graph_runtime::FunctionArg { name: #arg_name, value: #value, quoted: #quoted } }
            });
            quote! { self.0.function(#name, &[#(#args),*]) }
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
) -> TokenStream {
    let gate = method_gate(options, &one_area(&op.area), impl_areas);
    let method_name = ident(&op.rust_name);
    let endpoint = if op.target == host {
        quote! { self.0 }
    } else {
        segment_path(space.nodes[op.target].segment.as_ref(), &op.params)
    };
    let mut params = param_list(&op.params);
    let body_call = op.body.as_ref().map(|body| {
        let ty = body_param_type(space, body);
        params.push(quote! { body: #ty });
        quote! { .json_body(body) }
    });
    // The `Endpoint` method that makes the request, by what the answer holds.
    let (ret, request) = match (&op.response, response_type(space, &op.response)) {
        (_, Some(ty)) => (ty.into_token_stream(), quote! { json }),
        (ResponseShape::Empty, None) => (quote! { () }, quote! { empty }),
        (_, None) => (quote! { graph_runtime::Binary }, quote! { bytes }),
    };
    let method = format_ident!("{}", op.method.as_str());
    let doc = doc_lines(&operation_doc(op));
    quote! {
        #doc
        #gate
        pub fn #method_name(&self, #(#params),*) -> graph_runtime::Request<#ret> {
            #endpoint.#request(graph_runtime::Method::#method) #body_call
        }
    }
}

fn operation_doc(op: &ROperation) -> String {
    let mut doc = op.title.clone();
    if !op.description.is_empty() && op.description != op.title {
        doc.push_str("\n\n");
        doc.push_str(&op.description);
    }
    doc.push_str(&format!("\n\n`{} {}`, documented on `{}`.", op.method.as_str(), op.path, op.page));
    if !op.query_options.is_empty() {
        doc.push_str(&format!("\n\nQuery options the page documents: {}.", op.query_options.join(", ")));
    }
    if !op.headers.is_empty() {
        doc.push_str(&format!("\n\nRequest headers the page documents: {}.", op.headers.join(", ")));
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(method_gate(&on, &users, Some(&users)).is_empty());
        assert_eq!(method_gate(&on, &users, Some(&both)).to_string(), cfg(&on, &users).to_string());
        // The client's impl block has no gate.
        assert_eq!(method_gate(&on, &users, None).to_string(), cfg(&on, &users).to_string());
        assert!(!cfg(&on, &users).is_empty());
        assert!(method_gate(&options(false), &users, Some(&both)).is_empty());
    }
}
