//! Generated code compiles whatever the names in the docs are.
//!
//! `fixtures/adversarial/` holds pages whose names are Rust keywords (as
//! types, properties, enum members, path segments, parameters), start with a
//! digit, are not ASCII, differ only in case, snake_case or CamelCase to the
//! same name, shadow the names generated code uses unqualified (`String`,
//! `Option`, `Result`, `Box`, `Vec`), or are `additional_properties`.
//!
//! The fast test generates the crate (every file goes through `syn`). The
//! slow one writes it as a standalone crate next to the real runtime and runs
//! `cargo check --all-targets` on it (a few minutes from cold, seconds warm):
//!
//! ```sh
//! cargo test -p docgen-tests --test adversarial -- --ignored
//! ```

use std::path::PathBuf;
use std::process::Command;

use docgen::diagnostics::Code;
use docgen::emit::EmitOptions;
use docgen::source::read_docs;
use docgen_tests::root;

fn options() -> EmitOptions {
    EmitOptions {
        crate_name: "adversarial-sdk".into(),
        base_url: "https://graph.microsoft.com/v1.0".into(),
        runtime_path: root().join("runtime").to_string_lossy().into_owned(),
        standalone: true,
        docs_label: "adversarial".into(),
        features: false,
    }
}

fn generated() -> docgen::Generated {
    let sources = read_docs(&root().join("tests/fixtures/adversarial")).expect("the fixtures are readable");
    docgen::generate(&sources, &options()).unwrap_or_else(|e| panic!("generation failed: {e}"))
}

#[test]
fn adversarial_names_generate() {
    let generated = generated();
    assert!(generated.files.iter().any(|f| f.path == "src/models/type_.rs"), "the `type` model is emitted");
    let collisions = generated.diagnostics.iter().filter(|d| d.code == Code::NameCollision).count();
    assert!(collisions > 0, "fooBar and foo_bar collide, and say so");
}

#[test]
#[ignore = "runs cargo check on a generated crate: minutes from cold"]
fn adversarial_crate_compiles() {
    let generated = generated();
    let out = std::env::temp_dir().join(format!("docgen-adversarial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    docgen::output::write(&out, &generated.files).expect("the crate is written");
    // Shared between runs, so only the first one builds serde, reqwest and tokio.
    let target: PathBuf = root().join("target/adversarial");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["check", "--all-targets", "--message-format", "short"])
        .current_dir(&out)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("warning:")).collect();
    if !warnings.is_empty() {
        println!("the adversarial crate compiles with warnings:\n{}", warnings.join("\n"));
    }
    assert!(output.status.success(), "the adversarial crate does not compile ({}):\n{stderr}", out.display());
    let _ = std::fs::remove_dir_all(&out);
}
