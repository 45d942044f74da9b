//! Tests generated from the documented examples: every JSON body round-trips
//! through its model, and every example request is rebuilt with the request
//! builders and compared with the documented method, path and body.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{ident, rust_type};
use super::{EmitCache, EmitError, EmitOptions, GeneratedFile, cfg, format_parts, keys, with_header};
use crate::ir::{Body, Example, Primitive, Segment};
use crate::parse::path::{call_arguments, url_segments};
use crate::resolve::names::{Namespace, value_name};
use crate::resolve::{NodeId, ROperation, RType, ResponseShape, TypeSpace};

/// `src/example_tests.rs`, compiled only for `cargo test`.
pub fn emit(space: &TypeSpace, options: &EmitOptions, cache: &EmitCache) -> Result<Vec<GeneratedFile>, EmitError> {
    // Names are claimed in one pass, in a fixed order, so each example's tests
    // can then be built (and cached) on their own.
    let mut taken = Namespace::new();
    let mut specs: Vec<(&ROperation, &Example, TestNames)> = Vec::new();
    for op in &space.operations {
        for (index, example) in op.examples.iter().enumerate() {
            let stem = op.page.rsplit('/').next().unwrap_or(&op.page).trim_end_matches(".md");
            let base = if op.examples.len() > 1 { format!("{stem}_example_{}", index + 1) } else { stem.to_string() };
            specs.push((op, example, TestNames::claim(&mut taken, &base)));
        }
    }
    let keys: Vec<u64> =
        specs.iter().map(|(op, example, names)| keys::example_tests(space, options, op, example, names)).collect();
    let path = "src/example_tests.rs".to_string();
    let parts = format_parts(cache, &path, &keys, |index| {
        let (op, example, names) = &specs[index];
        let tests = example_tests(space, op, example, names, options);
        let gate = cfg(options, &std::iter::once(op.area.clone()).collect());
        quote! { #( #gate #tests )* }
    })?;
    let mut pages: Vec<&str> =
        specs.iter().zip(&parts).filter(|(_, text)| !text.is_empty()).map(|((op, _, _), _)| op.page.as_str()).collect();
    pages.sort();
    pages.dedup();
    Ok(vec![GeneratedFile { contents: with_header(&pages, &parts.concat()), path }])
}

/// The names one example's tests and constants get.
#[derive(Debug, Clone, Hash)]
pub struct TestNames {
    request_const: String,
    response_const: String,
    request_round_trip: String,
    response_round_trip: String,
    builds_request: String,
}

impl TestNames {
    fn claim(taken: &mut Namespace, base: &str) -> TestNames {
        let mut constant = |what: &str| {
            let wanted = value_name(&format!("{base}_{what}")).trim_start_matches("r#").to_ascii_uppercase();
            taken.claim(&wanted).0
        };
        let (request_const, response_const) = (constant("request"), constant("response"));
        let mut test = |what: &str| taken.claim(value_name(&format!("{base}_{what}")).trim_start_matches("r#")).0;
        TestNames {
            request_const,
            response_const,
            request_round_trip: test("request_body_round_trips"),
            response_round_trip: test("response_body_round_trips"),
            builds_request: test("builds_the_documented_request"),
        }
    }
}

/// The tests of one example, after the constants holding its JSON bodies
/// (each body is written once, however many tests use it).
fn example_tests(
    space: &TypeSpace,
    op: &ROperation,
    example: &Example,
    names: &TestNames,
    options: &EmitOptions,
) -> Vec<TokenStream> {
    let mut tests = Vec::new();
    let request_json = example.request.as_ref().and_then(|r| json_text(&r.body));
    let response_json = example.response.as_ref().and_then(|r| json_text(&r.body));
    let request_const = ident(&names.request_const);
    let response_const = ident(&names.response_const);
    let mut uses_request = false;
    if let (Some(_), Some(ty)) = (&request_json, &op.body) {
        let ty = rust_type(space, ty);
        let name = ident(&names.request_round_trip);
        uses_request = true;
        tests.push(quote! {
            #[test]
            fn #name() {
                graph_runtime::testing::assert_round_trip::<#ty>(#request_const);
            }
        });
    }
    let response_type = match &op.response {
        ResponseShape::Json(ty) => Some(rust_type(space, ty)),
        ResponseShape::Page(ty) => {
            let ty = rust_type(space, ty);
            Some(quote! { graph_runtime::Page<#ty> })
        }
        ResponseShape::Empty | ResponseShape::Bytes => None,
    };
    if let (Some(json), Some(ty)) = (&response_json, response_type) {
        let name = ident(&names.response_round_trip);
        tests.push(quote! {
            const #response_const: &str = #json;

            #[test]
            fn #name() {
                graph_runtime::testing::assert_round_trip::<#ty>(#response_const);
            }
        });
    }
    let request_body = request_json.as_ref().map(|_| quote! { #request_const });
    if let Some(test) = request_test(space, op, example, &names.builds_request, options, request_body.as_ref()) {
        uses_request |= request_body.is_some() && op.body.is_some();
        tests.push(test);
    }
    if let (true, Some(json)) = (uses_request, &request_json) {
        tests.insert(0, quote! { const #request_const: &str = #json; });
    }
    tests
}

/// The body as pretty JSON in a raw string literal, or `None` if it is not JSON.
fn json_text(body: &Body) -> Option<TokenStream> {
    let Body::Json { value, .. } = body else {
        return None;
    };
    let text = serde_json::to_string_pretty(value).ok()?;
    raw_string(&text)
}

fn raw_string(text: &str) -> Option<TokenStream> {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let fence = "#".repeat(hashes);
    format!("r{fence}\"{text}\"{fence}").parse().ok()
}

/// Rebuilds the example request with the builders, when its URL follows the
/// operation's path and its body (if any) is JSON.
fn request_test(
    space: &TypeSpace,
    op: &ROperation,
    example: &Example,
    test_name: &str,
    options: &EmitOptions,
    request_json: Option<&TokenStream>,
) -> Option<TokenStream> {
    let request = example.request.as_ref()?;
    if request.method != op.method {
        return None;
    }
    let (chain, path) = call_chain(space, op, &request.url)?;
    let (body_setup, body_arg, expected_body) = match (&op.body, request_json) {
        (None, _) => (quote! {}, None, quote! { None }),
        (Some(ty), Some(json)) => {
            let ty = owned_body_type(space, ty);
            (
                quote! { let body: #ty = graph_runtime::testing::decode(#json); },
                Some(quote! { &body }),
                quote! { Some(#json) },
            )
        }
        (Some(_), None) => return None,
    };
    let method_name = ident(&op.rust_name);
    let mut args = chain.op_args;
    args.extend(body_arg);
    let accessors = chain.accessors;
    let method = op.method.as_str();
    let base_url = &options.base_url;
    let name = ident(test_name);
    Some(quote! {
        #[test]
        fn #name() {
            let client = crate::GraphClient::new(graph_runtime::Client::with_token(#base_url, "test-token"));
            #body_setup
            let request = client #(#accessors)* .#method_name(#(#args),*);
            graph_runtime::testing::assert_request(&request, #method, #path, #expected_body);
        }
    })
}

/// Request bodies are decoded into an owned value, then borrowed.
fn owned_body_type(space: &TypeSpace, ty: &RType) -> TokenStream {
    match ty {
        RType::Primitive(Primitive::String) => quote! { String },
        other => rust_type(space, other),
    }
}

struct Chain {
    /// `.a()`, `.by_id("x")`, … down to the builder that holds the operation.
    accessors: Vec<TokenStream>,
    /// Arguments of the operation method itself (function arguments when it
    /// is hosted on its parent).
    op_args: Vec<TokenStream>,
}

/// Matches the example URL against the operation's path and collects the
/// arguments each builder method needs; `None` when the URL does not follow
/// the documented path (another host, a different shape).
fn call_chain(space: &TypeSpace, op: &ROperation, url: &str) -> Option<(Chain, String)> {
    if url.starts_with("http") && !url.contains("graph.microsoft.com") {
        return None;
    }
    let parts = url_segments(url);
    let mut lineage: Vec<NodeId> = Vec::new();
    let mut current = Some(op.target);
    while let Some(id) = current.filter(|id| *id != 0) {
        lineage.push(id);
        current = space.nodes[id].parent;
    }
    lineage.reverse();
    if lineage.len() != parts.len() {
        return None;
    }
    let hosted = space.nodes[op.target].accessor.is_empty();
    let mut accessors = Vec::new();
    let mut op_args = Vec::new();
    for (depth, (id, part)) in lineage.iter().zip(&parts).enumerate() {
        let node = &space.nodes[*id];
        let args = segment_args(node.segment.as_ref()?, part)?;
        let is_last = depth + 1 == lineage.len();
        if is_last && hosted {
            op_args = args;
        } else {
            let accessor = ident(&node.accessor);
            accessors.push(quote! { .#accessor(#(#args),*) });
        }
    }
    let path = format!("/{}", parts.join("/"));
    Some((Chain { accessors, op_args }, path))
}

/// The string arguments that rebuild `part` from a segment of the template.
fn segment_args(segment: &Segment, part: &str) -> Option<Vec<TokenStream>> {
    match segment {
        Segment::Literal { name } => name.eq_ignore_ascii_case(part).then(Vec::new),
        Segment::Key { .. } => (!part.contains('(')).then(|| vec![quote! { #part }]),
        Segment::Address { .. } => None,
        Segment::Function { name, args } => {
            let (called, values) = call_arguments(part)?;
            if !called.eq_ignore_ascii_case(name) || values.len() != args.len() {
                return None;
            }
            let mut out = Vec::new();
            for (position, arg) in args.iter().enumerate() {
                let value = match &arg.name {
                    Some(wanted) => {
                        values.iter().find(|(n, _)| n.as_deref() == Some(wanted.as_str())).map(|(_, v)| v)?
                    }
                    None => &values.get(position)?.1,
                };
                out.push(quote! { #value });
            }
            Some(out)
        }
    }
}
