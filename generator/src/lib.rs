//! docgen: Microsoft Graph API reference pages → a typed Rust SDK.
//!
//! The pipeline runs one way: [`source`] reads pages, [`parse`] turns each
//! into page facts, [`lower`] turns those into [`ir`] items, [`resolve`]
//! links them into a type space with Rust names, and [`emit`] prints it.

pub mod diagnostics;
mod disk_cache;
pub mod emit;
pub mod ir;
pub mod lint;
pub mod lower;
pub mod metadata;
pub mod output;
pub mod parse;
pub mod render;
pub mod report;
pub mod resolve;
mod run_cache;
pub mod source;
pub mod watch;

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use foldhash::HashMap;
use rayon::prelude::*;

use diagnostics::Diagnostic;
use emit::{EmitCache, EmitError, EmitOptions, GeneratedFile};
use ir::Ir;
use resolve::TypeSpace;
use run_cache::RunMap;
use source::SourceFile;

pub use disk_cache::{Persisted, Reuse, generate_persisted};

/// Asks Linux not to back this process's heap with transparent huge pages.
/// The allocator (mimalloc) asks for them; then each first touch of a heap
/// page zeroes 2 MB, most of it never used. Measured on a `docgen gen` of
/// beta: about 45 MB less peak memory and less system time without them.
/// Call it first thing in `main`; elsewhere it does nothing.
pub fn prefer_small_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// The hasher of the caches' content keys (pages, emitted items): foldhash's
/// quality variant, several times faster than std's SipHash over the same
/// bytes (a run hashes every page and every item), with a fixed seed so a key
/// means the same in every process.
pub(crate) type ContentHasher = foldhash::quality::FoldHasher<'static>;

pub(crate) fn content_hasher() -> ContentHasher {
    foldhash::quality::FixedState::with_seed(0x646f_6367_656e).build_hasher()
}

/// Everything one run produces.
#[derive(Debug)]
pub struct Generated {
    pub ir: Ir,
    pub space: TypeSpace,
    pub files: Vec<GeneratedFile>,
    /// Sorted by file, line and code.
    pub diagnostics: Vec<Diagnostic>,
}

/// The whole pipeline over pages already read.
pub fn generate(sources: &[SourceFile], options: &EmitOptions) -> Result<Generated, EmitError> {
    generate_observed(sources, options, &Cache::default(), &())
}

/// The whole pipeline, reusing what earlier runs left in `cache`: a run over
/// the same pages (paths and texts, in the same order) with the same options
/// as the last one for those options hands back that run's result; otherwise
/// unchanged pages are not parsed again and unchanged items not printed again.
pub fn generate_cached(
    sources: &[SourceFile],
    options: &EmitOptions,
    cache: &Cache,
) -> Result<Arc<Generated>, EmitError> {
    let keys = page_keys(sources);
    generate_cached_keyed(sources, &keys, run_key(&keys), options, cache, &(), &|| {})
}

/// The key of a run's pages: a hash of every [`page_key`] in order.
fn run_key(keys: &[u64]) -> u64 {
    let mut hasher = content_hasher();
    keys.hash(&mut hasher);
    hasher.finish()
}

/// [`generate_cached`] with each source's [`page_key`] and their [`run_key`]
/// already computed, telling `progress` how far it has got; see
/// [`generate_keyed`] for `beside_resolve`.
fn generate_cached_keyed(
    sources: &[SourceFile],
    keys: &[u64],
    run_key: u64,
    options: &EmitOptions,
    cache: &Cache,
    progress: &dyn Progress,
    beside_resolve: &(dyn Fn() + Sync),
) -> Result<Arc<Generated>, EmitError> {
    let bit = {
        let mut crates = cache.crates.lock().unwrap_or_else(|e| e.into_inner());
        let state = crate_state(&mut crates, options);
        match &state.last {
            Some(last) if last.pages_key == run_key => return Ok(last.generated.clone()),
            _ => state.bit,
        }
    };
    cache.start_run(bit);
    let generated = generate_keyed(sources, keys, options, cache, progress, beside_resolve).map(Arc::new);
    if let (Ok(generated), Some(state)) =
        (&generated, cache.crates.lock().unwrap_or_else(|e| e.into_inner()).get_mut(options))
    {
        state.last = Some(LastRun { pages_key: run_key, generated: generated.clone() });
    }
    cache.finish_run(bit);
    generated
}

