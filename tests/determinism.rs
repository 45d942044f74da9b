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
    more.push(SourceFile { path: "api/list-events.md".into(), text, lossy: false });
    let after = public_types(&files(&more));
    let missing: Vec<&String> = before.iter().filter(|name| !after.contains(name)).collect();
    assert!(missing.is_empty(), "renamed or lost: {missing:?}");
    assert!(after.len() > before.len(), "the new page added nothing");
}
