//! The coverage report: how much of a docs folder became code, and what was
//! skipped and why, so a docs writer can act on every gap.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Body, Ir, PageKind};
use crate::resolve::TypeSpace;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub pages: usize,
    pub api_pages: usize,
    /// API pages with an HTTP request block.
    pub api_pages_with_request: usize,
    /// API pages that produced at least one operation.
    pub api_pages_with_operations: usize,
    pub resource_pages: usize,
    /// Resource pages that produced a model.
    pub resource_pages_with_model: usize,
    /// Models of documented types.
    pub models: usize,
    /// Structs for action parameters (request bodies that are not a documented type).
    pub parameter_bodies: usize,
    pub enum_pages: usize,
    pub enum_pages_with_enum: usize,
    pub enums: usize,
    /// Operations as documented, one per request line.
    pub documented_operations: usize,
    /// Distinct (method, path) operations emitted.
    pub operations: usize,
    /// Of those, the ones whose permissions their page documents in a table
    /// that could be read (written there or included).
    pub operations_with_permissions: usize,
    pub examples: ExampleCounts,
    /// Type references in all, and those that fell back to `serde_json::Value`.
    pub type_references: usize,
    pub fallback_types: usize,
    pub skipped: Vec<Skipped>,
    pub diagnostics: BTreeMap<String, usize>,
    /// Agreement with the service's metadata, when it was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fidelity: Option<crate::metadata::Fidelity>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExampleCounts {
    pub requests: usize,
    pub responses: usize,
    /// Bodies that are strict JSON.
    pub strict: usize,
    /// Bodies read as JSON after repairs.
    pub repaired: usize,
    /// Bodies that look like JSON but could not be read.
    pub invalid: usize,
    /// Bodies that are not JSON (CSV, binary, text).
    pub non_json: usize,
    /// Examples without a body.
    pub empty: usize,
}

/// A page (or block) that produced nothing, with a reason to act on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Skipped {
    pub file: String,
    pub line: u32,
    pub reason: String,
}

pub fn build(ir: &Ir, space: &TypeSpace, diagnostics: &[Diagnostic]) -> Report {
    let mut report = Report { pages: ir.pages.len(), ..Report::default() };
    let with_operations: HashSet<&str> = ir.operations.iter().map(|o| o.location.file.as_str()).collect();
    let with_models: HashSet<&str> = ir.models.iter().map(|m| m.location.file.as_str()).collect();
    let with_enums: HashSet<&str> = ir.enums.iter().map(|e| e.location.file.as_str()).collect();
    for page in &ir.pages {
        let file = page.file.as_str();
        match page.kind {
            PageKind::Api => {
                report.api_pages += 1;
                report.api_pages_with_request += usize::from(page.has_request_block);
                if with_operations.contains(file) {
                    report.api_pages_with_operations += 1;
                } else {
                    report.skipped.push(skipped(file, diagnostics, &[Code::BadRequestLine, Code::MissingRequestBlock]));
                }
            }
            PageKind::Resource => {
                report.resource_pages += 1;
                if with_models.contains(file) {
                    report.resource_pages_with_model += 1;
                } else if !with_enums.contains(file) {
                    report.skipped.push(skipped(file, diagnostics, &[Code::NothingExtracted]));
                }
            }
            PageKind::Enum => {
                report.enum_pages += 1;
                if with_enums.contains(file) {
                    report.enum_pages_with_enum += 1;
                } else {
                    report.skipped.push(skipped(file, diagnostics, &[Code::NothingExtracted]));
                }
            }
            PageKind::Conceptual => {}
            PageKind::Unknown => report.skipped.push(skipped(file, diagnostics, &[Code::UnknownPageKind])),
        }
    }
    let documented = space.models.iter().filter(|m| matches!(m.home, crate::resolve::Home::Models { .. })).count();
    report.models = documented;
    report.parameter_bodies = space.models.len() - documented;
    report.enums = space.enums.len();
    report.documented_operations = ir.operations.len();
    report.operations = space.operations.len();
    report.operations_with_permissions = space.operations.iter().filter(|op| op.permissions.is_some()).count();
    report.type_references = space.type_references;
    report.fallback_types = space.fallback_types;
    for op in &ir.operations {
        for example in &op.examples {
            if let Some(request) = &example.request {
                report.examples.requests += 1;
                count_body(&mut report.examples, &request.body);
            }
            if let Some(response) = &example.response {
                report.examples.responses += 1;
                count_body(&mut report.examples, &response.body);
            }
        }
    }
    for diagnostic in diagnostics {
        *report.diagnostics.entry(diagnostic.code.as_str().to_string()).or_default() += 1;
    }
    report.skipped.sort();
    report
}

