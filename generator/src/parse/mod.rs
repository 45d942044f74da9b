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
use example::Message;
use front_matter::FrontMatter;
use markdown::{Block, CodeBlock, LineIndex, Paragraph, Table};
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

/// Parses one page. Never fails: problems become diagnostics.
pub fn parse_page(file: &str, text: &str) -> (Page, Vec<Diagnostic>) {
    let lines = LineIndex::new(text);
    let doc = markdown::parse(text, &lines);
    let mut builder = PageBuilder::new(file);
    if let Some((yaml, line)) = &doc.front_matter {
        builder.front_matter(yaml, *line);
    }
    for block in doc.blocks {
        builder.block(block);
    }
    builder.finish()
}

struct PageBuilder {
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
}

impl PageBuilder {
    fn new(file: &str) -> Self {
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
            Block::Paragraph(paragraph) => {
                self.check_links(paragraph.inline.links.iter().map(|l| l.target.as_str()), paragraph.line);
                if self.page.namespace.is_none()
                    && let Some(ns) = paragraph.inline.text.strip_prefix("Namespace:")
                {
                    self.page.namespace = ns.split_whitespace().next().map(str::to_string);
                    return;
                }
                self.current().paragraphs.push(paragraph);
            }
            Block::Table(table) => {
                self.body_pending = None;
                self.check_table(&table);
                self.current().tables.push(table);
            }
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

    /// Links are only ever resolved to names, never opened; one that climbs
    /// out of the docs root is still reported, since it cannot be right.
    fn check_links<'a>(&mut self, targets: impl Iterator<Item = &'a str>, line: u32) {
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
                if value.contains_key("blockType") {
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
        (self.page, self.diagnostics)
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

    #[test]
    fn unclosed_comment_is_reported() {
        let (_, diagnostics) = parse_page("a.md", "# T\n\n<!-- { \"blockType\": \"resource\"\n\nrest\n");
        assert!(diagnostics.iter().any(|d| d.code == Code::UnclosedComment));
    }
}
