//! The `docgen` binary's contract with CI: exit codes, output formats, and
//! silence (no colors, no progress bar) when nobody is watching.
//! Exit codes: 0 ok, 1 diagnostics at deny level, 2 usage or I/O error.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/lint")
}

fn docgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docgen")).args(args).env_remove("NO_COLOR").output().expect("docgen runs")
}

fn lint(extra: &[&str]) -> Output {
    let docs = fixtures();
    let mut args = vec!["lint", "--docs", docs.to_str().expect("a UTF-8 path")];
    args.extend(extra);
    docgen(&args)
}

#[test]
fn warnings_pass_unless_denied() {
    assert_eq!(lint(&[]).status.code(), Some(0));
    assert_eq!(lint(&["--deny", "warnings"]).status.code(), Some(1));
    assert_eq!(lint(&["--strict"]).status.code(), Some(1));
}

#[test]
fn allowed_codes_are_left_out() {
    let all: Vec<String> = docgen::diagnostics::Code::ALL.iter().map(|c| format!("--allow={}", c.as_str())).collect();
    let mut args: Vec<&str> = all.iter().map(String::as_str).collect();
    args.push("--strict");
    let output = lint(&args);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("total       0         0       0       0"));
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(docgen(&["lint", "--docs", "/nonexistent/docs"]).status.code(), Some(2));
    assert_eq!(docgen(&["lint"]).status.code(), Some(2));
    assert_eq!(lint(&["--deny", "everything"]).status.code(), Some(2));
    assert_eq!(lint(&["--allow", "no-such-code"]).status.code(), Some(2));
}

#[test]
fn text_is_plain_and_quiet_when_piped() {
    let output = lint(&[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("warning[collection-write]: PATCH on `/me/widgets`"), "{stdout}");
    assert!(stdout.contains("  --> api/widget-update.md:19:1"), "{stdout}");
    assert!(stdout.contains("code                      errors  warnings   notes   total"), "{stdout}");
    assert!(!stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'), "no escape sequences in a pipe");
    assert!(!stderr.contains('\r'), "no progress bar in a pipe: {stderr}");
    assert!(stderr.contains("15 pages: 0 error(s), 29 warning(s)"), "{stderr}");
}

#[test]
fn includes_come_from_the_folders_given_instead_of_those_found() {
    // Today's layout: the shared notes are in an `includes` folder beside the docs root.
    let format = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/current_format");
    let docs = format.join("v1.0");
    let docs = docs.to_str().expect("a UTF-8 path");
    let found = docgen(&["lint", "--docs", docs, "--format", "json"]);
    assert_eq!(String::from_utf8_lossy(&found.stdout), "", "found beside the docs root");
    let shared = format.join("includes");
    let given = docgen(&["lint", "--docs", docs, "--format", "json", "--includes", shared.to_str().expect("UTF-8")]);
    assert_eq!(String::from_utf8_lossy(&given.stdout), "", "given");
    let empty = std::env::temp_dir().join(format!("docgen-cli-includes-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("a folder");
    let other = docgen(&["lint", "--docs", docs, "--format", "json", "--includes", empty.to_str().expect("UTF-8")]);
    let _ = std::fs::remove_dir_all(&empty);
    let stdout = String::from_utf8_lossy(&other.stdout);
    assert!(stdout.contains("\"code\":\"include-missing\"") && stdout.contains("global-only.md"), "{stdout}");
    assert_eq!(docgen(&["lint", "--docs", docs, "--includes", "/nonexistent/includes"]).status.code(), Some(2));
}

#[test]
fn color_always_colors() {
    let output = lint(&["--color", "always"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains('\u{1b}'));
}

#[test]
fn json_is_one_object_per_line_and_the_table_goes_to_stderr() {
    let output = lint(&["--format", "json"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 36, "{stdout}");
    for line in lines {
        let value: serde_json::Value = serde_json::from_str(line).expect("a JSON object per line");
        assert!(value["code"].is_string() && value["line"].is_u64() && value["file"].is_string());
    }
    assert!(String::from_utf8_lossy(&output.stderr).contains("total"));
}

#[test]
fn gen_denies_warnings_too() {
    let out = std::env::temp_dir().join(format!("docgen-cli-gen-{}", std::process::id()));
    let docs = fixtures();
    let docs = docs.to_str().expect("a UTF-8 path");
    let out_str = out.to_str().expect("a UTF-8 path");
    let output = docgen(&["gen", "--docs", docs, "--out", out_str, "--standalone", "--deny", "warnings"]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let output = docgen(&["gen", "--docs", docs, "--out", out_str, "--standalone", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let _ = std::fs::remove_dir_all(&out);
}
