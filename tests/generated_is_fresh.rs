//! `cargo test` fails when `generated/` is stale (rust-analyzer's pattern):
//! the checked-in crate must be exactly what `cargo xtask gen` writes.

use docgen_tests::{emit_options, root};

#[test]
fn generated_crate_matches_docs_input() {
    let sources = docgen::source::read_docs(&root().join("docs-input")).expect("docs-input is readable");
    let generated = docgen::generate(&sources, &emit_options("docs-input")).expect("docs-input generates");
    let drift = docgen::output::check(&root().join("generated"), &generated.files).expect("generated/ is readable");
    let report: Vec<String> = drift.iter().map(ToString::to_string).collect();
    assert!(drift.is_empty(), "generated/ is stale: run `cargo xtask gen`\n{}", report.join("\n"));
}
