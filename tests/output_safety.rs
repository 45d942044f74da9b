//! Output is never corrupted: a `gen` that fails half way leaves the previous
//! crate exactly as it was, and the drift check sees every kind of change.

use std::path::PathBuf;

use docgen::emit::GeneratedFile;
use docgen::output::{check, write};

fn file(path: &str, contents: &str) -> GeneratedFile {
    GeneratedFile { path: path.into(), contents: contents.into() }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("docgen-output-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_failed_write_leaves_the_previous_output_untouched() {
    let dir = scratch("failed");
    let out = dir.join("crate");
    let before = [file("Cargo.toml", "[package]\n"), file("src/lib.rs", "pub mod a;\n"), file("src/a.rs", "// a\n")];
    write(&out, &before).expect("the first write works");
    // `src/a.rs` as a file and as a folder: staging fails after writing some files.
    let broken = [file("Cargo.toml", "[package] # changed\n"), file("src/a.rs", "// b\n"), file("src/a.rs/x.rs", "")];
    assert!(write(&out, &broken).is_err());
    assert!(check(&out, &before).expect("readable").is_empty(), "the previous crate is intact");
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .expect("readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, ["crate"], "no staging folder is left behind");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn drift_is_every_changed_missing_or_extra_file() {
    let dir = scratch("drift");
    let out = dir.join("crate");
    let files = [file("Cargo.toml", "[package]\n"), file("src/lib.rs", "pub mod a;\n"), file("src/a.rs", "// a\n")];
    write(&out, &files).expect("written");
    std::fs::write(out.join("src/a.rs"), "// edited by hand\n").expect("edit");
    std::fs::remove_file(out.join("src/lib.rs")).expect("remove");
    std::fs::write(out.join("src/extra.rs"), "").expect("add");
    let drift = check(&out, &files).expect("readable");
    assert_eq!(drift.len(), 3, "{drift:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
