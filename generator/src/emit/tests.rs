//! Tests generated from the documented examples: every JSON body round-trips
//! through its model, and every example request is rebuilt with the request
//! builders and compared with the documented method, path and body. Where
//! the example shows a request/response pair, that comparison is part of a
//! contract test: the request is sent to a local server that expects the
//! documented request and answers with the documented response, which must
//! come back decoded. Other examples get a test that only builds the request.
//!
//! Examples that cannot become a contract test are listed, with the reason,
//! in `contract-tests.json` next to the crate's `Cargo.toml`, so none is
//! dropped silently.

use std::collections::BTreeMap;
use std::sync::Arc;

use quote::quote;
use rayon::prelude::*;

use super::syntax::{
    await_expr, call, closure, literal, method_call, path_attribute, path_expr, reference_expr, str_constant, str_expr,
    test_fn, turbofish_path_expr,
};
use super::types::{ident, path_type, response_type, rust_type};
use super::{
    EmitCache, EmitError, EmitOptions, GeneratedFile, cfg, cfg_attribute, format_parts, format_tokens, keys, one_area,
    round_trips, str_literal, with_header, with_header_parts,
};
use crate::ir::{Body, Example, Method, Primitive, Segment};
use crate::parse::path::{call_arguments, url_segments};
use crate::resolve::names::{Namespace, module_name, value_names_with_suffixes};
use crate::resolve::{NodeId, ROperation, RType, ResponseShape, TypeSpace};

/// `src/example_tests.rs` and its modules, compiled only for `cargo test`,
/// and the contract manifest; also the round-trip tests it wrote, for
/// `round_trips`.
pub fn emit(
    space: &TypeSpace,
    options: &EmitOptions,
    cache: &EmitCache,
) -> Result<(Vec<GeneratedFile>, Vec<round_trips::Entry>), EmitError> {
    // Names are claimed in one pass, in a fixed order, so each example's tests
    // can then be built (and cached) on their own.
    let mut bases: Vec<String> = Vec::new();
    let mut examples: Vec<(&ROperation, &Arc<Example>)> = Vec::new();
    let mut op_ids: Vec<usize> = Vec::new();
    for (op_id, op) in space.operations.iter().enumerate() {
        for (index, example) in op.examples.iter().enumerate() {
            op_ids.push(op_id);
            let stem = op.page.rsplit('/').next().unwrap_or(&op.page).trim_end_matches(".md");
            bases.push(if op.examples.len() > 1 { format!("{stem}_example_{}", index + 1) } else { stem.to_string() });
            examples.push((op, example));
        }
    }
    let names = cache.remember_names(keys::test_bases(&bases), || TestNames::claim_all(&bases));
    let specs: Vec<(&ROperation, &Arc<Example>, &TestNames)> =
        examples.into_iter().zip(names.iter()).map(|((op, example), names)| (op, example, names)).collect();
    // Plans are cheap and needed by the manifest too; the key of an
    // example's tests covers everything its plan is made from, and the
    // builder calls that rebuild its request.
    let router = Router::new(space);
    // Each example URL is walked once, for its contract and its request test.
    let walks: Vec<Option<Walk>> = specs
        .par_iter()
        .map(|(_, example, _)| example.request.as_ref().and_then(|r| router.walk_url(&r.url)))
        .collect();
    let plans: Vec<Contract> = specs
        .par_iter()
        .zip(&op_ids)
        .zip(&walks)
        .map(|(((_, example, _), op_id), walk)| contract(&router, *op_id, example, walk.as_ref()))
        .collect();
    let request_chains: Vec<Option<(Chain, String)>> =
        specs.par_iter().zip(&walks).map(|((op, _, _), walk)| walk.as_ref().and_then(|w| w.call_chain(op))).collect();
    let keys: Vec<u64> = specs
        .par_iter()
        .zip(&plans)
        .zip(&request_chains)
        .map(|(((op, example, names), plan), request_chain)| {
            let called = match plan {
                Contract::Test(plan) => &space.operations[plan.op],
                Contract::Skipped(_) => op,
            };
            let contract_chain = match plan {
                Contract::Test(plan) => Some(&plan.chain),
                Contract::Skipped(_) => None,
            };
            let chains = (contract_chain, request_chain);
            keys::example_tests(space, options, op, called, cache.example_digest(example), names, &chains)
        })
        .collect();
    // Gated by the file its area's tests go to, not item by item.
    let parts = format_parts(cache, "src/example_tests.rs", &keys, |index| {
        let (op, example, names) = &specs[index];
        let plan = (&plans[index], request_chains[index].as_ref());
        example_tests(space, (op_ids[index], op), example, names, options, plan)
    })?;
    let mut files = area_files(options, &specs, &parts)?;
    let entries = specs.iter().flat_map(|(op, example, names)| round_trip_entries(space, op, example, names)).collect();
    let rows = manifest_rows(space, &specs, &plans);
    let manifest = cache.remember_text(keys::manifest(MANIFEST, options, &rows), || manifest(&rows, options));
    files.push(GeneratedFile { path: MANIFEST.to_string(), contents: manifest.to_string() });
    Ok((files, entries))
}