fn count_body(counts: &mut ExampleCounts, body: &Body) {
    match body {
        Body::None => counts.empty += 1,
        Body::Json { repairs, .. } if repairs.is_empty() => counts.strict += 1,
        Body::Json { .. } => counts.repaired += 1,
        Body::Invalid { .. } => counts.invalid += 1,
        Body::Text { .. } => counts.non_json += 1,
    }
}

/// The page's first diagnostic of the first code in `codes` that it has gives the reason.
fn skipped(file: &str, diagnostics: &[Diagnostic], codes: &[Code]) -> Skipped {
    let found = codes.iter().find_map(|code| diagnostics.iter().find(|d| d.location.file == file && d.code == *code));
    match found {
        Some(d) => Skipped { file: file.to_string(), line: d.location.line, reason: d.message.clone() },
        None => Skipped { file: file.to_string(), line: 1, reason: "the page produced nothing".into() },
    }
}

impl Report {
    /// The same numbers as a readable table.
    pub fn to_text(&self) -> String {
        let percent = |part: usize, whole: usize| if whole == 0 { 100.0 } else { part as f64 * 100.0 / whole as f64 };
        let mut out = String::new();
        let mut row = |name: &str, value: String| out.push_str(&format!("{name:<34} {value}\n"));
        row("pages", self.pages.to_string());
        row("api pages", self.api_pages.to_string());
        row("  with an HTTP request block", self.api_pages_with_request.to_string());
        row(
            "  with operations",
            format!(
                "{} ({:.2}% of those with a request block)",
                self.api_pages_with_operations,
                percent(self.api_pages_with_operations.min(self.api_pages_with_request), self.api_pages_with_request)
            ),
        );
        row(
            "resource pages",
            format!(
                "{} ({} with a model, {:.2}%)",
                self.resource_pages,
                self.resource_pages_with_model,
                percent(self.resource_pages_with_model, self.resource_pages)
            ),
        );
        row("models", format!("{} (and {} action parameter bodies)", self.models, self.parameter_bodies));
        row("enum pages", format!("{} ({} with an enum)", self.enum_pages, self.enum_pages_with_enum));
        row("enums", self.enums.to_string());
        row("operations (documented)", self.documented_operations.to_string());
        row("operations (distinct method+path)", self.operations.to_string());
        row(
            "  with permissions known",
            format!(
                "{} ({:.2}%)",
                self.operations_with_permissions,
                percent(self.operations_with_permissions, self.operations)
            ),
        );
        let e = &self.examples;
        row(
            "examples",
            format!(
                "{} requests, {} responses; bodies: {} strict, {} repaired, {} invalid, {} not JSON, {} empty",
                e.requests, e.responses, e.strict, e.repaired, e.invalid, e.non_json, e.empty
            ),
        );
        row(
            "type references",
            format!("{} ({} fell back to serde_json::Value)", self.type_references, self.fallback_types),
        );
        row("skipped", self.skipped.len().to_string());
        for skipped in &self.skipped {
            out.push_str(&format!("  {}:{}: {}\n", skipped.file, skipped.line, skipped.reason));
        }
        out.push_str("diagnostics\n");
        for (code, count) in &self.diagnostics {
            out.push_str(&format!("  {code:<32} {count}\n"));
        }
        if let Some(fidelity) = &self.fidelity {
            out.push_str("against the service's metadata\n");
            out.push_str(&fidelity.to_text());
        }
        out
    }
}
