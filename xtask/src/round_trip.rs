//! `cargo xtask roundtrip`: the models' proof on real data. Each corpus
//! crate has a test per resource page's JSON representation and per response
//! example that decodes the JSON into its documented type and encodes it
//! again; `round-trip-tests.json` says which page and line each test comes
//! from. This runs them and reports pass rates, the top failure reasons and
//! every failure by page, line and JSON path.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use docgen::diagnostics::{Code, Diagnostic};

use crate::{TestRun, corpus_crate, field, graph_docs, percent, read_json, root, run_corpus_tests};

/// Pass-rate targets over representation and response tests, in percent.
pub fn target(version: &str) -> f64 {
    if version == "v1.0" { 97.0 } else { 95.0 }
}

/// Generates the crate of `version`, runs its round-trip tests and checks the
/// target; the report goes to stderr and `target/corpus/<version>-round-trip-report.txt`.
pub fn run(version: &str) -> Result<(), String> {
    let Some(docs) = graph_docs() else {
        eprintln!("round-trip step SKIPPED: no docs at $GRAPH_DOCS or ../shared/graph-docs");
        return Ok(());
    };
    let started = std::time::Instant::now();
    let generated =
        crate::generate_corpus(&docs, &[version])?.pop().ok_or_else(|| format!("{version}: nothing generated"))?;
    let out = corpus_crate(version);
    let manifest = read_json(&out.join("round-trip-tests.json"))?;
    // Every round-trip test's name ends so; nothing else's does.
    let tests = run_corpus_tests(&out, Some("_round_trips"))?;
    let report = report(version, &manifest, &tests, &Linted::new(&generated.diagnostics));
    let path = root().join(format!("target/corpus/{version}-round-trip-report.txt"));
    std::fs::write(&path, &report.text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprint!("{}", report.text);
    eprintln!("{version}: round-trip step took {:.1} s; report in {}", started.elapsed().as_secs_f64(), path.display());
    let wanted = target(version);
    if report.passing_percent < wanted {
        return Err(format!(
            "{version}: {:.2}% of representation and response round trips pass (want {wanted}%)",
            report.passing_percent
        ));
    }
    Ok(())
}

pub struct Report {
    pub text: String,
    pub passing_percent: f64,
}

/// One failed test, as the report lists it.
struct Failure {
    at: String,
    path: String,
    why: String,
    /// The lint code that reports this property of this page as a doc error.
    linted: Option<&'static str>,
}

/// The example properties the lint reports as doc errors, by page and
/// property name: a failure there is the page's, and the report says so.
pub struct Linted(HashMap<(String, String), &'static str>);

impl Linted {
    pub fn new(diagnostics: &[Diagnostic]) -> Linted {
        let mut found = HashMap::new();
        for diagnostic in diagnostics {
            if !matches!(diagnostic.code, Code::ExampleValueType | Code::ExampleUnknownProperty) {
                continue;
            }
            let key = diagnostic.message.split_once("property `").and_then(|(_, rest)| rest.split('`').next());
            if let Some(key) = key {
                found.insert((diagnostic.location.file.clone(), key.to_string()), diagnostic.code.as_str());
            }
        }
        Linted(found)
    }

    /// The code reporting the property a failure is about: the one a missing
    /// field names (`missing field `@odata.id``), else the one its JSON path
    /// (`value[0].userRole`) ends in.
    fn code(&self, page: &str, path: &str, why: &str) -> Option<&'static str> {
        let missing = why.split_once("missing field `").and_then(|(_, rest)| rest.split('`').next());
        let last = path.rsplit('.').next().unwrap_or(path);
        let key = missing.unwrap_or_else(|| last.split('[').next().unwrap_or(last));
        self.0.get(&(page.to_string(), key.to_string())).copied()
    }
}

pub fn report(version: &str, manifest: &serde_json::Value, run: &TestRun, linted: &Linted) -> Report {
    let empty = Vec::new();
    // kind → (generated, passed, not run)
    let mut by_kind: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut failures: Vec<Failure> = Vec::new();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for test in manifest["tests"].as_array().unwrap_or(&empty) {
        let kind = field(test, "kind");
        let counts = by_kind.entry(kind.clone()).or_default();
        counts.0 += 1;
        match run.outcomes.get(&field(test, "test")) {
            Some(true) => counts.1 += 1,
            Some(false) => {
                let message = run.messages.get(&field(test, "test")).cloned().unwrap_or_default();
                let (path, why) = explain(&message);
                if kind != "request" {
                    *reasons.entry(reason_class(&why)).or_default() += 1;
                }
                let page = field(test, "page");
                let linted = linted.code(&page, &path, &why);
                failures.push(Failure { at: format!("{page}:{} ({kind})", test["line"]), path, why, linted });
            }
            None => counts.2 += 1,
        }
    }
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for skip in manifest["skipped"].as_array().unwrap_or(&empty) {
        let reason = field(skip, "reason");
        // Parser errors differ in their position; the reason is what precedes it.
        let reason = reason.split(": ").next().unwrap_or_default().to_string();
        *skipped.entry(format!("{}: {reason}", field(skip, "kind"))).or_default() += 1;
    }

    let (mut proof_total, mut proof_passed) = (0, 0);
    let mut r = String::new();
    let _ = writeln!(r, "{version} round trips (decode the documented JSON, encode it again, compare):");
    for (kind, (total, passed, not_run)) in &by_kind {
        if kind != "request" {
            proof_total += total;
            proof_passed += passed;
        }
        let _ = writeln!(
            r,
            "  {kind:14} {total:5} tests, {passed:5} pass ({:.1}%), {} fail, {not_run} not run",
            percent(*passed, *total),
            total - passed - not_run
        );
    }
    let passing_percent = percent(proof_passed, proof_total);
    let _ = writeln!(
        r,
        "  representations and responses: {proof_passed} of {proof_total} pass ({passing_percent:.2}%, target {}%)",
        target(version)
    );
    let mut top: Vec<(&String, &usize)> = reasons.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let _ = writeln!(r, "  failure reasons (representations and responses), most common first:");
    for (reason, count) in top {
        let _ = writeln!(r, "    {count:5}  {reason}");
    }
    let _ = writeln!(r, "  documented bodies with no test, by reason:");
    for (reason, count) in &skipped {
        let _ = writeln!(r, "    {count:5}  {reason}");
    }
    let doc_errors = failures.iter().filter(|f| f.linted.is_some()).count();
    let _ = writeln!(
        r,
        "  failures the lint reports as doc errors: {doc_errors} of {} (marked [lint: code] below)",
        failures.len()
    );
    let _ = writeln!(r, "failures, by page (page:line, JSON path, why):");
    failures.sort_by(|a, b| a.at.cmp(&b.at));
    for failure in &failures {
        let lint = failure.linted.map(|code| format!("  [lint: {code}]")).unwrap_or_default();
        let _ = writeln!(r, "  {}  {}  {}{lint}", failure.at, failure.path, failure.why);
    }
    Report { text: r, passing_percent }
}

/// The JSON path and the reason from a failed round trip's panic message,
/// as `graph_runtime::testing::assert_round_trip` words it.
fn explain(message: &str) -> (String, String) {
    let quoted_after = |marker: &str| {
        let rest = message.split_once(marker)?.1;
        let path = rest.strip_prefix('`')?.split('`').next()?;
        Some(path.to_string())
    };
    if let Some(path) = quoted_after(" changed ") {
        let input = between(message, "input:", "re-encoded:");
        let output = message.split_once("re-encoded:").map(|(_, o)| o.trim()).unwrap_or_default();
        let why = match (input == "(absent)", output == "(absent)") {
            (false, true) => format!("dropped by the model (was {})", shorten(input)),
            (true, false) => format!("added by the model ({})", shorten(output)),
            _ => format!("changed from {} to {}", shorten(input), shorten(output)),
        };
        return (path, why);
    }
    if let Some(path) = quoted_after("` at ") {
        let why = message.split_once("`: ").map(|(_, why)| why).unwrap_or(message);
        return (path, format!("does not decode: {}", without_position(why)));
    }
    (String::new(), shorten(message))
}

/// The class of a failure, for counting: what went wrong without the values.
fn reason_class(why: &str) -> String {
    if let Some(rest) = why.strip_prefix("does not decode: ") {
        // "invalid type: map, expected a string" / "unknown variant `x`, expected …"
        let mut class = String::from("does not decode: ");
        let mut in_quote = false;
        for c in rest.chars() {
            match c {
                '`' | '"' => {
                    in_quote = !in_quote;
                    if in_quote {
                        class.push('…');
                    }
                }
                _ if in_quote => {}
                _ => class.push(c),
            }
        }
        // Type names after "expected struct"/"enum" vary; the shape is the reason.
        let words: Vec<&str> = class.split(' ').collect();
        let mut kept: Vec<&str> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            if i > 0 && matches!(words[i - 1], "struct" | "enum" | "variant") {
                continue;
            }
            kept.push(word);
        }
        return kept.join(" ");
    }
    why.split(" (").next().unwrap_or(why).to_string()
}