/// `src/example_tests.rs` and a module under it per area with example tests
/// (`parts`, in example order), each behind its area's feature: one gate per
/// area instead of one per item (there are tens of thousands), and the
/// tests call the testing helpers through a short import.
fn area_files(
    options: &EmitOptions,
    specs: &[(&ROperation, &Arc<Example>, &TestNames)],
    parts: &[Arc<str>],
) -> Result<Vec<GeneratedFile>, EmitError> {
    let mut areas: BTreeMap<&str, (Vec<&str>, Vec<&str>)> = BTreeMap::new();
    for ((op, _, _), text) in specs.iter().zip(parts).filter(|(_, text)| !text.is_empty()) {
        let (pages, texts) = areas.entry(op.area.as_str()).or_default();
        pages.push(op.page.as_str());
        texts.push(text);
    }
    let imports = format_tokens("src/example_tests.rs", quote! { use graph_runtime::testing; })?;
    let mut modules = Namespace::new();
    let mut declarations = Vec::new();
    let mut files = Vec::new();
    for (area, (mut pages, texts)) in areas {
        let module = modules.claim(&module_name(area)).0;
        let gate = cfg(options, &one_area(area));
        let name = ident(&module);
        declarations.push(quote! { #gate mod #name; });
        pages.sort();
        pages.dedup();
        let body: Vec<&str> = std::iter::once(imports.as_str()).chain(texts).collect();
        files.push(GeneratedFile {
            contents: with_header_parts(&pages, &body),
            path: format!("src/example_tests/{module}.rs"),
        });
    }
    let base_url = &options.base_url;
    let client = (!declarations.is_empty()).then(|| {
        quote! {
            /// The client the request tests build with. Nothing is sent, so the
            /// token is a placeholder. Unused if no enabled area has a request test.
            #[allow(dead_code)]
            fn client() -> crate::GraphClient {
                crate::GraphClient::new(graph_runtime::Client::with_token(#base_url, "test-token"))
            }
        }
    });
    let parent = quote! {
        //! Tests made from the documented examples, a module per area.
        #(#declarations)*
        #client
    };
    let path = "src/example_tests.rs";
    let docs = [options.docs_label.as_str()];
    files.push(GeneratedFile { contents: with_header(&docs, &format_tokens(path, parent)?), path: path.to_string() });
    Ok(files)
}

/// The round-trip tests `example_tests` writes for one example (under the
/// same conditions), and the bodies it cannot test, with the reason.
fn round_trip_entries(
    space: &TypeSpace,
    op: &ROperation,
    example: &Example,
    names: &TestNames,
) -> Vec<round_trips::Entry> {
    use round_trips::{Entry, Kind};
    let bodies = [
        (
            Kind::Request,
            example.request.as_ref().map(|r| (&r.body, &r.location)),
            op.body.is_some(),
            &names.request_round_trip,
        ),
        (
            Kind::Response,
            example.response.as_ref().map(|r| (&r.body, &r.location)),
            response_type(space, &op.response).is_some(),
            &names.response_round_trip,
        ),
    ];
    let mut entries = Vec::new();
    for (kind, documented, typed, test) in bodies {
        let (Some((body, location)), true) = (documented, typed) else { continue };
        let outcome = match body {
            Body::Json { .. } => Ok(test.clone()),
            Body::Invalid { error, .. } => Err(format!("the {} body is invalid JSON: {error}", kind.label())),
            Body::Text { .. } => Err(format!("the {} body is not JSON", kind.label())),
            Body::None => Err(format!("the {} example shows no body", kind.label())),
        };
        entries.push(Entry { kind, page: location.file.clone(), line: location.line, outcome });
    }
    entries
}

/// The list of contract tests and skipped examples, at the crate root.
const MANIFEST: &str = "contract-tests.json";

/// The names one example's tests and constants get.
#[derive(Debug, Clone, Hash, serde::Serialize, serde::Deserialize)]
pub struct TestNames {
    request_const: String,
    response_const: String,
    request_round_trip: String,
    response_round_trip: String,
    builds_request: String,
    contract: String,
}

impl TestNames {
    /// The names of each example's tests, claimed in order from one namespace.
    fn claim_all(bases: &[String]) -> Vec<TestNames> {
        let mut taken = Namespace::new();
        bases.iter().map(|base| TestNames::claim(&mut taken, base)).collect()
    }

    fn claim(taken: &mut Namespace, base: &str) -> TestNames {
        let [request, response, request_round_trip, response_round_trip, builds_request, contract] =
            value_names_with_suffixes(
                base,
                [
                    "request",
                    "response",
                    "request_body_round_trips",
                    "response_body_round_trips",
                    "builds_the_documented_request",
                    "contract",
                ],
            );
        let mut constant = |name: String| taken.claim(&name.trim_start_matches("r#").to_ascii_uppercase()).0;
        let (request_const, response_const) = (constant(request), constant(response));
        let mut test = |name: String| taken.claim(name.trim_start_matches("r#")).0;
        TestNames {
            request_const,
            response_const,
            request_round_trip: test(request_round_trip),
            response_round_trip: test(response_round_trip),
            builds_request: test(builds_request),
            contract: test(contract),
        }
    }
}

/// The tests of one example, after the constants holding its JSON bodies
/// (each body is written once, however many tests use it).
fn example_tests(
    space: &TypeSpace,
    (op_id, op): (usize, &ROperation),
    example: &Example,
    names: &TestNames,
    options: &EmitOptions,
    (contract, request_chain): (&Contract, Option<&(Chain, String)>),
) -> Vec<syn::Item> {
    let mut tests = Vec::new();
    let request_json = example.request.as_ref().and_then(|r| json_text(&r.body));
    let response_json = example.response.as_ref().and_then(|r| json_text(&r.body));
    let mut uses_request = false;
    // The response constant comes right before the first test that uses it.
    let mut response_declared = false;
    if let (Some(_), Some(ty)) = (&request_json, &op.body) {
        uses_request = true;
        let test = round_trip_test(&["testing"], &names.request_round_trip, rust_type(space, ty), &names.request_const);
        tests.push(syn::Item::Fn(test));
    }
    if let (Some(json), Some(ty)) = (&response_json, response_type(space, &op.response)) {
        response_declared = true;
        tests.push(syn::Item::Const(str_constant(&names.response_const, json.clone())));
        let test = round_trip_test(&["testing"], &names.response_round_trip, ty, &names.response_const);
        tests.push(syn::Item::Fn(test));
    }
    let request_body = request_json.as_ref().map(|_| names.request_const.as_str());
    let request_test = match contract {
        // The contract test sends this same request and checks its method,
        // path and body as the request test would: one test, not two.
        Contract::Test(plan) if plan.checks_request_of(op_id) => None,
        _ => {
            request_chain.and_then(|chain| request_test(space, op, example, chain, &names.builds_request, request_body))
        }
    };
    if let Some(test) = request_test {
        uses_request |= request_body.is_some() && op.body.is_some();
        tests.push(syn::Item::Fn(test));
    }
    if let Contract::Test(plan) = contract {
        uses_request |= plan.request_body;
        if let (Answer::Json, false, Some(json)) = (&plan.answer, response_declared, &response_json) {
            tests.push(syn::Item::Const(str_constant(&names.response_const, json.clone())));
        }
        // Its items are gated on the example's area; a test of another
        // area's operation needs that area too.
        let called_area = &space.operations[plan.op].area;
        let mut test = contract_test(space, plan, names);
        if called_area != &op.area {
            test.attrs.splice(0..0, cfg_attribute(options, &one_area(called_area)));
        }
        tests.push(syn::Item::Fn(test));
    }
    if let (true, Some(json)) = (uses_request, request_json) {
        tests.insert(0, syn::Item::Const(str_constant(&names.request_const, json)));
    }
    tests
}

/// A test that decodes the JSON in `constant` as `ty` and encodes it again,
/// through the testing helpers at `testing` (a path).
pub(super) fn round_trip_test(testing: &[&str], name: &str, ty: syn::Type, constant: &str) -> syn::ItemFn {
    let assert: Vec<&str> = testing.iter().copied().chain(["assert_round_trip"]).collect();
    let statement = call(turbofish_path_expr(&assert, ty), vec![path_expr(&[constant])]);
    test_fn(path_attribute(&["test"]), false, name, statement)
}

/// What one example becomes as a contract test, or why it cannot become one.
#[derive(Debug)]
enum Contract {
    Test(ContractPlan),
    Skipped(Skip),
}

/// A contract test: the call that rebuilds the example request, what the
/// server expects of it and what it answers.
#[derive(Debug)]
struct ContractPlan {
    /// The operation called: the example's own, or the one of the same
    /// page or another whose path the example URL follows.
    op: usize,
    chain: Chain,
    /// The documented path, compared with the one sent.
    path: String,
    /// Leading URL segments the operation's path leaves out (workbook pages
    /// document `/workbook/…` below a drive item the URL names): they go
    /// into the client's base URL.
    base_path: String,
    /// The server expects the documented JSON body (the request constant).
    request_body: bool,
    status: u16,
    answer: Answer,
}

impl ContractPlan {
    /// Whether the test sends the request operation `op_id` builds for the
    /// example, at the root of the client: then it checks what a request
    /// test of that operation would (method, path and body).
    fn checks_request_of(&self, op_id: usize) -> bool {
        self.op == op_id && self.base_path.is_empty()
    }
}

/// What the server answers with, and so what the decoded answer is compared with.
#[derive(Debug)]
enum Answer {
    /// No body: only the request and the success are checked.
    Empty,
    /// The response constant, compared property by property.
    Json,
    /// Raw text for a bytes response (or a body the operation ignores),
    /// compared byte for byte when the operation returns bytes.
    Text(String),
}

/// Why an example is not a contract test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum SkipReason {
    NoRequest,
    NoResponse,
    RequestBodyNotJson,
    RequestBodyInvalid,
    RequestBodyMissing,
    ResponseBodyNotJson,
    ResponseBodyInvalid,
    Redirect,
    NotSuccess,
    MethodDiffers,
    OtherHost,
    UrlDoesNotFollowPath,
}

impl SkipReason {
    fn label(self) -> &'static str {
        match self {
            SkipReason::NoRequest => "no request example",
            SkipReason::NoResponse => "no response example",
            SkipReason::RequestBodyNotJson => "the request body is not JSON",
            SkipReason::RequestBodyInvalid => "the request body is invalid JSON",
            SkipReason::RequestBodyMissing => "the operation takes a body, the example shows none",
            SkipReason::ResponseBodyNotJson => "the response body is not JSON",
            SkipReason::ResponseBodyInvalid => "the response body is invalid JSON",
            SkipReason::Redirect => "the documented response is a redirect to another host",
            SkipReason::NotSuccess => "the documented response is an error",
            SkipReason::MethodDiffers => "no operation has the example's method and URL",
            SkipReason::OtherHost => "the example URL is on another host",
            SkipReason::UrlDoesNotFollowPath => "the example URL follows no operation's path",
        }
    }

    /// Whether the example pair itself could serve (a successful exchange
    /// with JSON or no bodies), so that skipping it is the generator's
    /// shortfall, not the page's.
    fn pair_is_usable(self) -> bool {
        !matches!(
            self,
            SkipReason::NoRequest
                | SkipReason::NoResponse
                | SkipReason::RequestBodyNotJson
                | SkipReason::RequestBodyInvalid
                | SkipReason::ResponseBodyNotJson
                | SkipReason::ResponseBodyInvalid
                | SkipReason::Redirect
                | SkipReason::NotSuccess
        )
    }
}

#[derive(Debug)]
struct Skip {
    reason: SkipReason,
    /// What exactly did not fit (a URL, a status), for the manifest.
    detail: String,
}

fn skip(reason: SkipReason, detail: impl Into<String>) -> Contract {
    Contract::Skipped(Skip { reason, detail: detail.into() })
}

/// Decides whether `example` (documented for operation `op_id`) can be a
/// contract test, and of which operation: its own when the URL follows its
/// path, else the operation whose path the URL follows (pages document
/// several paths, `/me/…` and `/users/{id}/…`, and the example shows one),
/// else its own below a base path the URL adds. `walk` is the request URL's
/// (`None` without a request or for a URL on another host).
fn contract(router: &Router, op_id: usize, example: &Example, walk: Option<&Walk>) -> Contract {
    let space = router.space;
    let Some(request) = &example.request else {
        return skip(SkipReason::NoRequest, "");
    };
    let Some(response) = &example.response else {
        return skip(SkipReason::NoResponse, "");
    };
    match response.status {
        200..=299 => {}
        300..=399 => return skip(SkipReason::Redirect, response.status.to_string()),
        status => return skip(SkipReason::NotSuccess, status.to_string()),
    }
    let Some(Walk { parts, routes }) = walk else {
        return skip(SkipReason::OtherHost, request.url.as_str());
    };
    let own = &space.operations[op_id];
    let same_method = request.method == own.method;
    let found = same_method
        .then(|| chain_to(routes, own).cloned())
        .flatten()
        .map(|chain| (op_id, chain, 0))
        .or_else(|| router.route(routes, request.method).map(|(id, chain)| (id, chain, 0)))
        .or_else(|| same_method.then(|| below_base(router, own, parts)).flatten().map(|(chain, k)| (op_id, chain, k)));
    let Some((called, chain, base_len)) = found else {
        let reason = if same_method { SkipReason::UrlDoesNotFollowPath } else { SkipReason::MethodDiffers };
        return skip(reason, format!("{} {} for {}", request.method.as_str(), request.url, own.path));
    };
    let op = &space.operations[called];
    let request_body = match (&op.body, &request.body) {
        (None, _) => false,
        (Some(_), Body::Json { .. }) => true,
        (Some(_), Body::Text { .. }) => return skip(SkipReason::RequestBodyNotJson, ""),
        (Some(_), Body::Invalid { error, .. }) => return skip(SkipReason::RequestBodyInvalid, error.as_str()),
        (Some(_), Body::None) => return skip(SkipReason::RequestBodyMissing, ""),
    };
    let answer = match (&op.response, &response.body) {
        (_, Body::None) => Answer::Empty,
        (ResponseShape::Json(_) | ResponseShape::Page(_) | ResponseShape::Wrapped(_), Body::Json { .. }) => {
            Answer::Json
        }
        (ResponseShape::Json(_) | ResponseShape::Page(_) | ResponseShape::Wrapped(_), Body::Text { .. }) => {
            return skip(SkipReason::ResponseBodyNotJson, "");
        }
        (ResponseShape::Json(_) | ResponseShape::Page(_) | ResponseShape::Wrapped(_), Body::Invalid { error, .. }) => {
            return skip(SkipReason::ResponseBodyInvalid, error.as_str());
        }
        // The operation does not decode JSON: serve the text as written.
        (ResponseShape::Empty, Body::Json { .. }) => Answer::Json,
        (ResponseShape::Empty | ResponseShape::Bytes, Body::Text { text } | Body::Invalid { text, .. }) => {
            Answer::Text(text.clone())
        }
        (ResponseShape::Bytes, Body::Json { value, .. }) => {
            Answer::Text(serde_json::to_string_pretty(value).unwrap_or_default())
        }
    };
    let base_path = if base_len == 0 { String::new() } else { format!("/{}", parts[..base_len].join("/")) };
    Contract::Test(ContractPlan {
        op: called,
        chain,
        path: format!("/{}", parts.join("/")),
        base_path,
        request_body,
        status: response.status,
        answer,
    })
}

/// `op`'s path as the tail of `parts`, and how many leading parts it leaves
/// for the base URL.
fn below_base(router: &Router, op: &ROperation, parts: &[String]) -> Option<(Chain, usize)> {
    let skip = parts.len().checked_sub(lineage(router.space, op)?.len()).filter(|n| *n > 0)?;
    chain_to(&router.routes(&parts[skip..]), op).map(|chain| (chain.clone(), skip))
}

/// The contract test of one example: serve the documented exchange, send
/// the rebuilt request, check what comes back.
fn contract_test(space: &TypeSpace, plan: &ContractPlan, names: &TestNames) -> syn::ItemFn {
    let op = &space.operations[plan.op];
    let mut exchange =
        call(path_expr(&["testing", "Exchange", "new"]), vec![str_expr(op.method.as_str()), str_expr(&plan.path)]);
    let mut args = plan.chain.op_arg_exprs();
    if let (Some(ty), true) = (&op.body, plan.request_body) {
        args.push(decoded_body(space, ty, &names.request_const));
        exchange = method_call(exchange, "request_json", vec![path_expr(&[&names.request_const])]);
    }
    let status = literal(syn::Lit::new(proc_macro2::Literal::u16_unsuffixed(plan.status)));
    exchange = match &plan.answer {
        Answer::Empty => method_call(exchange, "respond_empty", vec![status]),
        Answer::Json => method_call(exchange, "respond_json", vec![status, path_expr(&[&names.response_const])]),
        Answer::Text(text) => {
            method_call(exchange, "respond_text", vec![status, literal(syn::Lit::new(str_literal(text)))])
        }
    };
    if !plan.base_path.is_empty() {
        exchange = method_call(exchange, "below", vec![str_expr(&plan.base_path)]);
    }
    // An operation that returns nothing has nothing to compare.
    let check = match op.response {
        ResponseShape::Empty => "assert_sent",
        ResponseShape::Json(_) | ResponseShape::Page(_) | ResponseShape::Wrapped(_) | ResponseShape::Bytes => {
            "assert_answer"
        }
    };
    let client = call(path_expr(&["crate", "GraphClient", "new"]), vec![path_expr(&["client"])]);
    let request = method_call(plan.chain.calls_on(client), &op.rust_name, args);
    let statement = await_expr(method_call(exchange, check, vec![closure("client", request)]));
    test_fn(path_attribute(&["tokio", "test"]), true, &names.contract, statement)
}

/// One entry of the contract manifest: the test an example became, or why
/// it became none.
#[derive(Hash)]
enum ManifestRow<'a> {
    Test { test: &'a str, page: &'a str, line: u32, calls: Option<&'a str>, base_path: &'a str },
    Skipped { page: &'a str, line: u32, reason: SkipReason, detail: &'a str },
}

/// What the manifest says of each example, in example order.
fn manifest_rows<'a>(
    space: &'a TypeSpace,
    specs: &[(&'a ROperation, &'a Arc<Example>, &'a TestNames)],
    plans: &'a [Contract],
) -> Vec<ManifestRow<'a>> {
    let rows = specs.iter().zip(plans).map(|((op, example, names), plan)| {
        let location = example.request.as_ref().map(|r| &r.location).or(example.response.as_ref().map(|r| &r.location));
        let page = location.map(|l| l.file.as_str()).unwrap_or(&op.page);
        let line = location.map(|l| l.line).unwrap_or(0);
        match plan {
            Contract::Test(plan) => {
                let called = space.operations[plan.op].path.as_str();
                let calls = (called != op.path).then_some(called);
                ManifestRow::Test { test: &names.contract, page, line, calls, base_path: &plan.base_path }
            }
            Contract::Skipped(Skip { reason, detail }) => ManifestRow::Skipped { page, line, reason: *reason, detail },
        }
    });
    rows.collect()
}

/// The manifest: every contract test with its page, every skipped example
/// with its page and reason, and the counts. Fields are declared in the
/// order of their names, the order the manifest has always listed them in.
fn manifest(rows: &[ManifestRow], options: &EmitOptions) -> String {
    #[derive(serde::Serialize)]
    struct Manifest<'a> {
        contract_tests: usize,
        examples: usize,
        generated_by: String,
        skipped: usize,
        skipped_by_reason: BTreeMap<&'static str, usize>,
        skipped_examples: Vec<SkippedEntry<'a>>,
        tests: Vec<TestEntry<'a>>,
    }
    #[derive(serde::Serialize)]
    struct TestEntry<'a> {
        #[serde(skip_serializing_if = "str::is_empty")]
        base_path: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        calls: Option<&'a str>,
        line: u32,
        page: &'a str,
        test: &'a str,
    }
    #[derive(serde::Serialize)]
    struct SkippedEntry<'a> {
        #[serde(skip_serializing_if = "str::is_empty")]
        detail: &'a str,
        line: u32,
        page: &'a str,
        reason: &'static str,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        usable_pair: bool,
    }
    let mut tests = Vec::new();
    let mut skipped_examples = Vec::new();
    let mut skipped_by_reason: BTreeMap<&'static str, usize> = BTreeMap::new();
    for row in rows {
        match *row {
            ManifestRow::Test { test, page, line, calls, base_path } => {
                tests.push(TestEntry { base_path, calls, line, page, test });
            }
            ManifestRow::Skipped { page, line, reason, detail } => {
                *skipped_by_reason.entry(reason.label()).or_default() += 1;
                let usable_pair = reason.pair_is_usable();
                skipped_examples.push(SkippedEntry { detail, line, page, reason: reason.label(), usable_pair });
            }
        }
    }
    let manifest = Manifest {
        contract_tests: tests.len(),
        examples: rows.len(),
        generated_by: format!(
            "docgen from `{}`; do not edit: change the docs and run `cargo xtask gen`",
            options.docs_label
        ),
        skipped: skipped_examples.len(),
        skipped_by_reason,
        skipped_examples,
        tests,
    };
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    text
}

