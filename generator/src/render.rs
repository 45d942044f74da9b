//! Diagnostics for people and for tools: rendered like rustc (a source
//! snippet with a caret, via `annotate-snippets`), as one JSON object per
//! line, and counted in a summary table by code.
//!
//! Rendering never trusts the page: spans are checked against the text,
//! long lines and long spans are cut to a window, and control characters in
//! messages are made visible, so a hostile page cannot garble a terminal.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Level, Origin, Renderer, Snippet};
use serde::Serialize;

use crate::diagnostics::{Code, Diagnostic, Location, Severity};
use crate::parse::markdown::LineIndex;
use crate::source::SourceFile;

/// At most this many lines of a span are shown; the rest is cut.
const MAX_LINES: u32 = 6;
/// A line longer than this is not drawn; an excerpt around the span is quoted.
const MAX_LINE_BYTES: usize = 16 * 1024;
/// Longer messages are cut in the rendering (JSON keeps them whole).
const MAX_MESSAGE_BYTES: usize = 1024;
/// A needle is looked for this far past its diagnostic's line.
const NEEDLE_WINDOW: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// No color: for files, pipes and snapshots.
    Plain,
    /// ANSI colors, for a terminal.
    Color,
}

/// The pages diagnostics point into, by path, with their line indexes built
/// on first use (a page with no diagnostics never pays for one).
pub struct Pages<'a> {
    pages: HashMap<&'a str, (&'a str, OnceCell<LineIndex>)>,
}

impl<'a> Pages<'a> {
    pub fn new(sources: &'a [SourceFile]) -> Self {
        Pages { pages: sources.iter().map(|s| (s.path.as_str(), (s.text.as_str(), OnceCell::new()))).collect() }
    }

    fn get(&self, file: &str) -> Option<(&'a str, &LineIndex)> {
        let (text, index) = self.pages.get(file)?;
        Some((text, index.get_or_init(|| LineIndex::new(text))))
    }
}

/// Turns needles into spans: a diagnostic that names the text it is about
/// (a property, a placeholder) gets the span of that text's first occurrence
/// at or after its line, and its line and column move there.
pub fn locate(diagnostics: &mut [Diagnostic], pages: &Pages) {
    for diagnostic in diagnostics.iter_mut().filter(|d| d.span.is_none()) {
        let Some(needle) = diagnostic.needle.as_deref().filter(|n| !n.is_empty()) else {
            continue;
        };
        let Some((text, index)) = pages.get(&diagnostic.location.file) else {
            continue;
        };
        let from = index.line_start(diagnostic.location.line.max(1)).min(text.len());
        let to = text.floor_char_boundary(from.saturating_add(NEEDLE_WINDOW));
        if let Some(at) = text[from..to].find(needle) {
            let start = from + at;
            let (line, _) = index.line_col(start);
            diagnostic.location.line = line;
            diagnostic.location.column = char_column(text, index, start);
            diagnostic.span = Some(start..start + needle.len());
        }
    }
}

/// One diagnostic as rustc would print it: title with severity and code,
/// `--> file:line:column`, then the lines it is about with a caret under the
/// span (or under the line, when the stage knew only the line).
pub fn render(diagnostic: &Diagnostic, pages: &Pages, style: Style) -> String {
    let renderer = match style {
        Style::Plain => Renderer::plain(),
        Style::Color => Renderer::styled(),
    };
    let level = match diagnostic.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    };
    let location = &diagnostic.location;
    let file = clean(&location.file);
    let title = level.clone().primary_title(clean(&shorten(&diagnostic.message))).id(diagnostic.code.as_str());
    let origin = || Origin::path(file.as_str()).line(location.line as usize).char_column(location.column as usize);
    let report = match pages.get(&location.file).and_then(|(text, index)| window(diagnostic, text, index)) {
        Some(Window::Lines { text, first_line, span }) => [title.element(
            Snippet::source(text)
                .path(file.as_str())
                .line_start(first_line as usize)
                .annotation(AnnotationKind::Primary.span(span)),
        )],
        Some(Window::Excerpt(excerpt)) => [title
            .element(origin())
            .element(Level::NOTE.message(format!("the line is too long to show; around the column: `{excerpt}`")))],
        None => [title.element(origin())],
    };
    renderer.render(&report)
}

/// What a snippet shows.
enum Window {
    /// Whole lines, and the span within them.
    Lines { text: String, first_line: u32, span: Range<usize> },
    /// A piece of a line too long to show whole.
    Excerpt(String),
}