/// [`generate_cached`] of several crates (e.g. each docs version), side by
/// side through one cache, results in the order given. What one crate's run
/// cannot use both cores for (reading, resolving, writing small files)
/// overlaps with the other's work, and what they print alike is printed once.
pub fn generate_all(crates: &[(&[SourceFile], &EmitOptions)], cache: &Cache) -> Vec<Result<Arc<Generated>, EmitError>> {
    crates.par_iter().map(|(sources, options)| generate_cached(sources, options, cache)).collect()
}

/// Told how far a run has got, so a command line can draw a progress bar.
/// Stages are `parse` (counted in pages), `resolve` and `emit`.
pub trait Progress: Sync {
    fn stage(&self, _name: &'static str, _total: usize) {}
    fn advance(&self, _done: usize) {}
}

/// Tells nobody.
impl Progress for () {}

/// [`generate_cached`], telling `progress` how far it has got.
pub fn generate_observed(
    sources: &[SourceFile],
    options: &EmitOptions,
    cache: &Cache,
    progress: &dyn Progress,
) -> Result<Generated, EmitError> {
    generate_keyed(sources, &page_keys(sources), options, cache, progress, &|| {})
}

/// [`generate_observed`] with each source's [`page_key`] already computed.
/// `beside_resolve` runs once the pages are in `cache`, beside the resolve,
/// which leaves a core idle while it links the type space on the other
/// (the disk cache encodes the pages it has not kept yet there).
fn generate_keyed(
    sources: &[SourceFile],
    keys: &[u64],
    options: &EmitOptions,
    cache: &Cache,
    progress: &dyn Progress,
    beside_resolve: &(dyn Fn() + Sync),
) -> Result<Generated, EmitError> {
    let (ir, mut diagnostics) = extract_keyed(sources, keys, cache, progress);
    progress.stage("resolve", 0);
    let ((space, more, files), ()) = rayon::join(
        || {
            resolve::resolve_and(&ir, |space| {
                progress.stage("emit", 0);
                emit::emit(space, options, &cache.emit)
            })
        },
        beside_resolve,
    );
    diagnostics.extend(more);
    diagnostics::sort(&mut diagnostics);
    Ok(Generated { ir, space, files: files?, diagnostics })
}

/// One page's IR items and diagnostics, shared between runs.
pub(crate) type LoweredPage = Arc<(lower::Lowered, Vec<Diagnostic>)>;

/// What a run can reuse from earlier runs in the same process: pages that
/// did not change are not parsed again, items that did not change are not
/// printed again. Output is byte-identical with or without it.
///
/// A long-lived process keeps what the latest run of each crate (each set of
/// options) used and drops the rest when the last running crate's run ends,
/// so it does not grow with every edit (see the `run_cache` module).
#[derive(Debug, Default)]
pub struct Cache {
    pages: RunMap<LoweredPage>,
    /// Each crate (set of options) seen: its bit and its last run. Only the
    /// last run is kept: a long-lived process holds one result per crate,
    /// not one per edit.
    crates: Mutex<HashMap<EmitOptions, CrateState>>,
    pub emit: EmitCache,
}

/// The state of the crate of `options`, given a bit when first seen. Crates
/// past the 64th share bits: their entries are dropped sooner than they
/// could be, which costs only rebuilding them.
fn crate_state<'a>(crates: &'a mut HashMap<EmitOptions, CrateState>, options: &EmitOptions) -> &'a mut CrateState {
    let next_bit = 1u64 << (crates.len() % 64);
    crates.entry(options.clone()).or_insert(CrateState { bit: next_bit, last: None })
}

