//! `docgen lint`: every diagnostic the pipeline finds in a docs folder,
//! located as precisely as the page text allows, in print order. The
//! generator's own stages do the checking; nothing is emitted.

use crate::diagnostics::{self, Diagnostic};
use crate::metadata::Metadata;
use crate::render::{self, Pages};
use crate::source::SourceFile;
use crate::{Cache, Progress};

/// Parses, lowers and resolves `sources`, then turns needles into spans
/// against the page text and sorts (file, line, code) without repeats.
pub fn lint(sources: &[SourceFile], progress: &dyn Progress) -> Vec<Diagnostic> {
    lint_cached(sources, None, &Cache::default(), progress)
}

/// [`lint`], and where `metadata` is given, every disagreement between the
/// pages and the service's metadata too.
pub fn lint_against(sources: &[SourceFile], metadata: Option<&Metadata>, progress: &dyn Progress) -> Vec<Diagnostic> {
    lint_cached(sources, metadata, &Cache::default(), progress)
}

/// [`lint_against`], reusing the pages `cache` has seen (`lint --watch` keeps one).
pub fn lint_cached(
    sources: &[SourceFile],
    metadata: Option<&Metadata>,
    cache: &Cache,
    progress: &dyn Progress,
) -> Vec<Diagnostic> {
    let (ir, mut found) = cache.lint_run(|| crate::extract_observed(sources, cache, progress));
    progress.stage("resolve", 0);
    let (space, more) = crate::resolve::resolve(&ir);
    found.extend(more);
    if let Some(metadata) = metadata {
        found.extend(crate::metadata::check(&ir, &space, metadata).1);
    }
    // Repeats go first (the one that knows its text is kept), then needles
    // become spans, which moves lines: sort again.
    diagnostics::sort(&mut found);
    render::locate(&mut found, &Pages::new(sources));
    diagnostics::sort(&mut found);
    found
}