fn window(diagnostic: &Diagnostic, text: &str, index: &LineIndex) -> Option<Window> {
    let line_count = index.line_col(text.len()).0;
    let span = diagnostic.span.clone().filter(|s| {
        s.start <= s.end && s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)
    });
    let span = match span {
        Some(span) => span,
        None => {
            let line = diagnostic.location.line;
            if line == 0 || line > line_count {
                return None;
            }
            // The line's text from the column on, without blanks around it.
            let start = index.line_start(line);
            let content = text[start..line_end(text, start)].trim_end();
            let skip: usize =
                content.chars().take(diagnostic.location.column.saturating_sub(1) as usize).map(char::len_utf8).sum();
            let rest = &content[skip..];
            let at = start + skip + (rest.len() - rest.trim_start().len());
            at..start + content.len()
        }
    };
    let (first_line, _) = index.line_col(span.start);
    let last_offset = if span.end > span.start { span.end - 1 } else { span.start };
    let last_line = index.line_col(last_offset).0.min(first_line + MAX_LINES - 1);
    let from = index.line_start(first_line);
    let to = line_end(text, index.line_start(last_line).max(from));
    let span = span.start.min(to)..span.end.min(to);
    let shown = &text[from..to];
    if shown.lines().any(|line| line.len() > MAX_LINE_BYTES) {
        let at = span.start - from;
        let start = shown.floor_char_boundary(at.saturating_sub(40));
        let end = shown.floor_char_boundary(at.saturating_add(80));
        return Some(Window::Excerpt(clean(&shown[start..end])));
    }
    Some(Window::Lines { text: clean_source(shown), first_line, span: span.start - from..span.end - from })
}

/// One diagnostic as one line of JSON: code, severity, message, the file,
/// line and column (1-based, the column in characters), and the byte span in
/// the page when one is known.
pub fn json(diagnostic: &Diagnostic) -> String {
    #[derive(Serialize)]
    struct Json<'a> {
        code: Code,
        severity: Severity,
        message: &'a str,
        file: &'a str,
        line: u32,
        column: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        span: Option<[usize; 2]>,
    }
    let Location { file, line, column } = &diagnostic.location;
    let value = Json {
        code: diagnostic.code,
        severity: diagnostic.severity,
        message: &diagnostic.message,
        file,
        line: *line,
        column: *column,
        span: diagnostic.span.as_ref().map(|s| [s.start, s.end]),
    };
    serde_json::to_string(&value).unwrap_or_default()
}

/// Counts by code and severity, every code that occurred.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Code → (errors, warnings, notes).
    pub by_code: BTreeMap<&'static str, [usize; 3]>,
}

impl Summary {
    pub fn new(diagnostics: &[Diagnostic]) -> Self {
        let mut by_code: BTreeMap<&'static str, [usize; 3]> = BTreeMap::new();
        for diagnostic in diagnostics {
            by_code.entry(diagnostic.code.as_str()).or_default()[diagnostic.severity as usize] += 1;
        }
        Summary { by_code }
    }

    /// (errors, warnings, notes) over all codes.
    pub fn totals(&self) -> [usize; 3] {
        let mut totals = [0; 3];
        for counts in self.by_code.values() {
            for (total, n) in totals.iter_mut().zip(counts) {
                *total += n;
            }
        }
        totals
    }

    /// A table: one row per code, a column per severity, a total row.
    pub fn to_text(&self) -> String {
        let width = self.by_code.keys().map(|c| c.len()).chain(["total".len()]).max().unwrap_or(0);
        let mut out =
            format!("{:<width$}  {:>6}  {:>8}  {:>6}  {:>6}\n", "code", "errors", "warnings", "notes", "total");
        let mut row = |name: &str, [errors, warnings, notes]: [usize; 3]| {
            let total = errors + warnings + notes;
            out.push_str(&format!("{name:<width$}  {errors:>6}  {warnings:>8}  {notes:>6}  {total:>6}\n"));
        };
        for (code, counts) in &self.by_code {
            row(code, *counts);
        }
        row("total", self.totals());
        out
    }
}

/// Messages quote page text; a quote of a 10 MB line is not read by anyone.
fn shorten(message: &str) -> std::borrow::Cow<'_, str> {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message.into();
    }
    let end = message.floor_char_boundary(MAX_MESSAGE_BYTES);
    format!("{}… ({} bytes more)", &message[..end], message.len() - end).into()
}

/// The end of the line that starts at `start` (before its `\n`).
fn line_end(text: &str, start: usize) -> usize {
    text[start..].find('\n').map_or(text.len(), |i| start + i)
}

/// 1-based column of `offset`, counted in characters.
fn char_column(text: &str, index: &LineIndex, offset: usize) -> u32 {
    let (line, _) = index.line_col(offset);
    let start = index.line_start(line).min(offset);
    text.get(start..offset).map_or(1, |s| s.chars().count() as u32 + 1)
}

/// Messages quote page text: control characters (an escape sequence, a
/// carriage return) are shown as `\u{..}` instead of reaching the terminal.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\n' { c.escape_unicode().to_string() } else { c.to_string() })
        .collect()
}

