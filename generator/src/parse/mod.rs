//! Parse: one Markdown page → `Page`, the facts on it with their lines.
//!
//! Pages come in two dialects (annotated pages with `## Permissions`, and
//! Intune pages with `## Prerequisites`, `## HTTP Request` and no annotations
//! on examples), so nothing here depends on annotations being present: request
//! blocks are found by section, examples by their first line.

pub mod example;
pub mod front_matter;
pub mod lenient_json;
pub mod markdown;
pub mod path;
pub mod possible_values;
pub mod type_cell;

use serde_json::{Map, Value};

use crate::diagnostics::{Code, Diagnostic, Location};
use crate::source::includes::MAX_DEPTH;
use crate::source::{IncludeRead, Included, SourceFile};
use example::Message;
use front_matter::FrontMatter;
use markdown::{Block, CodeBlock, IncludeDirective, Inline, LineIndex, Paragraph, Table};
use path::RequestLine;

/// Everything read from one page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Path relative to the docs root, `/`-separated.
    pub file: String,
    pub front_matter: FrontMatter,
    /// The H1 title and its line.
    pub title: Option<(String, u32)>,
    /// `Namespace: microsoft.graph`.
    pub namespace: Option<String>,
    /// Section 0 holds what precedes the first heading after the title.
    pub sections: Vec<Section>,
    /// Lines of the HTTP request block(s), with their line numbers.
    pub request_lines: Vec<(RequestLine, u32)>,
    /// A fenced block was found under an "HTTP request" heading.
    pub has_request_block: bool,
    /// Request and response example blocks, in page order.
    pub examples: Vec<ExampleBlock>,
    /// `blockType: resource` JSON blocks (or JSON fences under "JSON representation").
    pub resource_blocks: Vec<ResourceBlock>,
    /// Links to other pages, resolved against the docs root, for the broken-link check.
    pub links: Vec<crate::ir::PageLink>,
}

/// The content under one heading (tab headings do not start sections).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub level: u8,
    pub line: u32,
    /// Lower-cased heading of the enclosing H2 (or of this section if it is one).
    pub h2: String,
    pub paragraphs: Vec<Paragraph>,
    pub tables: Vec<Table>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    pub value: Map<String, Value>,
    pub line: u32,
}

impl Annotation {
    pub fn str(&self, key: &str) -> Option<&str> {
        self.value.get(key).and_then(Value::as_str)
    }