fn between<'m>(message: &'m str, start: &str, end: &str) -> &'m str {
    message.split_once(start).map(|(_, rest)| rest.split(end).next().unwrap_or(rest).trim()).unwrap_or_default()
}

/// serde's " at line 3 column 12" says where in the constant, not the page.
fn without_position(why: &str) -> String {
    match why.rfind(" at line ") {
        Some(at) => why[..at].to_string(),
        None => why.to_string(),
    }
}

fn shorten(text: &str) -> String {
    const LIMIT: usize = 80;
    if text.chars().count() <= LIMIT {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(LIMIT).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_property_is_explained_with_its_path() {
        let message = "round trip of `a::B` changed `$.value[0].x`: input:      \"1\" re-encoded: (absent)";
        let (path, why) = explain(message);
        assert_eq!(path, "$.value[0].x");
        assert_eq!(why, "dropped by the model (was \"1\")");
        assert_eq!(reason_class(&why), "dropped by the model");
    }

    #[test]
    fn a_failure_is_a_doc_error_when_the_lint_reports_its_property() {
        let at = docgen::diagnostics::Location { file: "api/a.md".into(), line: 3, column: 1 };
        let message = "example response property `userRole` is {}, which is not an enum member (a string)";
        let linted = Linted::new(&[Diagnostic::warning(Code::ExampleValueType, at, message)]);
        assert_eq!(linted.code("api/a.md", "value[0].userRole", "does not decode"), Some("example-value-type"));
        assert_eq!(linted.code("api/a.md", "value[0].other", "does not decode"), None);
        assert_eq!(linted.code("api/b.md", "userRole", "does not decode"), None);
    }

    #[test]
    fn a_missing_field_is_matched_by_its_name_not_by_the_path() {
        let at = docgen::diagnostics::Location { file: "api/a.md".into(), line: 3, column: 1 };
        let message = "example request property `@odata.id` is missing: a `$ref` request names the object";
        let linted = Linted::new(&[Diagnostic::warning(Code::ExampleValueType, at, message)]);
        let why = "does not decode: missing field `@odata.id`";
        assert_eq!(linted.code("api/a.md", ".", why), Some("example-value-type"));
        assert_eq!(linted.code("api/a.md", ".", "does not decode: missing field `other`"), None);
    }

    #[test]
    fn decode_errors_are_classed_without_values_or_type_names() {
        let message = "could not decode `a::B` at `role`: invalid type: string \"write\", expected struct CalendarPermission at line 2 column 17";
        let (path, why) = explain(message);
        assert_eq!(path, "role");
        assert_eq!(why, "does not decode: invalid type: string \"write\", expected struct CalendarPermission");
        assert_eq!(reason_class(&why), "does not decode: invalid type: string …, expected struct");
    }
}