/// Source lines keep their layout, but no control character reaches the
/// terminal: tabs are widened by the renderer, the rest become a character
/// of the same UTF-8 length (`?` or `¿`), so spans still fit the text.
fn clean_source(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            c if c.is_control() && c.len_utf8() == 1 => '?',
            c if c.is_control() => '¿',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Vec<SourceFile> {
        vec![SourceFile::new("api/x.md", text)]
    }

    fn at(line: u32, column: u32) -> Location {
        Location { file: "api/x.md".into(), line, column }
    }

    #[test]
    fn line_only_diagnostics_underline_the_line() {
        let sources = page("# Title\n\n|a|**TODO: fill**|\n");
        let pages = Pages::new(&sources);
        let d = Diagnostic::warning(Code::TodoPlaceholder, at(3, 1), "table row still holds a TODO placeholder");
        let text = render(&d, &pages, Style::Plain);
        assert!(text.contains("warning[todo-placeholder]: table row still holds a TODO placeholder"), "{text}");
        assert!(text.contains("--> api/x.md:3:1"), "{text}");
        assert!(text.contains("3 | |a|**TODO: fill**|"), "{text}");
        assert!(text.contains("3 | |a|**TODO: fill**|\n  | ^^^^^^^^^^^^^^^^^^"), "{text}");
    }

    #[test]
    fn needles_become_spans() {
        let sources = page("```http\nHTTP/1.1 200 OK\n\n{\n  \"id\": \"1\",\n  \"bogus\": 2\n}\n```\n");
        let pages = Pages::new(&sources);
        let mut d = vec![Diagnostic::warning(Code::ExampleUnknownProperty, at(1, 1), "m").pointing_at("\"bogus\"")];
        locate(&mut d, &pages);
        assert_eq!((d[0].location.line, d[0].location.column), (6, 3));
        let text = render(&d[0], &pages, Style::Plain);
        assert!(text.contains("6 |   \"bogus\": 2\n  |   ^^^^^^^"), "{text}");
    }

    #[test]
    fn hostile_input_does_not_break_rendering() {
        let long = format!("{}\u{1b}[31mX{}", "a".repeat(10_000), "é".repeat(10_000));
        let sources = page(&long);
        let pages = Pages::new(&sources);
        for span in [
            Some(0..long.len()),
            Some(10_000..10_001),
            Some(Range { start: 5, end: 3 }),
            Some(0..long.len() + 10),
            Some(10_006..10_007),
            None,
        ] {
            let mut d = Diagnostic::warning(Code::BadRequestLine, at(1, 9_999), "bad \u{1b}[2J line");
            d.span = span;
            let text = render(&d, &pages, Style::Plain);
            assert!(!text.contains('\u{1b}'), "{text}");
            assert!(text.len() < 2_000, "{}", text.len());
        }
        // A long line that is still drawn: annotate-snippets cuts it to the terminal's width.
        let line = format!("{}TODO{}", "x".repeat(5_000), "y".repeat(5_000));
        let sources_long = page(&line);
        let long_pages = Pages::new(&sources_long);
        let d = Diagnostic::warning(Code::TodoPlaceholder, at(1, 5_001), "todo").with_span(5_000..5_004);
        let text = render(&d, &long_pages, Style::Plain);
        assert!(text.contains("api/x.md:1:5001") && text.contains("TODO") && text.len() < 1_000, "{text}");
        // Control characters are replaced by characters of the same length (found by the fuzz test).
        let text = "a\u{1}\u{85}\u{1b}é\u{7f}b";
        let sources_ctl = page(text);
        let d = Diagnostic::warning(Code::BadRequestLine, at(1, 1), "m").with_span(text.len() - 1..text.len());
        let rendered = render(&d, &Pages::new(&sources_ctl), Style::Plain);
        assert!(rendered.contains("a?¿?é?b"), "{rendered}");
        let d = Diagnostic::warning(Code::BadRequestLine, at(99, 1), "past the end");
        assert!(render(&d, &pages, Style::Plain).contains("api/x.md:99:1"));
    }

    #[test]
    fn json_is_one_line_per_diagnostic() {
        let d = Diagnostic::note(Code::AnnotationRepaired, at(2, 1), "repaired: \"comma\"\n").with_span(3..9);
        let line = json(&d);
        assert!(!line.contains('\n'));
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["code"], "annotation-repaired");
        assert_eq!(value["severity"], "note");
        assert_eq!(value["line"], 2);
        assert_eq!(value["span"], serde_json::json!([3, 9]));
    }

    #[test]
    fn summary_counts_by_code_and_severity() {
        let d = [
            Diagnostic::warning(Code::BrokenLink, at(1, 1), "a"),
            Diagnostic::warning(Code::BrokenLink, at(2, 1), "b"),
            Diagnostic::note(Code::UnresolvedType, at(3, 1), "c"),
            Diagnostic::warning(Code::UnresolvedType, at(4, 1), "d"),
        ];
        let summary = Summary::new(&d);
        assert_eq!(summary.by_code["broken-link"], [0, 2, 0]);
        assert_eq!(summary.by_code["unresolved-type"], [0, 1, 1]);
        assert_eq!(summary.totals(), [0, 3, 1]);
        assert!(
            summary.to_text().contains("total                 0         3       1       4"),
            "{}",
            summary.to_text()
        );
    }
}