    /// `true` or `"true"`: both spellings are in the docs.
    pub fn flag(&self, key: &str) -> bool {
        match self.value.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExampleBlock {
    pub message: Message,
    pub annotation: Option<Annotation>,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceBlock {
    pub annotation: Option<Annotation>,
    pub text: String,
    /// Line of the fence.
    pub line: u32,
}

/// Parses one page as read from a docs folder, what it includes read in
/// place. Never fails: problems become diagnostics.
pub fn parse_source(source: &SourceFile) -> (Page, Vec<Diagnostic>) {
    parse_including(&source.path, &source.text, &source.includes)
}

/// Parses one page given as text: its include directives are known for
/// what they are (not links), but nothing is read for them.
pub fn parse_page(file: &str, text: &str) -> (Page, Vec<Diagnostic>) {
    parse_including(file, text, &[])
}

fn parse_including(file: &str, text: &str, includes: &[Included]) -> (Page, Vec<Diagnostic>) {
    let lines = LineIndex::new(text);
    let doc = markdown::parse(text, &lines);
    let mut builder = PageBuilder::new(file, includes);
    if let Some((yaml, line)) = &doc.front_matter {
        builder.front_matter(yaml, *line);
    }
    for block in doc.blocks {
        builder.block(block);
    }
    builder.finish()
}

struct PageBuilder<'a> {
    page: Page,
    diagnostics: Vec<Diagnostic>,
    /// Open headings as (level, lower-cased text).
    stack: Vec<(u8, String)>,
    pending_annotation: Option<Annotation>,
    /// Request-looking fences outside any "HTTP request" section, used only
    /// when the page has no such section (`site-get.md`).
    fallback_request_lines: Vec<(RequestLine, u32)>,
    /// The example just read, when it is a successful response shown without
    /// a body: a few pages put the status line and headers in one fence and
    /// the JSON in the next (`signin-get.md`, `call-mute.md`).
    body_pending: Option<usize>,
    /// What the page's include directives brought in, as read.
    includes: &'a [Included],
    /// The keys of the includes being read in place, outermost first.
    include_stack: Vec<String>,
    /// Where the outermost include being read sits in the page: what is
    /// read from it is reported there.
    include_at: Option<(u32, std::ops::Range<usize>)>,
    /// Includes the folders do not have: (key, line, the target when it is
    /// written on the page itself), told once per page.
    missing: Vec<(String, u32, Option<String>)>,
}

impl<'a> PageBuilder<'a> {
    fn new(file: &str, includes: &'a [Included]) -> Self {
        let intro = Section {
            heading: String::new(),
            level: 0,
            line: 1,
            h2: String::new(),
            paragraphs: vec![],
            tables: vec![],
        };
        PageBuilder {
            page: Page {
                file: file.to_string(),
                front_matter: FrontMatter::default(),
                title: None,
                namespace: None,
                sections: vec![intro],
                request_lines: Vec::new(),
                has_request_block: false,
                examples: Vec::new(),
                resource_blocks: Vec::new(),
                links: Vec::new(),
            },
            diagnostics: Vec::new(),
            stack: Vec::new(),
            pending_annotation: None,
            fallback_request_lines: Vec::new(),
            body_pending: None,
            includes,
            include_stack: Vec::new(),
            include_at: None,
            missing: Vec::new(),
        }
    }

    fn location(&self, line: u32) -> Location {
        Location { file: self.page.file.clone(), line, column: 1 }
    }

    fn front_matter(&mut self, yaml: &str, first_line: u32) {
        let (front_matter, error) = front_matter::parse(yaml);
        if let Some(error) = error {
            self.diagnostics.push(Diagnostic::warning(
                Code::FrontMatter,
                self.location(first_line),
                format!("front matter is not valid YAML ({error}); read it line by line"),
            ));
        }
        for (offset, line) in yaml.lines().enumerate() {
            if line.contains("TODO") {
                let key = line.split(':').next().unwrap_or_default().trim();
                self.diagnostics.push(
                    Diagnostic::warning(
                        Code::TodoPlaceholder,
                        self.location(first_line + 1 + offset as u32),
                        format!("front matter `{key}` still holds a TODO placeholder"),
                    )
                    .pointing_at("TODO"),
                );
            }
        }
        self.page.front_matter = front_matter;
    }

    fn in_section(&self, prefix: &str) -> bool {
        self.stack.iter().any(|(_, heading)| heading.starts_with(prefix))
    }

    fn current(&mut self) -> &mut Section {
        let last = self.page.sections.len() - 1;
        &mut self.page.sections[last]
    }

    fn block(&mut self, block: Block) {
        match block {
            Block::Heading(heading) if heading.is_tab => {}
            Block::Heading(heading) => {
                self.body_pending = None;
                if heading.level == 1 && self.page.title.is_none() {
                    self.page.title = Some((heading.text.clone(), heading.line));
                }
                let lower = heading.text.to_ascii_lowercase();
                self.stack.retain(|(level, _)| *level < heading.level);
                self.stack.push((heading.level, lower.clone()));
                let h2 = match heading.level {
                    0..=2 => lower,
                    _ => self.page.sections.last().map(|s| s.h2.clone()).unwrap_or_default(),
                };
                self.page.sections.push(Section {
                    heading: heading.text,
                    level: heading.level,
                    line: heading.line,
                    h2,
                    paragraphs: vec![],
                    tables: vec![],
                });
            }
            Block::Paragraph(mut paragraph) => {
                self.check_links(paragraph.inline.links.iter().map(|l| l.target.as_str()), paragraph.line);
                if !paragraph.inline.includes.is_empty() {
                    self.read_inline_includes(&mut paragraph.inline);
                }
                if self.page.namespace.is_none()
                    && !paragraph.included
                    && let Some(ns) = paragraph.inline.text.strip_prefix("Namespace:")
                {
                    self.page.namespace = ns.split_whitespace().next().map(str::to_string);
                    return;
                }
                self.current().paragraphs.push(paragraph);
            }
            Block::Table(mut table) => {
                self.body_pending = None;
                for cell in table.rows.iter_mut().flat_map(|r| &mut r.cells).filter(|c| !c.inline.includes.is_empty()) {
                    self.read_inline_includes(&mut cell.inline);
                }
                self.check_table(&table);
                self.current().tables.push(table);
            }
            Block::Include(directive) => self.read_include(directive),
            Block::Comment(comment) => {
                if !comment.closed {
                    self.diagnostics.push(
                        Diagnostic::warning(
                            Code::UnclosedComment,
                            self.location(comment.line),
                            "this HTML comment is never closed with `-->`, so the rest of the page is hidden",
                        )
                        .with_span(comment.span.clone()),
                    );
                }
                self.annotation(&comment.body, comment.line, comment.span);
            }
            Block::Code(code) => self.code(code),
        }
    }

    /// Reads an include's blocks in place, as if written where the
    /// directive is; what they hold (a permissions table, a note) is the
    /// page's. Their problems are reported at the directive.
    fn read_include(&mut self, directive: IncludeDirective) {
        let Some((key, text)) = self.open_include(&directive) else { return };
        let (line, span) = self.include_at.clone().unwrap_or((directive.line, directive.span.clone()));
        let outermost = self.include_at.is_none();
        let first_diagnostic = self.diagnostics.len();
        self.include_stack.push(key.to_string());
        self.include_at = Some((line, span.clone()));
        for block in markdown::parse(text, &LineIndex::new(text)).blocks {
            self.block(block.included_at(line, &span));
        }
        self.include_stack.pop();
        if outermost {
            self.include_at = None;
            for diagnostic in &mut self.diagnostics[first_diagnostic..] {
                // Problems with includes name their includes already.
                if !matches!(diagnostic.code, Code::IncludeLoop | Code::IncludeOutside | Code::IncludeMissing) {
                    diagnostic.message.push_str(&format!(" (in the included `{key}`)"));
                }
                (diagnostic.span, diagnostic.needle) = (Some(span.clone()), None);
            }
        }
    }

    /// Puts the text of the includes amid `inline` (a table cell, a
    /// sentence) in their places.
    fn read_inline_includes(&mut self, inline: &mut Inline) {
        for include in std::mem::take(&mut inline.includes).into_iter().rev() {
            let included = self.included_text(&include.directive);
            if included.is_empty() {
                continue;
            }
            let at = (0..=include.at.min(inline.text.len())).rev().find(|i| inline.text.is_char_boundary(*i));
            let (before, after) = inline.text.split_at(at.unwrap_or(0));
            let pieces = [before.trim_end(), included.as_str(), after.trim_start()];
            inline.text = pieces.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" ");
        }
    }

    /// The text of an include's paragraphs, one line, for an include amid text.
    fn included_text(&mut self, directive: &IncludeDirective) -> String {
        let Some((key, text)) = self.open_include(directive) else { return String::new() };
        self.include_stack.push(key.to_string());
        let mut pieces = Vec::new();
        for block in markdown::parse(text, &LineIndex::new(text)).blocks {
            match block {
                Block::Paragraph(mut paragraph) => {
                    self.read_inline_includes(&mut paragraph.inline);
                    pieces.push(paragraph.inline.text);
                }
                Block::Include(inner) => pieces.push(self.included_text(&inner)),
                _ => {}
            }
        }
        self.include_stack.pop();
        pieces.retain(|p| !p.is_empty());
        pieces.join(" ")
    }

    /// The key and text of an include that can be read in place here, else
    /// `None`, with what stands in the way reported: a missing file (told
    /// once per page), a target outside the includes folders, a loop or
    /// nesting too deep. An include the reading stage did not see (a page
    /// given as text) is left out silently.
    fn open_include(&mut self, directive: &IncludeDirective) -> Option<(&'a str, &'a str)> {
        let includes: &'a [Included] = self.includes;
        let from = self.include_stack.last().map_or(self.page.file.as_str(), String::as_str);
        let read = &includes.iter().find(|i| i.from == from && i.target == directive.target)?.read;
        let on_page = self.include_stack.is_empty();
        let at = |builder: &Self, diagnostic: Diagnostic| match on_page {
            true => diagnostic.pointing_at(directive.target.clone()),
            false => diagnostic.with_span(builder.include_at.clone().map_or(directive.span.clone(), |(_, s)| s)),
        };
        let location = self.location(directive.line);
        let problem = match read {
            IncludeRead::Text { key, .. } if self.include_stack.contains(key) => {
                let chain = self.include_stack.join("` → `");
                let message = format!("`{key}` includes itself through `{chain}` → `{key}`; it is read once");
                Diagnostic::warning(Code::IncludeLoop, location, message)
            }
            IncludeRead::Text { key, .. } if self.include_stack.len() >= MAX_DEPTH => {
                let message = format!("includes nest more than {MAX_DEPTH} deep here; `{key}` is not read");
                Diagnostic::warning(Code::IncludeLoop, location, message)
            }
            IncludeRead::Text { key, text } => return Some((key.as_str(), &**text)),
            IncludeRead::NoFolder => return None,
            IncludeRead::Missing { key } => {
                self.missing.push((key.clone(), directive.line, on_page.then(|| directive.target.clone())));
                return None;
            }
            IncludeRead::Outside => {
                let message = format!(
                    "the include `{}` points outside the includes folders and the docs root; it is not read",
                    directive.target
                );
                Diagnostic::warning(Code::IncludeOutside, location, message)
            }
            IncludeRead::Unreadable { key, error } => {
                let message = format!("the include `{key}` cannot be read: {error}");
                Diagnostic::warning(Code::IncludeMissing, location, message)
            }
        };
        let diagnostic = at(self, problem);
        self.diagnostics.push(diagnostic);
        None
    }

    /// Links are only ever resolved to names, never opened; one that climbs
    /// out of the docs root is still reported, since it cannot be right.
    /// Links read from an include are relative to the included file, which
    /// is not a page: they are not checked.
    fn check_links<'t>(&mut self, targets: impl Iterator<Item = &'t str>, line: u32) {
        if !self.include_stack.is_empty() {
            return;
        }
        for target in targets {
            match type_cell::resolve_link(&self.page.file, target) {
                Err(error) => {
                    let diagnostic = Diagnostic::warning(Code::LinkOutsideRoot, self.location(line), error);
                    self.diagnostics.push(diagnostic.pointing_at(target));
                }
                // `includes/` folders are snippets, not pages: never read, never checked.
                Ok(Some(page)) if !page.split('/').any(|part| part == "includes") => {
                    self.page.links.push(crate::ir::PageLink { page, target: target.to_string(), line });
                }
                Ok(_) => {}
            }
        }
    }

