//! Snapshot tests: a page in, its IR and its Rust out, one snapshot per page.
//! Review changes with `cargo insta review`; CI never writes snapshots.

use docgen_tests::{ir_text, root, rust_text, source};

#[test]
fn fixture_pages_ir() {
    let base = root().join("tests/fixtures");
    insta::glob!("fixtures/pages/*.md", |path| {
        insta::assert_snapshot!(ir_text(&source(path, &base)));
    });
}

#[test]
fn fixture_pages_rust() {
    let base = root().join("tests/fixtures");
    insta::glob!("fixtures/pages/*.md", |path| {
        insta::assert_snapshot!(rust_text(&[source(path, &base)], "fixtures"));
    });
}

#[test]
fn docs_input_pages_ir() {
    let base = root().join("docs-input");
    insta::glob!("../docs-input", "**/*.md", |path| {
        insta::assert_snapshot!(ir_text(&source(path, &base)));
    });
}
