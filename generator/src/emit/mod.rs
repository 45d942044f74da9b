//! Emit: the type space → the files of a Rust crate.
//!
//! Each item is turned into tokens with `quote`, parsed into a `syn::File`
//! and printed by `prettyplease`. Emitting is a pure function of the type
//! space and the options: the same input gives byte-identical files.

mod crate_files;
mod keys;
mod models;
mod options;
mod requests;
mod round_trips;
mod syntax;
mod tests;
mod types;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use foldhash::HashMap;
use proc_macro2::TokenStream;
use quote::ToTokens;
use rayon::prelude::*;

use crate::ir::Example;
use crate::resolve::{Home, TypeSpace};
use crate::run_cache::{RunMap, RunningCrates};
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

/// Formatted items, keyed by a hash of their tokens. Printing is a pure
/// function of the tokens, so a run after a one-page change formats only the
/// items that page touches; the rest come from here. Share one cache across
/// runs in a process (the benchmark, a watch loop); output is byte-identical
/// with or without it. What no crate's latest run used is dropped when the
/// last running crate's run of [`Cache`](crate::Cache) ends.
#[derive(Debug, Default)]
pub struct EmitCache {
    /// The bits of the crates whose runs are in progress.
    pub(crate) run: RunningCrates,
    formatted: RunMap<Arc<str>>,
    /// Content hashes of examples, by address. An unchanged page's examples
    /// come back as the same `Arc`s (the page cache shares them), so a warm
    /// run hashes only the changed page's JSON; holding the `Arc` keeps the
    /// address from being reused by another example.
    example_digests: RunMap<(Arc<Example>, u64)>,
    /// Texts built without tokens (the manifests), by a hash of what they print.
    texts: RunMap<Arc<str>>,
    /// The names of the example tests, by a hash of the names they were
    /// claimed from: claiming is sequential, and the same bases give the
    /// same names.
    test_names: RunMap<Arc<[tests::TestNames]>>,
}

impl EmitCache {
    /// [`keys::example_digest`] of `example`, computed once per `Arc`.
    pub(crate) fn example_digest(&self, example: &Arc<Example>) -> u64 {
        let address = Arc::as_ptr(example) as usize as u64;
        let bit = self.run.get();
        self.example_digests.get_or_insert_with(address, bit, || (example.clone(), keys::example_digest(example))).1
    }

    /// `build()`, or what it returned for `key` before.
    fn remember_text(&self, key: u64, build: impl FnOnce() -> String) -> Arc<str> {
        self.texts.get_or_insert_with(key, self.run.get(), || build().into())
    }

    /// `claim()`, or what it returned for `key` before.
    fn remember_names(&self, key: u64, claim: impl FnOnce() -> Vec<tests::TestNames>) -> Arc<[tests::TestNames]> {
        self.test_names.get_or_insert_with(key, self.run.get(), || claim().into())
    }

    fn get(&self, key: u64) -> Option<Arc<str>> {
        self.formatted.get(key, self.run.get())
    }

    fn put(&self, key: u64, text: Arc<str>) {
        self.formatted.insert(key, text, self.run.get());
    }

    /// A run of the crate of `bit` starts (see the `run_cache` module).
    pub(crate) fn start_run(&self, bit: u64) {
        self.run.start(bit);
        self.formatted.forget(bit);
        self.example_digests.forget(bit);
        self.texts.forget(bit);
        self.test_names.forget(bit);
    }

    /// Drops what no crate's latest run used.
    pub(crate) fn drop_unused(&self) {
        self.formatted.drop_unused();
        self.example_digests.drop_unused();
        self.texts.drop_unused();
        self.test_names.drop_unused();
    }

    /// What the disk cache keeps of this one: the formatted items, the
    /// manifests' texts and the test names, each sorted by key.
    pub(crate) fn stored(&self) -> StoredItems {
        StoredItems {
            formatted: self.formatted.entries(),
            texts: self.texts.entries(),
            test_names: self.test_names.entries(),
        }
    }

    /// Puts what the disk cache kept back, marked as used by no run yet.
    pub(crate) fn restore(&self, items: StoredItems) {
        for (key, text) in items.formatted {
            self.formatted.insert(key, text, 0);
        }
        for (key, text) in items.texts {
            self.texts.insert(key, text, 0);
        }
        for (key, names) in items.test_names {
            self.test_names.insert(key, names, 0);
        }
    }