    fn check_table(&mut self, table: &Table) {
        for row in &table.rows {
            self.check_links(row.cells.iter().flat_map(|c| c.inline.links.iter().map(|l| l.target.as_str())), row.line);
            if row.cells.iter().any(|c| c.inline.text.contains("TODO")) {
                self.diagnostics.push(
                    Diagnostic::warning(
                        Code::TodoPlaceholder,
                        self.location(row.line),
                        "table row still holds a TODO placeholder",
                    )
                    .pointing_at("TODO"),
                );
            }
        }
    }

    fn annotation(&mut self, body: &str, line: u32, span: std::ops::Range<usize>) {
        let body = body.trim();
        if !body.starts_with('{') {
            return;
        }
        match lenient_json::parse(body) {
            Ok((Value::Object(value), repairs)) => {
                if !repairs.is_empty() {
                    let names: Vec<String> = repairs.iter().map(|r| format!("{r:?}")).collect();
                    self.diagnostics.push(
                        Diagnostic::note(
                            Code::AnnotationRepaired,
                            self.location(line),
                            format!("annotation is not strict JSON; repaired: {}", names.join(", ")),
                        )
                        .with_span(span),
                    );
                }
                // A permissions annotation names the table (or include) after
                // it, not a fence: the next fence must not take it for its own.
                let block_type = value.get("blockType").and_then(Value::as_str);
                if block_type.is_some_and(|t| !t.eq_ignore_ascii_case("permissions")) {
                    self.pending_annotation = Some(Annotation { value, line });
                }
            }
            Ok(_) => {}
            Err(error) => self.diagnostics.push(
                Diagnostic::warning(
                    Code::AnnotationInvalid,
                    self.location(line),
                    format!("annotation cannot be read as JSON: {error}"),
                )
                .with_span(span),
            ),
        }
    }

