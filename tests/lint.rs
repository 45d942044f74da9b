//! `docgen lint` on a docs folder where every page is wrong in a known way
//! (`fixtures/lint/`, checked against `fixtures/lint/metadata.xml` too):
//! every diagnostic code shows up, rendered like rustc, and every code is
//! documented. Also: nothing outside the docs root is read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use docgen::diagnostics::{Code, Diagnostic};
use docgen::render;
use docgen::source::{SourceFile, read_docs};
use docgen_tests::{rendered_lint, root};

/// The lint fixtures, checked against the metadata written for them too.
fn fixture() -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let folder = root().join("tests/fixtures/lint");
    let sources = read_docs(&folder).expect("the lint fixtures are readable");
    let metadata = docgen::metadata::Metadata::read(&folder.join("metadata.xml")).expect("the fixture metadata reads");
    let diagnostics = docgen::lint::lint_against(&sources, Some(&metadata), &());
    (sources, diagnostics)
}

#[test]
fn every_code_is_reported_by_the_fixtures() {
    let (_, diagnostics) = fixture();
    let found: BTreeSet<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    let missing: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).filter(|c| !found.contains(c)).collect();
    assert!(missing.is_empty(), "no fixture page triggers {missing:?}");
}

/// What `docgen lint --color never` prints for the fixtures: review a change
/// here as you would a change in the compiler's error messages.
#[test]
fn rendered_like_rustc() {
    let (sources, diagnostics) = fixture();
    insta::assert_snapshot!(rendered_lint(&sources, &diagnostics));
}

#[test]
fn json_is_one_object_per_line() {
    let (_, diagnostics) = fixture();
    for diagnostic in &diagnostics {
        let line = render::json(diagnostic);
        assert!(!line.contains('\n'), "{line}");
        let value: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(value["code"], diagnostic.code.as_str());
        assert_eq!(value["file"], diagnostic.location.file.as_str());
        assert_eq!(value["line"], diagnostic.location.line);
        assert!(["error", "warning", "note"].contains(&value["severity"].as_str().unwrap_or_default()));
    }
}

#[test]
fn every_code_is_documented() {
    let page = std::fs::read_to_string(root().join("docs/diagnostics.md")).expect("docs/diagnostics.md");
    let table: String = page.lines().filter(|l| l.starts_with("| `")).collect::<Vec<_>>().join("\n");
    let undocumented: Vec<&str> =
        Code::ALL.iter().map(|c| c.as_str()).filter(|c| !table.contains(&format!("`{c}`"))).collect();
    assert!(undocumented.is_empty(), "the table of docs/diagnostics.md lacks {undocumented:?}");
}

/// A scratch folder under the system temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("docgen-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir");
        Scratch(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
    std::fs::write(path, text).expect("write");
}

#[cfg(unix)]
#[test]
fn nothing_outside_the_docs_root_is_read() {
    let scratch = Scratch::new("root");
    let docs = scratch.0.join("docs");
    let outside = scratch.0.join("outside");
    write(&outside.join("secret.md"), "# secret resource type\n\nSECRET\n");
    write(&outside.join("folder/also-secret.md"), "# also secret\n\nSECRET\n");
    let page = "---\ndoc_type: resourcePageType\n---\n# thing resource type\n\nSee [the secret](../../outside/secret.md) and [passwd](../../../../../../etc/passwd).\n";
    write(&docs.join("resources/thing.md"), page);
    std::os::unix::fs::symlink(outside.join("secret.md"), docs.join("resources/linked.md")).expect("symlink");
    std::os::unix::fs::symlink(outside.join("folder"), docs.join("linked-folder")).expect("symlink");

    let sources = read_docs(&docs).expect("readable");
    let paths: Vec<&str> = sources.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(paths, ["resources/thing.md"], "symbolic links are not followed");
    assert!(sources.iter().all(|s| !s.text.contains("SECRET")));

    let diagnostics = docgen::lint::lint(&sources, &());
    let outside_root: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.code == Code::LinkOutsideRoot).collect();
    assert_eq!(outside_root.len(), 1, "{diagnostics:#?}");
    assert!(outside_root[0].message.contains("../../outside/secret.md"));
}

#[test]
fn invalid_utf8_is_read_lossily_and_reported() {
    let scratch = Scratch::new("utf8");
    std::fs::create_dir_all(scratch.0.join("api")).expect("folder");
    std::fs::write(scratch.0.join("api/x.md"), b"# T\n\nline two \xff\xfe end\n").expect("write");
    let sources = read_docs(&scratch.0).expect("readable");
    assert!(sources[0].lossy);
    let diagnostics = docgen::lint::lint(&sources, &());
    let found = diagnostics.iter().find(|d| d.code == Code::InvalidUtf8).expect("reported");
    assert_eq!((found.location.line, found.location.column), (3, 10));
}