/// The body as pretty JSON in a string literal, or `None` if it is not JSON.
fn json_text(body: &Body) -> Option<proc_macro2::Literal> {
    let Body::Json { value, .. } = body else {
        return None;
    };
    serde_json::to_string_pretty(value).ok().map(|text| str_literal(&text))
}

/// Rebuilds the example request with the builders, when its URL follows the
/// operation's path and its body (if any) is JSON.
fn request_test(
    space: &TypeSpace,
    op: &ROperation,
    example: &Example,
    (chain, path): &(Chain, String),
    test_name: &str,
    request_json: Option<&str>,
) -> Option<syn::ItemFn> {
    let request = example.request.as_ref()?;
    if request.method != op.method {
        return None;
    }
    let (body_arg, expected_body) = match (&op.body, request_json) {
        (None, _) => (None, path_expr(&["None"])),
        (Some(ty), Some(json)) => {
            (Some(decoded_body(space, ty, json)), call(path_expr(&["Some"]), vec![path_expr(&[json])]))
        }
        (Some(_), None) => return None,
    };
    let mut args = chain.op_arg_exprs();
    args.extend(body_arg);
    let client = call(path_expr(&["super", "client"]), Vec::new());
    let request = method_call(chain.calls_on(client), &op.rust_name, args);
    let statement = call(
        path_expr(&["testing", "assert_request"]),
        vec![reference_expr(request), str_expr(op.method.as_str()), str_expr(path), expected_body],
    );
    Some(test_fn(path_attribute(&["test"]), false, test_name, statement))
}