    fn code(&mut self, code: CodeBlock) {
        let annotation = self.pending_annotation.take();
        let body_pending = self.body_pending.take();
        if self.in_section("http request") {
            self.page.has_request_block = true;
            let lines = self.request_lines(&code);
            self.page.request_lines.extend(lines);
            return;
        }
        let block_type = annotation.as_ref().and_then(|a| a.str("blockType")).unwrap_or_default().to_string();
        if let Some(index) = body_pending
            && matches!(block_type.as_str(), "" | "example")
            && self.response_body_from(index, &code)
        {
            return;
        }
        let in_json_representation = self.in_section("json representation");
        if block_type == "resource"
            || (block_type.is_empty() && in_json_representation && code.info.starts_with("json"))
        {
            self.page.resource_blocks.push(ResourceBlock { annotation, text: code.text, line: code.line });
            return;
        }
        if let Some(message) = example::classify(&code.info, &code.text) {
            if !self.in_section("example") && is_bare_request_block(&code) {
                let lines = self.request_lines(&code);
                self.fallback_request_lines.extend(lines);
            }
            let bodiless_success = matches!(&message,
                Message::Response(r) if (200..300).contains(&r.status) && r.status != 204 && r.body == crate::ir::Body::None);
            if bodiless_success {
                self.body_pending = Some(self.page.examples.len());
            }
            self.page.examples.push(ExampleBlock { message, annotation, line: code.line });
        }
    }

