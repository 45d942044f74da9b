//! The same docs give byte-identical code whatever the page order or thread
//! count, and adding a page never renames what was already generated.

use docgen::source::SourceFile;
use docgen_tests::{emit_options, root};

fn docs_input() -> Vec<SourceFile> {
    docgen::source::read_docs(&root().join("docs-input")).expect("docs-input is readable")
}

fn files(sources: &[SourceFile]) -> Vec<(String, String)> {
    let generated = docgen::generate(sources, &emit_options("docs-input")).expect("docs-input generates");
    generated.files.into_iter().map(|f| (f.path, f.contents)).collect()
}

#[test]
fn page_order_does_not_change_the_output() {
    let sources = docs_input();
    let mut reversed = sources.clone();
    reversed.reverse();
    assert_eq!(files(&sources), files(&reversed));
}

#[test]
fn thread_count_does_not_change_the_output() {
    let sources = docs_input();
    let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a thread pool");
    let one_thread = single.install(|| files(&sources));
    assert_eq!(one_thread, files(&sources));
}

/// `pub struct X` and `pub enum X` names in the generated files.
fn public_types(files: &[(String, String)]) -> Vec<String> {
    let mut names: Vec<String> = files
        .iter()
        .flat_map(|(_, contents)| contents.lines())
        .filter_map(|line| {
            line.trim_start().strip_prefix("pub struct ").or(line.trim_start().strip_prefix("pub enum "))
        })
        .map(|rest| rest.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or_default().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn adding_an_unrelated_page_renames_nothing() {
    let sources = docs_input();
    let before = public_types(&files(&sources));
    let mut more = sources.clone();
    let fixture = root().join("tests/fixtures/pages/multiple_paths_in_one_block.md");
    let text = std::fs::read_to_string(&fixture).expect("the fixture is readable");
    more.push(SourceFile::new("api/list-events.md", text));
    let after = public_types(&files(&more));
    let missing: Vec<&String> = before.iter().filter(|name| !after.contains(name)).collect();
    assert!(missing.is_empty(), "renamed or lost: {missing:?}");
    assert!(after.len() > before.len(), "the new page added nothing");
}

/// A page of docs-input with its intro sentence changed, as a docs edit would.
fn edited(sources: &[SourceFile], edit: usize) -> Vec<SourceFile> {
    let mut edited = sources.to_vec();
    let page = edited
        .iter_mut()
        .find(|s| s.path.starts_with("resources/") && s.text.contains("\n## Properties"))
        .expect("docs-input has a resource page with properties");
    page.text = page.text.replacen("\n## Properties", &format!("\nEdited {edit}.\n\n## Properties"), 1);
    edited
}

fn contents(files: &[docgen::emit::GeneratedFile]) -> Vec<(&str, &str)> {
    files.iter().map(|f| (f.path.as_str(), f.contents.as_str())).collect()
}

/// The options of another crate: `options` with features the other way.
fn features_flipped(options: &docgen::emit::EmitOptions) -> docgen::emit::EmitOptions {
    docgen::emit::EmitOptions { features: !options.features, ..options.clone() }
}

/// A cache that has seen docs-input, as a long-lived process after its first run.
fn warm_cache(options: &docgen::emit::EmitOptions) -> docgen::Cache {
    let cache = docgen::Cache::default();
    docgen::generate_cached(&docs_input(), options, &cache).expect("docs-input generates");
    cache
}

/// `sources` generated through `cache` and from scratch: the files and the
/// diagnostics must agree. Returns the cached run.
fn cached_equals_fresh(
    sources: &[SourceFile],
    options: &docgen::emit::EmitOptions,
    cache: &docgen::Cache,
) -> std::sync::Arc<docgen::Generated> {
    let cached = docgen::generate_cached(sources, options, cache).expect("the pages generate");
    let fresh = docgen::generate(sources, options).expect("the pages generate");
    assert_eq!(contents(&cached.files), contents(&fresh.files));
    assert_eq!(cached.diagnostics, fresh.diagnostics);
    cached
}

#[test]
fn a_cached_run_after_an_edit_equals_a_fresh_run() {
    let sources = docs_input();
    let options = emit_options("docs-input");
    let cache = warm_cache(&options);
    for edit in 1..=2 {
        cached_equals_fresh(&edited(&sources, edit), &options, &cache);
    }
}

#[test]
fn the_same_pages_and_options_hand_back_the_last_run() {
    let sources = docs_input();
    let options = emit_options("docs-input");
    let other = features_flipped(&options);
    let cache = docgen::Cache::default();
    let first = docgen::generate_cached(&sources, &options, &cache).expect("docs-input generates");
    // A run for other options is kept apart and does not evict this one.
    let with_other = docgen::generate_cached(&sources, &other, &cache).expect("docs-input generates");
    assert!(!std::sync::Arc::ptr_eq(&first, &with_other));
    let again = docgen::generate_cached(&sources, &options, &cache).expect("docs-input generates");
    assert!(std::sync::Arc::ptr_eq(&first, &again), "the unchanged pages were generated again");
    let changed = docgen::generate_cached(&edited(&sources, 1), &options, &cache).expect("the edit generates");
    assert!(!std::sync::Arc::ptr_eq(&first, &changed), "an edited page was not seen");
}

#[test]
fn a_cache_shared_by_crates_with_other_options_gives_each_its_own_files() {
    // One process generates v1.0 and beta through one cache: items the two
    // print the same way are shared, and nothing of one may leak into the other.
    let sources = docs_input();
    let options = emit_options("docs-input");
    let cache = warm_cache(&options);
    let others = [
        docgen::emit::EmitOptions {
            crate_name: "graph-sdk-v1".into(),
            base_url: "https://graph.microsoft.com/v1.0".into(),
            ..options.clone()
        },
        features_flipped(&options),
    ];
    for other in &others {
        cached_equals_fresh(&sources, other, &cache);
    }
}

#[test]
fn a_cache_does_not_grow_with_every_edit() {
    let sources = docs_input();
    let options = emit_options("docs-input");
    let cache = warm_cache(&options);
    let whole = cache.len();
    cached_equals_fresh(&edited(&sources, 1), &options, &cache);
    let after_one_edit = cache.len();
    for edit in 2..=4 {
        cached_equals_fresh(&edited(&sources, edit), &options, &cache);
        // Each edit replaces what the one before it left: the same number of entries.
        assert_eq!(cache.len(), after_one_edit, "edit {edit}");
    }
    // The edit adds no page or item, so it replaces as many entries as it adds.
    assert_eq!(after_one_edit, whole);
}

#[test]
fn a_crate_keeps_its_cached_items_while_another_crate_runs() {
    let sources = docs_input();
    let options = emit_options("docs-input");
    let other = features_flipped(&options);
    let cache = warm_cache(&options);
    let one_crate = cache.len();
    cached_equals_fresh(&edited(&sources, 1), &other, &cache);
    let both = cache.len();
    assert!(both > one_crate, "the second crate added nothing");
    // Edits of the second crate leave the first one's entries alone.
    for edit in 2..=3 {
        cached_equals_fresh(&edited(&sources, edit), &other, &cache);
        assert_eq!(cache.len(), both, "edit {edit}");
    }
}

#[test]
fn crates_generated_side_by_side_through_one_cache_equal_fresh_runs_and_do_not_grow_it() {
    let sources = docs_input();
    let options = emit_options("docs-input");
    let other = features_flipped(&options);
    let cache = warm_cache(&options);
    let mut sizes = Vec::new();
    for edit in 1..=3 {
        let (first, second) = (edited(&sources, edit), edited(&sources, edit + 10));
        let crates = [(first.as_slice(), &options), (second.as_slice(), &other)];
        let results = docgen::generate_all(&crates, &cache);
        assert_eq!(results.len(), 2);
        for ((pages, options), result) in crates.iter().zip(results) {
            let together = result.expect("the pages generate");
            let fresh = docgen::generate(pages, options).expect("the pages generate");
            assert_eq!(contents(&together.files), contents(&fresh.files), "edit {edit}");
            assert_eq!(together.diagnostics, fresh.diagnostics);
        }
        sizes.push(cache.len());
    }
    // Each round replaces what the one before it left in both crates.
    assert_eq!(sizes[1], sizes[2]);
}

#[test]
fn a_page_read_with_replaced_bytes_is_not_taken_for_the_cached_one() {
    let options = emit_options("docs-input");
    let cache = warm_cache(&options);
    // The same text, but read from bytes that were not UTF-8.
    let mut lossy = docs_input();
    lossy[0].lossy = true;
    let cached = cached_equals_fresh(&lossy, &options, &cache);
    assert!(cached.diagnostics.iter().any(|d| d.code == docgen::diagnostics::Code::InvalidUtf8));
}

/// A docs folder whose resource page includes a note amid a property's
/// description, from an `includes` folder beside the pages.
fn docs_with_an_include(note: &str) -> (std::path::PathBuf, Vec<SourceFile>) {
    let root = std::env::temp_dir().join(format!("docgen-determinism-include-{}", std::process::id()));
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
        std::fs::write(path, text).expect("written");
    };
    let page = "---\ndoc_type: resourcePageType\n---\n# gadget resource type\n\nA gadget.\n\n## Properties\n\
                |Property|Type|Description|\n|:--|:--|:--|\n|name|String|The name. [!INCLUDE [note](../includes/name-note.md)]|\n";
    write("resources/gadget.md", page);
    write("includes/name-note.md", note);
    let sources = docgen::source::read_docs(&root).expect("readable");
    (root, sources)
}

#[test]
fn an_edited_include_is_not_taken_for_the_cached_one() {
    let options = emit_options("docs-input");
    let cache = docgen::Cache::default();
    let (root, before) = docs_with_an_include("Shown as written.\n");
    let first = cached_equals_fresh(&before, &options, &cache);
    let (_, after) = docs_with_an_include("Shown in upper case.\n");
    let _ = std::fs::remove_dir_all(root);
    // The page's own text is the same; only what it includes changed.
    assert_eq!(before[0].text, after[0].text);
    let second = cached_equals_fresh(&after, &options, &cache);
    let model = |generated: &docgen::Generated| {
        let file = generated.files.iter().find(|f| f.path.ends_with("gadget.rs")).expect("the gadget model");
        file.contents.clone()
    };
    assert!(model(&first).contains("The name. Shown as written."), "{}", model(&first));
    assert!(model(&second).contains("The name. Shown in upper case."), "{}", model(&second));
}