/// The argument that passes the documented request body (the constant
/// `json`) to an operation taking `ty`: decoded into an owned value in
/// place, then borrowed (one expression, not a `let` per test). The
/// parameter is `&T` for most bodies, which names what to decode; strings
/// and collections are taken as `&str` and `&[T]`, so the owned type is
/// spelled out.
fn decoded_body(space: &TypeSpace, ty: &RType, json: &str) -> syn::Expr {
    let decode = match ty {
        RType::Primitive(Primitive::String) => {
            turbofish_path_expr(&["testing", "decode"], path_type(&["String"], None))
        }
        RType::Collection(_) => turbofish_path_expr(&["testing", "decode"], rust_type(space, ty)),
        _ => path_expr(&["testing", "decode"]),
    };
    reference_expr(call(decode, vec![path_expr(&[json])]))
}

/// Plain strings (not syntax, which cannot cross threads), turned into
/// expressions where a test is built.
#[derive(Debug, Clone, Hash)]
pub(super) struct Chain {
    /// `.a()`, `.by_id("x")`, … down to the builder that holds the
    /// operation: each accessor with its string arguments.
    accessors: Vec<(String, Vec<String>)>,
    /// Arguments of the operation method itself (function arguments when it
    /// is hosted on its parent).
    op_args: Vec<String>,
    /// How many of the URL's parts are ids (keys or item paths).
    keys: usize,
}

