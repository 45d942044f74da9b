//! The docs format of today (`fixtures/current_format/`, laid out as the docs
//! repository is): what pages include is read in place, from the includes
//! folder of the version and the shared one beside it, and none of it is
//! noise; the permissions tables, written on the page or included, reach the
//! IR, the report and every request's doc comment.

use docgen::diagnostics::Code;
use docgen::emit::EmitOptions;
use docgen::source::{IncludeRead, SourceFile, read_docs};
use docgen_tests::{emit_options, rendered_lint, root};

fn docs() -> Vec<SourceFile> {
    read_docs(&root().join("tests/fixtures/current_format/v1.0")).expect("the current-format fixtures are readable")
}

#[test]
fn every_include_is_read_from_one_of_the_two_folders() {
    let sources = docs();
    let mut keys: Vec<&str> = Vec::new();
    for source in &sources {
        for include in &source.includes {
            match &include.read {
                IncludeRead::Text { key, .. } => keys.push(key),
                other => panic!("{}: `{}` was not read: {other:?}", source.path, include.target),
            }
        }
    }
    keys.sort();
    keys.dedup();
    assert!(keys.contains(&"../includes/global-only.md"), "the shared folder beside the docs root: {keys:?}");
    assert!(keys.contains(&"includes/permissions/lamp-get-permissions.md"), "the version's own folder: {keys:?}");
}

/// What `docgen lint --color never` prints for the folder: no include or
/// link noise (the same pages gave six `link-outside-root` warnings before
/// includes were read).
#[test]
fn today_s_pages_lint_without_include_or_link_noise() {
    let sources = docs();
    let diagnostics = docgen::lint::lint(&sources, &());
    let noise =
        [Code::IncludeMissing, Code::IncludeOutside, Code::IncludeLoop, Code::BrokenLink, Code::LinkOutsideRoot];
    let noisy: Vec<_> = diagnostics.iter().filter(|d| noise.contains(&d.code)).collect();
    assert!(noisy.is_empty(), "{noisy:#?}");
    insta::assert_snapshot!(rendered_lint(&sources, &diagnostics));
}

/// The request builders generated from the folder, each area behind its
/// `ms.subservice` feature, and the features: every request method's doc
/// comment lists the permissions its page documents.
#[test]
fn permissions_show_in_the_generated_doc_comments() {
    let options = EmitOptions { features: true, ..emit_options("current-format") };
    let generated = docgen::generate(&docs(), &options).expect("the current-format fixtures generate");
    let requests: Vec<_> = generated.files.iter().filter(|f| f.path.starts_with("src/requests/")).collect();
    let documented: usize =
        requests.iter().map(|f| f.contents.matches("/// Permissions the page documents").count()).sum();
    assert_eq!(generated.space.operations.len(), documented, "an operation without its permissions");
    let cargo = generated.files.iter().find(|f| f.path == "Cargo.toml").expect("a Cargo.toml");
    let features = cargo.contents.split("[features]").nth(1).unwrap_or_default();
    let mut text = format!("==> Cargo.toml [features] <=={features}\n");
    for file in requests {
        text.push_str(&format!("==> {} <==\n{}\n", file.path, file.contents));
    }
    insta::assert_snapshot!(text);
}

#[test]
fn the_report_counts_the_operations_whose_permissions_are_known() {
    let (ir, diagnostics) = docgen::extract(&docs());
    let (space, _) = docgen::resolve::resolve(&ir);
    let report = docgen::report::build(&ir, &space, &diagnostics);
    assert_eq!((report.operations, report.operations_with_permissions), (7, 7));
    assert!(report.to_text().contains("with permissions known           7 (100.00%)"), "{}", report.to_text());
}