    /// Gives the bodiless response `examples[index]` the JSON of `code`, the
    /// fence right after it; false (and nothing changed) when `code` is not JSON.
    fn response_body_from(&mut self, index: usize, code: &CodeBlock) -> bool {
        let text = code.text.trim_start();
        if !(text.starts_with('{') || text.starts_with('[')) || example::classify(&code.info, &code.text).is_some() {
            return false;
        }
        let Some(Message::Response(response)) = self.page.examples.get_mut(index).map(|e| &mut e.message) else {
            return false;
        };
        response.body = example::read_body(text);
        true
    }

    /// Every `METHOD path` line of a request block; the fence info may hold the first.
    fn request_lines(&mut self, code: &CodeBlock) -> Vec<(RequestLine, u32)> {
        let info_rest = code.info.split_once(char::is_whitespace).map(|(_, rest)| rest);
        let candidates = info_rest
            .map(|rest| (rest, code.line))
            .into_iter()
            .chain(code.text.lines().enumerate().map(|(i, line)| (line, code.line + 1 + i as u32)));
        let mut found = Vec::new();
        for (text, line) in candidates {
            match path::parse_request_line(text) {
                Some(Ok(request)) => {
                    for warning in &request.warnings {
                        self.diagnostics.push(Diagnostic::warning(
                            Code::UnbalancedPlaceholder,
                            self.location(line),
                            warning.clone(),
                        ));
                    }
                    for note in &request.notes {
                        self.diagnostics.push(Diagnostic::note(
                            Code::BadRequestLine,
                            self.location(line),
                            note.clone(),
                        ));
                    }
                    found.push((request, line));
                }
                Some(Err(error)) => self.diagnostics.push(Diagnostic::warning(
                    Code::BadRequestLine,
                    self.location(line),
                    format!("request line `{}`: {error}", text.trim()),
                )),
                None => {}
            }
        }
        found
    }