impl Chain {
    /// `receiver.a().by_id("x")…`.
    fn calls_on(&self, receiver: syn::Expr) -> syn::Expr {
        self.accessors.iter().fold(receiver, |receiver, (accessor, args)| {
            method_call(receiver, accessor, args.iter().map(|arg| str_expr(arg)).collect())
        })
    }

    /// The operation's string arguments.
    fn op_arg_exprs(&self) -> Vec<syn::Expr> {
        self.op_args.iter().map(|arg| str_expr(arg)).collect()
    }
}

/// The request tree as the example tests walk it: each node's accessors
/// (names before ids) and the leaf functions and actions that are methods
/// of it, found once for every example.
struct Router<'a> {
    space: &'a TypeSpace,
    accessors: Vec<Vec<NodeId>>,
    hosted: Vec<Vec<NodeId>>,
    /// The operations whose target each node is, by id.
    targeted_by: Vec<Vec<usize>>,
}

/// An example URL, walked: its parts and every route it takes ([`Router::routes`]).
struct Walk {
    parts: Vec<String>,
    routes: Vec<(NodeId, Chain)>,
}

impl Walk {
    /// The builder calls that reach `op` along the URL, and the URL's path.
    fn call_chain(&self, op: &ROperation) -> Option<(Chain, String)> {
        let chain = chain_to(&self.routes, op)?.clone();
        Some((chain, format!("/{}", self.parts.join("/"))))
    }
}

