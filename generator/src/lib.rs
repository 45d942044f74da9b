//! docgen: Microsoft Graph API reference pages → a typed Rust SDK.
//!
//! The pipeline runs one way: [`source`] reads pages, [`parse`] turns each
//! into page facts, [`lower`] turns those into [`ir`] items, [`resolve`]
//! links them into a type space with Rust names, and [`emit`] prints it.

pub mod diagnostics;
pub mod emit;
pub mod ir;
pub mod lower;
pub mod output;
pub mod parse;
pub mod report;
pub mod resolve;
pub mod source;

use rayon::prelude::*;

use diagnostics::Diagnostic;
use emit::{EmitCache, EmitError, EmitOptions, GeneratedFile};
use ir::Ir;
use resolve::TypeSpace;
use source::SourceFile;

/// Everything one run produces.
#[derive(Debug)]
pub struct Generated {
    pub ir: Ir,
    pub space: TypeSpace,
    pub files: Vec<GeneratedFile>,
    /// Sorted by file, line and code.
    pub diagnostics: Vec<Diagnostic>,
}

/// The whole pipeline over pages already read.
pub fn generate(sources: &[SourceFile], options: &EmitOptions) -> Result<Generated, EmitError> {
    generate_cached(sources, options, &EmitCache::default())
}

/// The whole pipeline, reusing items formatted by earlier runs in `cache`.
pub fn generate_cached(
    sources: &[SourceFile],
    options: &EmitOptions,
    cache: &EmitCache,
) -> Result<Generated, EmitError> {
    let (ir, mut diagnostics) = extract(sources);
    let (space, more) = resolve::resolve(&ir);
    diagnostics.extend(more);
    diagnostics::sort(&mut diagnostics);
    let files = emit::emit(&space, options, cache)?;
    Ok(Generated { ir, space, files, diagnostics })
}

/// Parses and lowers every page (in parallel; the result keeps page order).
pub fn extract(files: &[SourceFile]) -> (Ir, Vec<Diagnostic>) {
    let lowered: Vec<_> = files
        .par_iter()
        .map(|file| {
            let (page, mut diagnostics) = parse::parse_page(&file.path, &file.text);
            let (lowered, more) = lower::lower(&page);
            diagnostics.extend(more);
            (lowered, diagnostics)
        })
        .collect();
    let mut ir = Ir::default();
    let mut diagnostics = Vec::new();
    for (page, page_diagnostics) in lowered {
        ir.pages.push(page.page);
        ir.models.extend(page.models);
        ir.enums.extend(page.enums);
        ir.operations.extend(page.operations);
        diagnostics.extend(page_diagnostics);
    }
    (ir, diagnostics)
}
