//! Emit: the type space → the files of a Rust crate.
//!
//! Each item is turned into tokens with `quote`, parsed into a `syn::File`
//! and printed by `prettyplease`. Emitting is a pure function of the type
//! space and the options: the same input gives byte-identical files.

mod cache;
mod crate_files;
mod features;
mod format;
mod keys;
mod models;
mod options;
mod requests;
mod round_trips;
mod syntax;
mod tests;
mod types;

use std::sync::Arc;

use proc_macro2::TokenStream;
use quote::ToTokens;
use rayon::prelude::*;

use crate::resolve::{Home, TypeSpace};
pub use cache::EmitCache;
pub use features::{cfg, cfg_attribute, one_area};
pub use format::{
    Code, doc_attribute, doc_lines, format_cached, format_keyed, format_parts, format_tokens, str_literal, with_header,
    with_header_parts,
};
pub use options::OptionError;
pub(crate) use tests::TestNames;

/// The entries of an [`EmitCache`] that the disk cache keeps, by key.
#[derive(Debug, Default)]
pub(crate) struct StoredItems {
    pub formatted: Vec<(u64, Arc<str>)>,
    pub texts: Vec<(u64, Arc<str>)>,
    pub test_names: Vec<(u64, Arc<[tests::TestNames]>)>,
}

/// One output file: its path relative to the crate root and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// What the generated crate is called and where it finds its runtime.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmitOptions {
    /// The package name, e.g. `graph-sdk`.
    pub crate_name: String,
    /// Default base URL of the client, e.g. `https://graph.microsoft.com/beta`.
    pub base_url: String,
    /// Path from the generated crate to the `graph-runtime` crate.
    pub runtime_path: String,
    /// Add an empty `[workspace]` so the crate builds on its own, outside any workspace.
    pub standalone: bool,
    /// How the docs folder is named in headers (e.g. `docs-input`).
    pub docs_label: String,
    /// Put each product area behind a cargo feature (for crates of the whole docs).
    pub features: bool,
}

/// Tokens that do not parse as Rust: a generator bug (names are made safe
/// before they get here), reported as an error instead of a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmitError {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "internal error: the code generated for {} is not valid Rust: {}", self.file, self.message)
    }
}

impl std::error::Error for EmitError {}

/// Emits every file of the crate, sorted by path. The kinds of file are
/// emitted side by side (`rayon::join`), so a core that finishes its share
/// of one kind takes on another instead of waiting for the last item.
pub fn emit(space: &TypeSpace, options: &EmitOptions, cache: &EmitCache) -> Result<Vec<GeneratedFile>, EmitError> {
    // The tests go first: theirs is the longest chain, and it ends in steps
    // on one core (claiming names, the manifests) that the other branches'
    // work fills in around.
    let (test_files, (request_files, (model_files, crate_files))) = rayon::join(
        || test_files(space, options, cache),
        || {
            rayon::join(
                || requests::emit(space, options, cache),
                || rayon::join(|| model_files(space, options, cache), || crate_files::emit(space, options, cache)),
            )
        },
    );
    let mut files: Vec<GeneratedFile> = Vec::new();
    for part in [crate_files, model_files, request_files, test_files] {
        files.extend(part?);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The example tests, the representation tests (built side by side) and the
/// manifest of every round-trip test among them.
fn test_files(space: &TypeSpace, options: &EmitOptions, cache: &EmitCache) -> Result<Vec<GeneratedFile>, EmitError> {
    let (examples, representations) =
        rayon::join(|| tests::emit(space, options, cache), || round_trips::representation_tests(space, options, cache));
    let (mut files, example_entries) = examples?;
    let (representation_file, mut entries) = representations?;
    entries.extend(example_entries);
    files.push(round_trips::manifest_file(options, cache, &entries));
    files.push(representation_file);
    Ok(files)
}

/// `src/models/`: a file per model, enum and polymorph (dispatch enum).
fn model_files(space: &TypeSpace, options: &EmitOptions, cache: &EmitCache) -> Result<Vec<GeneratedFile>, EmitError> {
    let mut files: Vec<GeneratedFile> = space
        .models
        .par_iter()
        .enumerate()
        .filter_map(|(id, model)| match &model.home {
            Home::Models { module } => Some((id, model, module)),
            Home::Requests { .. } => None,
        })
        .map(|(id, model, module)| {
            let path = format!("src/models/{module}.rs");
            let body = format_cached(cache, keys::model(space, options, id), &path, || models::model_items(space, id))?;
            Ok(GeneratedFile { contents: with_header(&[&model.page], &body), path })
        })
        .collect::<Result<_, EmitError>>()?;
    let enum_files: Result<Vec<GeneratedFile>, EmitError> = space
        .enums
        .par_iter()
        .enumerate()
        .map(|(id, en)| {
            let path = format!("src/models/{}.rs", en.module);
            let body = format_cached(cache, keys::enumeration(space, id), &path, || models::enumeration(en))?;
            Ok(GeneratedFile { contents: with_header(&[&en.page], &body), path })
        })
        .collect();
    files.extend(enum_files?);
    let polymorph_files: Result<Vec<GeneratedFile>, EmitError> = (0..space.polymorphs.len())
        .into_par_iter()
        .map(|id| {
            let poly = &space.polymorphs[id];
            let path = format!("src/models/{}.rs", poly.module);
            let key = keys::polymorph(space, options, id);
            let body = format_cached(cache, key, &path, || models::polymorph(space, options, id))?;
            let pages: Vec<&str> =
                std::iter::once(&poly.base).chain(&poly.variants).map(|m| space.models[*m].page.as_str()).collect();
            Ok(GeneratedFile { contents: with_header(&pages, &body), path })
        })
        .collect();
    files.extend(polymorph_files?);
    Ok(files)
}

/// The Rust one page produced, for review: its models and enums, and its
/// operations as methods in an `impl` of the builder that holds them. Built
/// from the same functions as the crate's files.
pub fn page_rust(space: &TypeSpace, options: &EmitOptions, page: &str) -> Result<String, EmitError> {
    let mut items: Vec<TokenStream> = Vec::new();
    let models = (0..space.models.len()).filter(|id| space.models[*id].page == page);
    items.extend(models.flat_map(|id| models::model_items(space, id)).map(|item| item.into_token_stream()));
    let enums = space.enums.iter().filter(|e| e.page == page);
    items.extend(enums.flat_map(models::enumeration).map(|item| item.into_token_stream()));
    let polymorphs = (0..space.polymorphs.len()).filter(|id| space.models[space.polymorphs[*id].base].page == page);
    items.extend(polymorphs.map(|id| models::polymorph(space, options, id)));
    for (host, node) in space.nodes.iter().enumerate() {
        let methods: Vec<syn::ImplItem> = node
            .operations
            .iter()
            .map(|id| &space.operations[*id])
            .filter(|op| op.page == page)
            .map(|op| requests::operation(space, options, host, op, None))
            .collect();
        if !methods.is_empty() {
            let name = quote::format_ident!("{}", node.rust_name);
            items.push(quote::quote! { impl #name { #(#methods)* } });
        }
    }
    format_tokens(page, quote::quote! { #(#items)* })
}