    fn finish(mut self) -> (Page, Vec<Diagnostic>) {
        if self.page.request_lines.is_empty() && !self.fallback_request_lines.is_empty() {
            self.page.request_lines = std::mem::take(&mut self.fallback_request_lines);
        }
        self.report_missing_includes();
        (self.page, self.diagnostics)
    }

    /// One note for all the includes of the page that are not there, at the
    /// first: a page with a dozen code-sample includes missing gets one line.
    fn report_missing_includes(&mut self) {
        let Some((_, line, target)) = self.missing.first().cloned() else { return };
        let mut keys: Vec<&str> = Vec::new();
        for (key, _, _) in &self.missing {
            if !keys.contains(&key.as_str()) {
                keys.push(key);
            }
        }
        let message = match keys.as_slice() {
            [one] => format!("the include `{one}` is not in the includes folders; the page is read without it"),
            many => format!(
                "{} includes are not in the includes folders; the page is read without them: `{}`",
                many.len(),
                many.join("`, `")
            ),
        };
        let note = Diagnostic::note(Code::IncludeMissing, self.location(line), message);
        self.diagnostics.push(match target {
            Some(target) => note.pointing_at(target),
            None => note,
        });
    }
}

/// A fence whose every line is `METHOD /relative/path` (no host, no body).
fn is_bare_request_block(code: &CodeBlock) -> bool {
    let mut lines = code.text.lines().map(str::trim).filter(|l| !l.is_empty()).peekable();
    lines.peek().is_some()
        && lines.all(|line| {
            line.split_once(' ').is_some_and(|(method, rest)| {
                crate::ir::Method::parse(method).is_some() && rest.trim_start().starts_with('/')
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "---\ntitle: \"Get thing\"\ndoc_type: apiPageType\n---\n\n# Get thing\nNamespace: microsoft.graph\n\n## HTTP request\n<!-- { \"blockType\": \"ignored\" } -->\n```http\nGET /me/things\nGET /users/{id}/things\n```\n\n## Example\n# [HTTP](#tab/http)\n<!-- {\n  \"blockType\": \"request\",\n  \"name\": \"get_things\"\n}-->\n```msgraph-interactive\nGET https://graph.microsoft.com/v1.0/me/things\n```\n# [C#](#tab/csharp)\nsnippet\n\n---\n\n### Response\n```http\nHTTP/1.1 200 OK\nContent-type: application/json\n\n{\"value\": []}\n```\n";

    #[test]
    fn request_lines_examples_and_annotations_are_found() {
        let (page, diagnostics) = parse_page("v1.0/api/thing-get.md", PAGE);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(page.title, Some(("Get thing".into(), 6)));
        assert_eq!(page.namespace.as_deref(), Some("microsoft.graph"));
        assert_eq!(page.request_lines.iter().map(|(_, line)| *line).collect::<Vec<_>>(), vec![12, 13]);
        assert_eq!(page.examples.len(), 2);
        assert_eq!(page.examples[0].annotation.as_ref().and_then(|a| a.str("name")), Some("get_things"));
        assert!(matches!(page.examples[1].message, Message::Response(_)));
    }

    #[test]
    fn tab_headings_do_not_start_sections() {
        let (page, _) = parse_page("a.md", PAGE);
        let headings: Vec<&str> = page.sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(headings, vec!["", "Get thing", "HTTP request", "Example", "Response"]);
        assert_eq!(page.sections[4].h2, "example");
    }

    /// A response whose status line and headers are in one fence.
    fn split_response(status: &str, between: &str) -> String {
        format!(
            "# T\n\n## Example\n### Request\n```http\nGET https://graph.microsoft.com/v1.0/me\n```\n\n### Response\n\
             ```http\nHTTP/1.1 {status}\nContent-type: application/json\n```\n{between}\n```json\n{{\"id\": \"1\"}}\n```\n"
        )
    }

    fn response_body(page: &Page) -> Option<&crate::ir::Body> {
        page.examples.iter().find_map(|e| match &e.message {
            Message::Response(r) => Some(&r.body),
            Message::Request(_) => None,
        })
    }

    #[test]
    fn a_response_body_in_the_next_fence_belongs_to_the_response() {
        for between in ["", "Shortened for readability.\n", "<!-- { \"blockType\": \"example\" } -->\n"] {
            let (page, _) = parse_page("a.md", &split_response("200 OK", between));
            assert!(matches!(response_body(&page), Some(crate::ir::Body::Json { .. })), "{between:?}");
            assert_eq!(page.examples.len(), 2, "the JSON fence is not an example of its own");
        }
    }

    #[test]
    fn a_json_fence_is_not_the_body_of_a_204_or_after_a_heading() {
        let (page, _) = parse_page("a.md", &split_response("204 No Content", ""));
        assert_eq!(response_body(&page), Some(&crate::ir::Body::None));
        let (page, _) = parse_page("a.md", &split_response("200 OK", "### Another\n"));
        assert_eq!(response_body(&page), Some(&crate::ir::Body::None));
    }

    fn read(from: &str, target: &str, line: u32, key: &str, text: &str) -> Included {
        let read = IncludeRead::Text { key: key.into(), text: text.into() };
        Included { from: from.into(), target: target.into(), line, read }
    }

    fn not_read(from: &str, target: &str, line: u32, read: IncludeRead) -> Included {
        Included { from: from.into(), target: target.into(), line, read }
    }

    const TABLE: &str = "---\nauthor: us\n---\n|Permission type|Least privileged permissions|\n|:--|:--|\n|Application|Widget.Read.All|\n";

    #[test]
    fn an_include_is_read_in_place_and_located_at_its_directive() {
        let text =
            "# Get widget\n\n## Permissions\n\n[!INCLUDE [permissions-table](../includes/p.md)]\n\n## HTTP request\n";
        let includes = [read("api/w.md", "../includes/p.md", 5, "includes/p.md", TABLE)];
        let (page, diagnostics) = parse_including("api/w.md", text, &includes);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let permissions = page.sections.iter().find(|s| s.heading == "Permissions").expect("a Permissions section");
        let table = &permissions.tables[0];
        assert_eq!((table.header[0].as_str(), table.line, table.rows[0].line), ("Permission type", 5, 5));
        assert_eq!(page.front_matter, FrontMatter::default(), "the include's front matter is not the page's");
        assert!(page.links.is_empty());
    }

    #[test]
    fn an_include_amid_a_table_cell_brings_its_text_there() {
        let text = "# T\n\n|Property|Type|Description|\n|--|--|--|\n|id|String|Its id. [!INCLUDE [note](../../includes/note.md)] Read-only.|\n";
        let includes =
            [read("api/w.md", "../../includes/note.md", 5, "../includes/note.md", "Not the same in v1.0.\n")];
        let (page, _) = parse_including("api/w.md", text, &includes);
        let cell = &page.sections[1].tables[0].rows[0].cells[2].inline;
        assert_eq!(cell.text, "Its id. Not the same in v1.0. Read-only.");
    }

    #[test]
    fn includes_that_include_each_other_are_reported_not_followed() {
        let text = "# T\n\n[!INCLUDE [a](a.md)]\n";
        let includes = [
            read("api/w.md", "a.md", 3, "api/a.md", "A.\n\n[!INCLUDE [b](b.md)]\n"),
            read("api/a.md", "b.md", 3, "api/b.md", "B.\n\n[!INCLUDE [a](a.md)]\n"),
            read("api/b.md", "a.md", 3, "api/a.md", "A.\n\n[!INCLUDE [b](b.md)]\n"),
        ];
        let (page, diagnostics) = parse_including("api/w.md", text, &includes);
        let texts: Vec<&str> = page.sections[1].paragraphs.iter().map(|p| p.inline.text.as_str()).collect();
        assert_eq!(texts, ["A.", "B."]);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let loop_found = &diagnostics[0];
        assert_eq!((loop_found.code, loop_found.location.line), (Code::IncludeLoop, 3));
        assert!(loop_found.message.contains("`api/a.md` → `api/b.md` → `api/a.md`"), "{}", loop_found.message);
    }

    #[test]
    fn includes_nest_only_so_deep() {
        let mut includes = vec![read("api/w.md", "0.md", 1, "api/0.md", "[!INCLUDE [next](1.md)]\n")];
        for depth in 1..=MAX_DEPTH {
            let text = format!("Level {depth}.\n\n[!INCLUDE [next]({}.md)]\n", depth + 1);
            includes.push(read(
                &format!("api/{}.md", depth - 1),
                &format!("{depth}.md"),
                1,
                &format!("api/{depth}.md"),
                &text,
            ));
        }
        let (page, diagnostics) = parse_including("api/w.md", "[!INCLUDE [first](0.md)]\n", &includes);
        assert_eq!(page.sections[0].paragraphs.len(), MAX_DEPTH - 1);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(diagnostics[0].code == Code::IncludeLoop && diagnostics[0].message.contains("more than 8 deep"));
    }

    #[test]
    fn missing_includes_are_one_note_per_page_and_outside_ones_a_warning() {
        let text = "# T\n\n[!INCLUDE [a](../includes/a.md)]\n\n[!INCLUDE [b](../includes/b.md)]\n\n[!INCLUDE [a](../includes/a.md)]\n\n[!INCLUDE [x](../../../../etc/x.md)]\n";
        let includes = [
            not_read("api/w.md", "../includes/a.md", 3, IncludeRead::Missing { key: "includes/a.md".into() }),
            not_read("api/w.md", "../includes/b.md", 5, IncludeRead::Missing { key: "includes/b.md".into() }),
            not_read("api/w.md", "../../../../etc/x.md", 9, IncludeRead::Outside),
        ];
        let (_, diagnostics) = parse_including("api/w.md", text, &includes);
        let found: Vec<(Code, u32)> = diagnostics.iter().map(|d| (d.code, d.location.line)).collect();
        assert_eq!(found, [(Code::IncludeOutside, 9), (Code::IncludeMissing, 3)]);
        assert!(
            diagnostics[1].message.contains("2 includes are not in the includes folders"),
            "{}",
            diagnostics[1].message
        );
        // Without a folder, nothing is said per page (the run says it once).
        let includes = [not_read("api/w.md", "../includes/a.md", 3, IncludeRead::NoFolder)];
        assert!(parse_including("api/w.md", text, &includes).1.is_empty());
    }

    #[test]
    fn a_permissions_annotation_is_not_taken_by_the_next_fence() {
        let text = "# T\n\n## Permissions\n<!-- { \"blockType\": \"permissions\", \"name\": \"t\" } -->\n\
                    [!INCLUDE [permissions-table](../includes/t.md)]\n\n## Example\n```http\nGET https://graph.microsoft.com/v1.0/me\n```\n";
        let (page, _) = parse_page("api/t.md", text);
        assert_eq!(page.examples.len(), 1);
        assert_eq!(page.examples[0].annotation, None);
    }

    #[test]
    fn unclosed_comment_is_reported() {
        let (_, diagnostics) = parse_page("a.md", "# T\n\n<!-- { \"blockType\": \"resource\"\n\nrest\n");
        assert!(diagnostics.iter().any(|d| d.code == Code::UnclosedComment));
    }
}
