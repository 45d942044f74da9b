//! Snapshot tests: a page in, its IR and its Rust out, one snapshot per page.
//! Review changes with `cargo insta review`; CI never writes snapshots.

use std::sync::Mutex;

use docgen_tests::{ir_text, root, rust_by_page, rust_text, source};

/// insta counts `glob!` failures in one global stack, so two glob tests running
/// at once would report each other's failures: they take turns.
static GLOB: Mutex<()> = Mutex::new(());

fn one_glob_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    GLOB.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What each page of a docs folder produced when the folder is generated
/// together (so links between its pages resolve).
struct FolderRust {
    base: std::path::PathBuf,
    by_page: Vec<(String, String)>,
}

impl FolderRust {
    fn generate(base: &std::path::Path, label: &str) -> FolderRust {
        let sources = docgen::source::read_docs(base).unwrap_or_else(|e| panic!("{} is readable: {e}", base.display()));
        FolderRust { base: base.to_path_buf(), by_page: rust_by_page(&sources, label) }
    }

    /// The Rust of the page at `path` (empty if it produced none).
    fn of(&self, path: &std::path::Path) -> &str {
        let page = source(path, &self.base).path;
        self.by_page.iter().find(|(p, _)| *p == page).map(|(_, rust)| rust.as_str()).unwrap_or_default()
    }
}

#[test]
fn fixture_pages_ir() {
    let _turn = one_glob_at_a_time();
    let base = root().join("tests/fixtures");
    insta::glob!("fixtures/pages/*.md", |path| {
        insta::assert_snapshot!(ir_text(&source(path, &base)));
    });
}

#[test]
fn fixture_pages_rust() {
    let _turn = one_glob_at_a_time();
    let base = root().join("tests/fixtures");
    insta::glob!("fixtures/pages/*.md", |path| {
        insta::assert_snapshot!(rust_text(&[source(path, &base)], "fixtures"));
    });
}

#[test]
fn docs_input_pages_ir() {
    let _turn = one_glob_at_a_time();
    let base = root().join("docs-input");
    insta::glob!("../docs-input", "**/*.md", |path| {
        insta::assert_snapshot!(ir_text(&source(path, &base)));
    });
}

#[test]
fn docs_input_pages_rust() {
    let _turn = one_glob_at_a_time();
    let folder = FolderRust::generate(&root().join("docs-input"), "docs-input");
    insta::glob!("../docs-input", "**/*.md", |path| insta::assert_snapshot!(folder.of(path)));
}

/// One snapshot per page of `fixtures/model_shapes/`, generated together:
/// an inheritance chain, a polymorphic collection, an enum that keeps
/// unknown values, tri-state PATCH fields and an open type.
#[test]
fn model_shapes_rust() {
    let _turn = one_glob_at_a_time();
    let folder = FolderRust::generate(&root().join("tests/fixtures/model_shapes"), "model-shapes");
    insta::glob!("fixtures/model_shapes", "{api,resources}/*.md", |path| insta::assert_snapshot!(folder.of(path)));
}

/// One snapshot per page of `fixtures/type_links/`, generated together:
/// links to pages that declare several types, an enum page filed as a
/// resource page, an overview page, and a type declared on two pages.
#[test]
fn type_links_rust() {
    let _turn = one_glob_at_a_time();
    let folder = FolderRust::generate(&root().join("tests/fixtures/type_links"), "type-links");
    insta::glob!("fixtures/type_links", "resources/*.md", |path| insta::assert_snapshot!(folder.of(path)));
}

/// The crate of `fixtures/mounts/` as one snapshot: `me()` returns the
/// users item's builder, `drive()` the drives item's, and the workbook
/// builder hangs below every drive item; the contract tests call through them.
#[test]
fn mounts_rust() {
    let base = root().join("tests/fixtures/mounts");
    let sources = docgen::source::read_docs(&base).expect("the mount fixtures are readable");
    insta::assert_snapshot!(rust_text(&sources, "mounts"));
}