impl Cache {
    /// Runs `run` (a lint, which reads pages but emits no crate) as a run
    /// of its own: what it no longer uses is dropped when it ends, so
    /// `lint --watch` does not grow with every save. Its slot is keyed by
    /// options no crate can have (an empty package name is refused).
    pub(crate) fn lint_run<T>(&self, run: impl FnOnce() -> T) -> T {
        let slot = EmitOptions {
            crate_name: String::new(),
            base_url: String::new(),
            runtime_path: String::new(),
            standalone: false,
            docs_label: "lint".into(),
            features: false,
        };
        let bit = crate_state(&mut self.crates.lock().unwrap_or_else(|e| e.into_inner()), &slot).bit;
        self.start_run(bit);
        let result = run();
        self.finish_run(bit);
        result
    }
}

/// A crate's bit, which marks the cache entries its latest run used, and
/// its last successful run.
#[derive(Debug)]
struct CrateState {
    bit: u64,
    last: Option<LastRun>,
}

/// The key of a run's pages and what it generated.
#[derive(Debug)]
struct LastRun {
    pages_key: u64,
    generated: Arc<Generated>,
}

impl Cache {
    /// How many pages and items the cache holds.
    pub fn len(&self) -> usize {
        self.pages.len() + self.emit.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn start_run(&self, bit: u64) {
        self.pages.forget(bit);
        self.emit.start_run(bit);
    }

    /// The run of `bit` ends. When no other run is in progress, drops what
    /// no crate's latest run used (a run still going may not have reached
    /// its entries yet); what is cached outside a run is marked by none.
    fn finish_run(&self, bit: u64) {
        if self.emit.run.finish(bit) {
            self.pages.drop_unused();
            self.emit.drop_unused();
        }
    }
}

/// Parses and lowers every page (in parallel; the result keeps page order).
pub fn extract(files: &[SourceFile]) -> (Ir, Vec<Diagnostic>) {
    extract_cached(files, &Cache::default())
}

/// Like [`extract`], reusing the pages `cache` has seen with the same path, text and `lossy` flag.
pub fn extract_cached(files: &[SourceFile], cache: &Cache) -> (Ir, Vec<Diagnostic>) {
    extract_observed(files, cache, &())
}

/// [`extract_cached`], telling `progress` of every page done.
pub fn extract_observed(files: &[SourceFile], cache: &Cache, progress: &dyn Progress) -> (Ir, Vec<Diagnostic>) {
    extract_keyed(files, &page_keys(files), cache, progress)
}

/// A page's identity for the caches: a hash of its path, its text, whether
/// that text had bytes replaced (which `source::check` reports) and what it
/// includes (the texts of the included files, so an edited include is seen).
fn page_key(file: &SourceFile) -> u64 {
    let mut hasher = content_hasher();
    (&file.path, &file.text, file.lossy, &file.includes).hash(&mut hasher);
    hasher.finish()
}

/// [`page_key`] of every file, in order.
fn page_keys(files: &[SourceFile]) -> Vec<u64> {
    files.par_iter().map(page_key).collect()
}

/// One page parsed and lowered, with every diagnostic found on the way.
pub(crate) fn lower_page(file: &SourceFile) -> LoweredPage {
    let (page, mut diagnostics) = parse::parse_source(file);
    let (lowered, more) = lower::lower(&page);
    diagnostics.extend(more);
    diagnostics.extend(source::check(file));
    Arc::new((lowered, diagnostics))
}

/// [`extract_observed`] with each file's [`page_key`] already computed.
fn extract_keyed(files: &[SourceFile], keys: &[u64], cache: &Cache, progress: &dyn Progress) -> (Ir, Vec<Diagnostic>) {
    progress.stage("parse", files.len());
    let lowered: Vec<LoweredPage> = files
        .par_iter()
        .zip(keys)
        .map(|(file, &key)| {
            progress.advance(1);
            cache.pages.get_or_insert_with(key, cache.emit.run.get(), || lower_page(file))
        })
        .collect();
    let mut ir = Ir::default();
    let mut diagnostics = Vec::new();
    for entry in lowered {
        let (page, page_diagnostics) = &*entry;
        ir.pages.push(page.page.clone());
        ir.models.extend(page.models.iter().cloned());
        ir.enums.extend(page.enums.iter().cloned());
        ir.operations.extend(page.operations.iter().cloned());
        diagnostics.extend(page_diagnostics.iter().cloned());
    }
    diagnostics.extend(source::includes::no_folder_note(files));
    (ir, diagnostics)
}
