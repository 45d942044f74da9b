//! Helpers shared by the integration tests: where things are, and how a page
//! or a crate is turned into text a reviewer can read in a snapshot.

use std::path::{Path, PathBuf};

use docgen::emit::EmitOptions;
use docgen::source::SourceFile;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The options `cargo xtask gen` uses, so fixture output looks like the real crate.
pub fn emit_options(label: &str) -> EmitOptions {
    EmitOptions {
        crate_name: "graph-sdk".into(),
        base_url: "https://graph.microsoft.com/beta".into(),
        runtime_path: "../runtime".into(),
        standalone: false,
        docs_label: label.into(),
        features: false,
    }
}

/// Reads a page as a source file named relative to `base`.
pub fn source(path: &Path, base: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let relative = path.strip_prefix(base).unwrap_or(path);
    let name = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    SourceFile::new(name, text)
}

/// One page's IR (what `lower` makes of it) as pretty JSON, then its diagnostics.
pub fn ir_text(source: &SourceFile) -> String {
    let (page, mut diagnostics) = docgen::parse::parse_page(&source.path, &source.text);
    let (lowered, more) = docgen::lower::lower(&page);
    diagnostics.extend(more);
    docgen::diagnostics::sort(&mut diagnostics);
    let mut text = serde_json::to_string_pretty(&lowered).unwrap_or_default();
    text.push_str("\n\n-- diagnostics --\n");
    for diagnostic in &diagnostics {
        text.push_str(&format!("{diagnostic}\n"));
    }
    text
}

/// The Rust generated from some pages: every file but the crate frame, each
/// under a `==> path <==` line.
pub fn rust_text(sources: &[SourceFile], label: &str) -> String {
    let generated = docgen::generate(sources, &emit_options(label)).unwrap_or_else(|e| panic!("{e}"));
    let frame = ["Cargo.toml", "src/lib.rs", "src/models/mod.rs", "src/requests/mod.rs"];
    let mut text = String::new();
    for file in generated.files.iter().filter(|f| !frame.contains(&f.path.as_str())) {
        text.push_str(&format!("==> {} <==\n{}\n", file.path, file.contents));
    }
    text
}

/// What each page of a docs folder produced in the crate generated from the
/// whole folder (so links resolve), keyed by page path.
pub fn rust_by_page(sources: &[SourceFile], label: &str) -> Vec<(String, String)> {
    let options = emit_options(label);
    let generated = docgen::generate(sources, &options).unwrap_or_else(|e| panic!("{e}"));
    sources
        .iter()
        .map(|s| {
            let rust = docgen::emit::page_rust(&generated.space, &options, &s.path).unwrap_or_else(|e| panic!("{e}"));
            (s.path.clone(), rust)
        })
        .collect()
}

/// What `docgen lint --color never` prints for `diagnostics` of `sources`:
/// every diagnostic rendered like rustc, then the table by code.
pub fn rendered_lint(sources: &[SourceFile], diagnostics: &[docgen::diagnostics::Diagnostic]) -> String {
    use docgen::render::{self, Pages, Style, Summary};
    let pages = Pages::new(sources);
    let mut text = String::new();
    for diagnostic in diagnostics {
        text.push_str(&render::render(diagnostic, &pages, Style::Plain));
        text.push_str("\n\n");
    }
    text.push_str(&Summary::new(diagnostics).to_text());
    text
}