impl<'a> Router<'a> {
    fn new(space: &'a TypeSpace) -> Router<'a> {
        let mut accessors = vec![Vec::new(); space.nodes.len()];
        let mut hosted = vec![Vec::new(); space.nodes.len()];
        for (id, node) in space.nodes.iter().enumerate() {
            let (Some(parent), Some(_)) = (node.parent, &node.segment) else { continue };
            if node.accessor.is_empty() {
                hosted[parent].push(id);
            }
        }
        for (id, node) in space.nodes.iter().enumerate() {
            let mut children: Vec<NodeId> =
                node.children.iter().copied().filter(|c| !space.nodes[*c].accessor.is_empty()).collect();
            children.sort_by_key(|c| is_id(space.nodes[*c].segment.as_ref()));
            accessors[id] = children;
        }
        let mut targeted_by = vec![Vec::new(); space.nodes.len()];
        for (id, op) in space.operations.iter().enumerate() {
            targeted_by[op.target].push(id);
        }
        Router { space, accessors, hosted, targeted_by }
    }

    /// Walks an example URL from the client; `None` for a URL on another
    /// host, which no builder reaches.
    fn walk_url(&self, url: &str) -> Option<Walk> {
        if is_other_host(url) {
            return None;
        }
        let parts = url_segments(url);
        let routes = self.routes(&parts);
        Some(Walk { parts, routes })
    }

    /// The operation with `method` that one of `routes` reaches; the most
    /// specific one (fewest ids), the first by id on a tie. Only the
    /// operations that target a node some route ends at can be reached.
    fn route(&self, routes: &[(NodeId, Chain)], method: Method) -> Option<(usize, Chain)> {
        let mut reachable: Vec<usize> = routes.iter().flat_map(|(end, _)| &self.targeted_by[*end]).copied().collect();
        reachable.sort_unstable();
        reachable.dedup();
        let mut best: Option<(usize, usize, &Chain)> = None;
        for id in reachable {
            let op = &self.space.operations[id];
            if op.method != method {
                continue;
            }
            let Some(chain) = chain_to(routes, op) else { continue };
            if best.as_ref().is_none_or(|(fewest, _, _)| chain.keys < *fewest) {
                best = Some((chain.keys, id, chain));
            }
        }
        best.map(|(_, id, chain)| (id, chain.clone()))
    }

    /// Every way the URL `parts` goes from the client, in the order a
    /// depth-first walk finds them (names before ids, so `mailFolders/inbox`
    /// takes an `inbox` accessor where there is one): the node each ends at
    /// and the builder calls that reach it. `/me/…` goes through the users
    /// item's builder, `…/items/{id}/workbook/…` through the workbook's.
    fn routes(&self, parts: &[String]) -> Vec<(NodeId, Chain)> {
        let mut found = Vec::new();
        let mut chain = Chain { accessors: Vec::new(), op_args: Vec::new(), keys: 0 };
        self.walk(0, parts, &mut chain, &mut found);
        found
    }

    fn walk(&self, node: NodeId, parts: &[String], chain: &mut Chain, found: &mut Vec<(NodeId, Chain)>) {
        let Some((part, rest)) = parts.split_first() else {
            found.push((node, chain.clone()));
            return;
        };
        if rest.is_empty() {
            // A leaf function or action whose operation is a method of `node`.
            for &leaf in &self.hosted[node] {
                let segment = self.space.nodes[leaf].segment.as_ref();
                if let Some(args) = segment.and_then(|s| segment_args(s, part)) {
                    let keys = chain.keys + usize::from(is_id(segment));
                    found.push((leaf, Chain { accessors: chain.accessors.clone(), op_args: args, keys }));
                }
            }
        }
        for &child in &self.accessors[node] {
            let next = &self.space.nodes[child];
            let Some(args) = next.segment.as_ref().and_then(|s| segment_args(s, part)) else { continue };
            let id = usize::from(is_id(next.segment.as_ref()));
            chain.accessors.push((next.accessor.clone(), args));
            chain.keys += id;
            self.walk(next.alias_of.unwrap_or(child), rest, chain, found);
            chain.accessors.pop();
            chain.keys -= id;
        }
    }
}

/// The first of `routes` that ends at `op`'s node.
fn chain_to<'r>(routes: &'r [(NodeId, Chain)], op: &ROperation) -> Option<&'r Chain> {
    routes.iter().find(|(end, _)| *end == op.target).map(|(_, chain)| chain)
}

