//! The round-trip proof of the models: every resource page's JSON
//! representation becomes a test that decodes it into its model and encodes
//! it again without losing a property (`src/representation_tests.rs`), and
//! `round-trip-tests.json` lists every round-trip test of the crate (these
//! and the example bodies' of `example_tests`) with the page and line it
//! comes from, plus the representations that cannot be tested and why, so
//! a test run can be turned into pass rates and a list of failures by page.

use serde::Serialize;

use super::syntax::str_constant;
use super::types::rust_type;
use super::{EmitCache, EmitError, EmitOptions, GeneratedFile, cfg_attribute, format_parts, keys, with_header_parts};
use crate::resolve::{Home, RType, Representation, RepresentationBody, TypeSpace};

/// What a round-trip test decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A resource page's JSON representation.
    Representation,
    /// A response example's body.
    Response,
    /// A request example's body.
    Request,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Representation => "representation",
            Kind::Response => "response",
            Kind::Request => "request",
        }
    }
}

/// One round-trip test, or one documented body that could not become one.
#[derive(Debug, Clone, Hash)]
pub struct Entry {
    pub kind: Kind,
    pub page: String,
    pub line: u32,
    /// The test's function name, or why there is no test.
    pub outcome: Result<String, String>,
}

/// `src/representation_tests.rs`, and an entry per representation (tested
/// or not) for the manifest.
pub fn representation_tests(
    space: &TypeSpace,
    options: &EmitOptions,
    cache: &EmitCache,
) -> Result<(GeneratedFile, Vec<Entry>), EmitError> {
    // Model modules are unique names, so the tests named after them are too.
    let represented: Vec<(usize, &str, &Representation)> = space
        .models
        .iter()
        .enumerate()
        .filter_map(|(id, model)| match (&model.home, &model.representation) {
            (Home::Models { module }, Some(rep)) => Some((id, module.trim_start_matches("r#"), rep)),
            _ => None,
        })
        .collect();
    let models: Vec<(usize, &str, &str)> = represented
        .iter()
        .filter_map(|(id, module, rep)| match &rep.body {
            RepresentationBody::Json(json) => Some((*id, *module, json.as_str())),
            RepresentationBody::Unusable(_) => None,
        })
        .collect();
    let keys: Vec<u64> = models.iter().map(|(id, _, _)| keys::representation_test(space, options, *id)).collect();
    let path = "src/representation_tests.rs".to_string();
    let parts = format_parts(cache, &path, &keys, |index| {
        let (id, module, json) = models[index];
        let model = &space.models[id];
        let constant_name = format!("{}_JSON", module.to_ascii_uppercase());
        // This file imports nothing: its items are gated one by one.
        let mut test = super::tests::round_trip_test(
            &["graph_runtime", "testing"],
            &test_name(module),
            rust_type(space, &RType::Model(id)),
            &constant_name,
        );
        test.attrs.splice(0..0, cfg_attribute(options, &model.areas));
        let mut constant = str_constant(&constant_name, super::str_literal(json));
        constant.attrs.extend(cfg_attribute(options, &model.areas));
        vec![syn::Item::Const(constant), syn::Item::Fn(test)]
    })?;
    let mut pages: Vec<&str> = models.iter().map(|(id, _, _)| space.models[*id].page.as_str()).collect();
    pages.sort();
    pages.dedup();

    let entries: Vec<Entry> = represented
        .iter()
        .map(|(id, module, rep)| Entry {
            kind: Kind::Representation,
            page: space.models[*id].page.clone(),
            line: rep.line,
            outcome: match &rep.body {
                RepresentationBody::Json(_) => Ok(test_name(module)),
                RepresentationBody::Unusable(why) => Err(why.clone()),
            },
        })
        .collect();
    Ok((GeneratedFile { contents: with_header_parts(&pages, &parts), path }, entries))
}

/// `round-trip-tests.json`: every round-trip test of the crate (`entries`:
/// the representations' and the example bodies') with its page and line.
pub fn manifest_file(options: &EmitOptions, cache: &EmitCache, entries: &[Entry]) -> GeneratedFile {
    GeneratedFile {
        path: MANIFEST.to_string(),
        contents: cache
            .remember_text(keys::manifest(MANIFEST, options, entries), || manifest(entries, options))
            .to_string(),
    }
}

const MANIFEST: &str = "round-trip-tests.json";

fn test_name(module: &str) -> String {
    format!("{module}_representation_round_trips")
}

/// The tests by kind, then the bodies skipped with their reasons, each in
/// (page, line) order. Fields are declared in the order of their names,
/// the order the manifest has always listed them in.
fn manifest(entries: &[Entry], options: &EmitOptions) -> String {
    #[derive(Serialize)]
    struct Manifest<'a> {
        generated_by: String,
        skipped: Vec<Item<'a>>,
        tests: Vec<Item<'a>>,
    }
    #[derive(Serialize)]
    struct Item<'a> {
        kind: &'static str,
        line: u32,
        page: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        test: Option<&'a str>,
    }
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| (&a.page, a.line, a.kind.label()).cmp(&(&b.page, b.line, b.kind.label())));
    let generated_by =
        format!("docgen from `{}`; do not edit: change the docs and run `cargo xtask gen`", options.docs_label);
    let mut manifest = Manifest { generated_by, skipped: Vec::new(), tests: Vec::new() };
    for entry in sorted {
        let item = |reason, test| Item { kind: entry.kind.label(), line: entry.line, page: &entry.page, reason, test };
        match &entry.outcome {
            Ok(test) => manifest.tests.push(item(None, Some(test))),
            Err(reason) => manifest.skipped.push(item(Some(reason), None)),
        }
    }
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    text
}