    /// The digest of an example read back from the disk cache, which
    /// [`keys::example_digest`] gave when it was written.
    pub(crate) fn restore_example_digest(&self, example: &Arc<Example>, digest: u64) {
        let address = Arc::as_ptr(example) as usize as u64;
        self.example_digests.insert(address, (example.clone(), digest), 0);
    }

    /// How many entries the cache holds.
    pub fn len(&self) -> usize {
        self.formatted.len() + self.example_digests.len() + self.texts.len() + self.test_names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

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
            let body = format_cached(cache, keys::model(space, options, id), &path, || {
                syn::Item::Struct(models::model_struct(space, id))
            })?;
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
    items.extend(models.flat_map(|id| {
        let new = models::constructor(space, id).map(|new| new.into_token_stream());
        std::iter::once(models::model_struct(space, id).into_token_stream()).chain(new)
    }));
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

/// The formatted text of one item: from the cache if its key is there, else
/// built, printed and remembered.
pub fn format_cached<C: Code>(
    cache: &EmitCache,
    key: u64,
    path: &str,
    build: impl FnOnce() -> C,
) -> Result<Arc<str>, EmitError> {
    if let Some(found) = cache.get(key) {
        return Ok(found);
    }
    let formatted: Arc<str> = format_code(path, build())?.into();
    cache.put(key, formatted.clone());
    Ok(formatted)
}

/// Items with cache keys, formatted in parallel (each built on the thread
/// that prints it) and joined in order.
pub fn format_keyed<C: Code>(
    cache: &EmitCache,
    path: &str,
    keys: &[u64],
    build: impl Fn(usize) -> C + Sync,
) -> Result<String, EmitError> {
    Ok(format_parts(cache, path, keys, build)?.concat())
}

/// Like [`format_keyed`], keeping each item's text apart.
pub fn format_parts<C: Code>(
    cache: &EmitCache,
    path: &str,
    keys: &[u64],
    build: impl Fn(usize) -> C + Sync,
) -> Result<Vec<Arc<str>>, EmitError> {
    keys.par_iter().enumerate().map(|(index, key)| format_cached(cache, *key, path, || build(index))).collect()
}

/// Parses tokens as a file, prints them with prettyplease and puts the doc
/// comments in (see [`doc_lines`]).
pub fn format_tokens(path: &str, tokens: TokenStream) -> Result<String, EmitError> {
    format_code(path, tokens)
}

/// Prints code with prettyplease and puts the doc comments in.
fn format_code(path: &str, code: impl Code) -> Result<String, EmitError> {
    let file = code.into_file(path)?;
    splice_docs(prettyplease::unparse(&file)).map_err(|message| EmitError { file: path.to_string(), message })
}

/// What an emitter hands the printer: tokens (`quote!`), which are parsed
/// into a syntax tree first, or the tree itself (see `syntax`). The items
/// emitted most (model structs, enums, builders, tests) are built as trees:
/// parsing their tokens back was a third of a run's instructions.
pub trait Code {
    fn into_file(self, path: &str) -> Result<syn::File, EmitError>;
}

impl Code for TokenStream {
    fn into_file(self, path: &str) -> Result<syn::File, EmitError> {
        syn::parse2(self).map_err(|error| EmitError { file: path.to_string(), message: error.to_string() })
    }
}

impl Code for syn::Item {
    fn into_file(self, path: &str) -> Result<syn::File, EmitError> {
        vec![self].into_file(path)
    }
}

impl Code for Vec<syn::Item> {
    fn into_file(self, _path: &str) -> Result<syn::File, EmitError> {
        Ok(syn::File { shebang: None, attrs: Vec::new(), items: self })
    }
}

/// The "generated, do not edit" comment every file starts with, then `body`.
pub fn with_header(pages: &[&str], body: &str) -> String {
    with_header_parts(pages, &[body])
}

/// [`with_header`] of the parts joined, written once into a string of the
/// final size instead of joined, then copied behind the header (the example
/// tests of a crate are megabytes).
pub fn with_header_parts<S: AsRef<str>>(pages: &[&str], parts: &[S]) -> String {
    let source = match pages {
        [] => "the docs".to_string(),
        [one] => format!("`{one}`"),
        many if many.len() <= 8 => many.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", "),
        many => format!("{} pages (each item names its page)", many.len()),
    };
    let header = format!(
        "// Generated by docgen from {source}.\n// Do not edit: change the docs and run `cargo xtask gen`.\n\n"
    );
    let mut text = String::with_capacity(header.len() + parts.iter().map(|p| p.as_ref().len()).sum::<usize>());
    text.push_str(&header);
    for part in parts {
        text.push_str(part.as_ref());
    }
    text
}

/// The area set of an item needed in one area (an operation's, a test file's).
pub fn one_area(area: &str) -> BTreeSet<String> {
    BTreeSet::from([area.to_string()])
}

/// `#[cfg(feature = …)]` for an item needed by these areas, when features are on.
pub fn cfg(options: &EmitOptions, areas: &BTreeSet<String>) -> TokenStream {
    cfg_attribute(options, areas).map(ToTokens::into_token_stream).unwrap_or_default()
}

/// [`cfg`] as a syntax tree, for items built as trees.
pub fn cfg_attribute(options: &EmitOptions, areas: &BTreeSet<String>) -> Option<syn::Attribute> {
    if !options.features || areas.is_empty() {
        return None;
    }
    let names = areas.iter();
    Some(syntax::list_attribute(
        "cfg",
        if areas.len() == 1 {
            quote::quote! { #( feature = #names )* }
        } else {
            quote::quote! { any( #(feature = #names),* ) }
        },
    ))
}

/// Doc comments waiting for their item to be printed, by id: see [`doc_lines`].
static PENDING_DOCS: LazyLock<Mutex<HashMap<u64, String>>> = LazyLock::new(Mutex::default);
static NEXT_DOC_ID: AtomicU64 = AtomicU64::new(0);

/// What a placeholder doc comment starts with once printed. Real doc lines
/// start with `/// ` or are `///`, so this can only be a placeholder.
const DOC_PLACEHOLDER: &str = "///@";

/// The doc comment of an item: one `///` line per line of text (rustdoc
/// joins them). The tokens hold a placeholder (`#[doc = "@<id>"]`) and the
/// text waits in [`PENDING_DOCS`] until [`format_tokens`] puts it where
/// prettyplease printed the placeholder, exactly as it would have printed a
/// `#[doc]` per line. Docs are most of the bytes emitted: as attributes they
/// were lexed, parsed, unescaped and scanned again, line by line (splicing
/// took 2.7% off the instructions of a v1.0 run). Tokens built here must be
/// formatted, or their text stays in the table.
pub fn doc_lines(text: &str) -> TokenStream {
    match doc_placeholder(text) {
        Some(placeholder) => quote::quote! { #[doc = #placeholder] },
        None => TokenStream::new(),
    }
}

/// [`doc_lines`] as a syntax tree, for items built as trees.
pub fn doc_attribute(text: &str) -> Option<syn::Attribute> {
    doc_placeholder(text).map(|placeholder| syntax::doc_comment(&placeholder))
}

/// The placeholder that stands for `text` until it is spliced in; `None`
/// for a text without lines.
fn doc_placeholder(text: &str) -> Option<String> {
    text.lines().next()?;
    let id = NEXT_DOC_ID.fetch_add(1, Ordering::Relaxed);
    PENDING_DOCS.lock().unwrap_or_else(|e| e.into_inner()).insert(id, text.to_string());
    Some(format!("{}{id}", &DOC_PLACEHOLDER[3..]))
}

/// `printed` with each placeholder of [`doc_lines`] replaced by its doc
/// comment, at the placeholder's indentation. Placeholders are found with
/// memchr's substring search and the text between them copied whole, rather
/// than walking the printed file line by line.
fn splice_docs(printed: String) -> Result<String, String> {
    let mut placeholders = memchr::memmem::find_iter(printed.as_bytes(), DOC_PLACEHOLDER).peekable();
    if placeholders.peek().is_none() {
        return Ok(printed);
    }
    let mut pending = PENDING_DOCS.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = String::with_capacity(printed.len() * 2);
    let mut copied = 0;
    for at in placeholders {
        let line_start = printed[..at].rfind('\n').map_or(0, |newline| newline + 1);
        let indent = &printed[line_start..at];
        // Only a line that is the placeholder alone is one.
        if line_start < copied || indent.bytes().any(|b| b != b' ') {
            continue;
        }
        let line_end = printed[at..].find('\n').map_or(printed.len(), |newline| at + newline + 1);
        let id = &printed[at + DOC_PLACEHOLDER.len()..line_end];
        let Some(text) = id.trim_end().parse::<u64>().ok().and_then(|id| pending.remove(&id)) else {
            return Err(format!("a doc comment placeholder has no text: {}", printed[at..line_end].trim_end()));
        };
        out.push_str(&printed[copied..line_start]);
        for doc_line in text.lines().map(str::trim_end) {
            out.push_str(indent);
            out.push_str("///");
            if !doc_line.is_empty() {
                out.push(' ');
                out.push_str(doc_line);
            }
            out.push('\n');
        }
        copied = line_end;
    }
    out.push_str(&printed[copied..]);
    Ok(out)
}

/// `text` as a string literal: raw (`r#"…"#`, with as many `#` as it needs)
/// where Rust allows (not with a carriage return), else escaped. Raw text is
/// read as it is: an escaped literal costs an escape pass here and an
/// unescape pass wherever it is read, and example JSON is megabytes.
pub fn str_literal(text: &str) -> proc_macro2::Literal {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let fence = "#".repeat(hashes);
    format!("r{fence}\"{text}\"{fence}").parse().unwrap_or_else(|_| proc_macro2::Literal::string(text))
}

#[cfg(test)]
mod format_tests {
    use quote::ToTokens;

    use super::*;

    #[test]
    fn string_literals_hold_their_text_raw_or_escaped() {
        let texts = ["plain", "a \"quote\"", "\"#hash\" and \"##two\"", "back\\slash", "carriage\rreturn", ""];
        for text in texts {
            let literal: syn::LitStr = syn::parse2(str_literal(text).into_token_stream()).unwrap();
            assert_eq!(literal.value(), text);
        }
        assert!(str_literal("a \"#b").to_string().starts_with("r##\""));
        // Rust has no raw string with a carriage return.
        assert!(str_literal("a\rb").to_string().starts_with('"'));
    }

    #[test]
    fn doc_lines_print_as_line_comments() {
        let doc = doc_lines("First line.\n\nA \"quoted\" line.\r\nLast.");
        let printed = format_tokens("a.rs", quote::quote! { #doc pub struct S; }).unwrap();
        assert_eq!(printed, "/// First line.\n///\n/// A \"quoted\" line.\n/// Last.\npub struct S;\n");
    }

    /// What prettyplease prints for a `#[doc]` attribute per line, as
    /// `doc_lines` emitted before docs were spliced in.
    fn doc_attributes(text: &str) -> TokenStream {
        let lines = text.lines().map(|line| str_literal(&format!(" {}", line.trim_end())));
        quote::quote! { #( #[doc = #lines] )* }
    }

    #[test]
    fn spliced_doc_comments_equal_printed_doc_attributes() {
        let texts = ["One line.", "Two\n\nparagraphs  \r\nand a \"quote\".", "   ", "", "  indented\n\tx"];
        for text in texts {
            let item = |doc: fn(&str) -> TokenStream| {
                let (outer, field, method) = (doc(text), doc(text), doc(text));
                quote::quote! {
                    #outer
                    pub struct S { #field pub x: u8 }
                    impl S { #method pub fn f(&self) {} }
                }
            };
            let expected = prettyplease::unparse(&syn::parse2(item(doc_attributes)).unwrap());
            assert_eq!(format_tokens("a.rs", item(doc_lines)).unwrap(), expected, "{text:?}");
        }
    }

    #[test]
    fn a_doc_placeholder_without_text_is_an_error_not_a_panic() {
        let error =
            format_tokens("a.rs", quote::quote! { #[doc = "@18446744073709551615"] pub struct S; }).unwrap_err();
        assert!(error.message.contains("placeholder"), "{error}");
    }

    #[test]
    fn formatting_items_one_by_one_equals_formatting_the_file() {
        let items = [
            quote::quote! {
                /// A doc.
                #[derive(Debug)]
                pub struct A { #[serde(rename = "x")] pub x: Option<Box<crate::models::B>> }
            },
            quote::quote! { impl A { pub fn get(&self) -> u8 { 1 } } },
            quote::quote! { #[cfg(feature = "x")] pub mod m; },
            quote::quote! { pub enum E { V, W(String) } },
        ];
        let whole = format_tokens("a.rs", quote::quote! { #(#items)* }).unwrap();
        let texts: Vec<String> = items.iter().map(ToString::to_string).collect();
        let keys: Vec<u64> = (0..texts.len() as u64).collect();
        let build = |index: usize| texts[index].parse::<TokenStream>().unwrap();
        let cache = EmitCache::default();
        assert_eq!(format_keyed(&cache, "a.rs", &keys, build).unwrap(), whole);
        // A second run is served from the cache and gives the same text.
        assert_eq!(format_keyed(&cache, "a.rs", &keys, |_| TokenStream::new()).unwrap(), whole);
    }
}