/// The nodes from the root's child down to the operation's target, by
/// their parents; `None` below a subtree mounted only through aliases.
fn lineage(space: &TypeSpace, op: &ROperation) -> Option<Vec<NodeId>> {
    let mut lineage: Vec<NodeId> = Vec::new();
    let mut current = op.target;
    while current != 0 {
        lineage.push(current);
        current = space.nodes[current].parent?;
    }
    lineage.reverse();
    Some(lineage)
}

/// A segment that takes an id: a key or an item path.
fn is_id(segment: Option<&Segment>) -> bool {
    matches!(segment, Some(Segment::Key { .. } | Segment::Address { .. }))
}

/// An absolute URL that is not Graph's.
fn is_other_host(url: &str) -> bool {
    url.starts_with("http") && !url.contains("graph.microsoft.com")
}

/// The string arguments that rebuild `part` from a segment of the template.
fn segment_args(segment: &Segment, part: &str) -> Option<Vec<String>> {
    match segment {
        Segment::Literal { name } => name.eq_ignore_ascii_case(part).then(Vec::new),
        Segment::Key { .. } => (!part.contains('(')).then(|| vec![percent_decoded(part)]),
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
                out.push(percent_decoded(value));
            }
            Some(out)
        }
    }
}

/// `%2Farticle` → `/article`: example URLs write ids as they go on the wire,
/// and the builders encode what they are given. Text that is not a valid
/// escape, or does not decode to UTF-8, stays as written.
fn percent_decoded(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes.get(i + 1..i + 3).and_then(|hex| std::str::from_utf8(hex).ok());
        match escaped.filter(|_| bytes[i] == b'%').and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod unit_tests {
    use quote::ToTokens;

    use super::{decoded_body, percent_decoded};
    use crate::ir::Primitive;
    use crate::resolve::{RType, TypeSpace};

    #[test]
    fn request_bodies_are_decoded_as_what_the_operation_borrows() {
        let space = TypeSpace::default();
        let decoded = |ty: RType| decoded_body(&space, &ty, "BODY").into_token_stream().to_string().replace(' ', "");
        // `&T` parameters name what to decode.
        assert_eq!(decoded(RType::Untyped), "&testing::decode(BODY)");
        // `&str` and `&[T]` do not: the owned type is spelled out.
        assert_eq!(decoded(RType::Primitive(Primitive::String)), "&testing::decode::<String>(BODY)");
        let strings = RType::Collection(Box::new(RType::Primitive(Primitive::String)));
        assert_eq!(decoded(strings), "&testing::decode::<Vec<String>>(BODY)");
    }

    #[test]
    fn ids_from_example_urls_are_decoded_once() {
        assert_eq!(percent_decoded("%2Farticle%3F12345"), "/article?12345");
        assert_eq!(percent_decoded("{id}"), "{id}");
        assert_eq!(percent_decoded("100%"), "100%");
        assert_eq!(percent_decoded("%zz%41"), "%zzA");
        assert_eq!(percent_decoded("%C3%A9t%C3%A9"), "été");
        assert_eq!(percent_decoded("%FF"), "%FF");
    }
}
