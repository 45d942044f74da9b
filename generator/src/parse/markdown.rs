//! Markdown → a flat list of blocks (headings, paragraphs, tables, code
//! blocks, HTML comments), each with its line. The only module that talks to
//! pulldown-cmark; everything after it works on these plain blocks.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// Maps byte offsets to 1-based line and column numbers.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        // memchr's vectorised search: `str::match_indices` was 1.3% of a run.
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 1-based (line, column) of a byte offset; the column counts bytes.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line.saturating_sub(1)];
        (line as u32, (offset - start) as u32 + 1)
    }

    pub fn line(&self, offset: usize) -> u32 {
        self.line_col(offset).0
    }

    /// Byte offset of the start of a 1-based line.
    pub fn line_start(&self, line: u32) -> usize {
        self.starts.get((line as usize).saturating_sub(1)).copied().unwrap_or(0)
    }
}

/// A link as written: its text and its destination (reference links are
/// already resolved by the Markdown parser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub text: String,
    pub target: String,
    /// Byte offset of the link's text in the text of its inline container.
    pub at: usize,
}

/// Inline content flattened to text, with the links it contains.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inline {
    pub text: String,
    pub links: Vec<Link>,
    /// Include directives amid other text (a table cell, a sentence); they
    /// are not in `text`, which keeps what surrounds them.
    pub includes: Vec<InlineInclude>,
}

/// `[!INCLUDE [label](target)]`, DocFX's include directive: not a link, but
/// the place where the Markdown of `target` belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludeDirective {
    pub label: String,
    /// The target as written (the link destination).
    pub target: String,
    pub line: u32,
    /// The whole directive in the page.
    pub span: Range<usize>,
}

/// An include directive inside inline text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineInclude {
    /// Byte offset in the inline text where the included text belongs.
    pub at: usize,
    pub directive: IncludeDirective,
    /// Nothing else is on the directive's line: at the start or end of a
    /// paragraph, it stands for blocks of its own (as DocFX reads it).
    pub own_line: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub line: u32,
    /// `# [HTTP](#tab/http)`: a DocFX tab marker, not a real heading.
    pub is_tab: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub inline: Inline,
    pub line: u32,
    pub span: Range<usize>,
    /// Read from an included file (a shared note, say), not written on the page.
    pub included: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub inline: Inline,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub line: u32,
    /// The row's source line does not start with `|`: in the docs this is
    /// almost always the continuation of the previous row's last cell.
    pub is_continuation: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// The fence's info string, trimmed (`http`, `json`, or `http GET /x`).
    pub info: String,
    pub text: String,
    /// Line of the opening fence.
    pub line: u32,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlComment {
    /// The text between `<!--` and `-->`.
    pub body: String,
    pub closed: bool,
    pub line: u32,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(Heading),
    Paragraph(Paragraph),
    Table(Table),
    Code(CodeBlock),
    Comment(HtmlComment),
    /// A paragraph that is nothing but an include directive.
    Include(IncludeDirective),
}

impl Block {
    /// The block as part of the page that includes it: every line and span
    /// becomes the include directive's (`line`, `span`), since the included
    /// file's own lines mean nothing in the page, and paragraphs are marked.
    pub fn included_at(mut self, line: u32, span: &Range<usize>) -> Block {
        match &mut self {
            Block::Heading(heading) => heading.line = line,
            Block::Paragraph(paragraph) => {
                (paragraph.line, paragraph.span, paragraph.included) = (line, span.clone(), true);
                for include in &mut paragraph.inline.includes {
                    (include.directive.line, include.directive.span) = (line, span.clone());
                }
            }
            Block::Table(table) => {
                table.line = line;
                for row in &mut table.rows {
                    row.line = line;
                    for include in row.cells.iter_mut().flat_map(|c| &mut c.inline.includes) {
                        (include.directive.line, include.directive.span) = (line, span.clone());
                    }
                }
            }
            Block::Code(code) => (code.line, code.span) = (line, span.clone()),
            Block::Comment(comment) => (comment.line, comment.span) = (line, span.clone()),
            Block::Include(directive) => (directive.line, directive.span) = (line, span.clone()),
        }
        self
    }
}

/// The blocks of one page, plus its YAML front matter if present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub front_matter: Option<(String, u32)>,
    pub blocks: Vec<Block>,
}

/// What is being collected while walking the event stream.
enum Open {
    Nothing,
    Heading {
        level: u8,
        start: usize,
        inline: Inline,
    },
    Paragraph {
        start: usize,
        end: usize,
        inline: Inline,
    },
    Table {
        line: u32,
        header: Vec<String>,
        rows: Vec<Row>,
        row: Vec<Cell>,
        cell: Option<Inline>,
        row_start: usize,
        in_head: bool,
    },
    Code {
        info: String,
        text: String,
        span: Range<usize>,
    },
    Html {
        text: String,
        span: Range<usize>,
    },
}

pub fn parse(text: &str, lines: &LineIndex) -> Document {
    let text = &*delimiter_rows_without_tabs(text);
    let mut doc = Document::default();
    // Front matter is only ever the page's first block. pulldown-cmark's YAML
    // option takes a `---` line anywhere that a later `---` line closes,
    // and the docs close tab groups with a bare `---`: a page with two tab
    // groups would lose what lies between them, and its front matter.
    let body_start = match front_matter(text) {
        Some(FrontMatter { yaml, opening, body_start }) => {
            doc.front_matter = Some((yaml.to_string(), lines.line(opening)));
            body_start
        }
        None => 0,
    };
    let body = text.get(body_start..).unwrap_or_default();
    let mut open = Open::Nothing;
    // Links nest inside the open inline container; remember where each starts.
    let mut link_stack: Vec<(String, usize)> = Vec::new();
    // Inline HTML comments inside a paragraph (`text <!-- { … } -->`).
    let mut inline_html: Option<(String, Range<usize>)> = None;
    // A DocFX tab group (`# [C#](#tab/csharp)` …) is open: a `---` under its
    // last line closes it, which CommonMark would read as a heading.
    let mut in_tab_group = false;
    // An include directive just ended its link: its `]` (`Some(false)` until
    // seen) and the space after it are not text.
    let mut after_directive: Option<bool> = None;

    for (event, range) in Parser::new_ext(body, Options::ENABLE_TABLES).into_offset_iter() {
        let range = range.start + body_start..range.end + body_start;
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { .. } if in_tab_group && is_setext_rule(text, &range) => {
                    flush(&mut open, &mut doc, lines);
                    in_tab_group = false;
                    open = Open::Paragraph { start: range.start, end: range.end, inline: Inline::default() };
                }
                Tag::Heading { level, .. } => {
                    flush(&mut open, &mut doc, lines);
                    open = Open::Heading { level: level as u8, start: range.start, inline: Inline::default() };
                }
                Tag::Paragraph if !matches!(open, Open::Table { .. } | Open::Heading { .. }) => {
                    flush(&mut open, &mut doc, lines);
                    open = Open::Paragraph { start: range.start, end: range.end, inline: Inline::default() };
                }
                Tag::Item => {
                    flush(&mut open, &mut doc, lines);
                    open = Open::Paragraph { start: range.start, end: range.end, inline: Inline::default() };
                }
                Tag::Table(_) => {
                    flush(&mut open, &mut doc, lines);
                    open = Open::Table {
                        line: lines.line(range.start),
                        header: Vec::new(),
                        rows: Vec::new(),
                        row: Vec::new(),
                        cell: None,
                        row_start: range.start,
                        in_head: false,
                    };
                }
                Tag::TableHead => {
                    if let Open::Table { in_head, .. } = &mut open {
                        *in_head = true;
                    }
                }
                Tag::TableRow => {
                    if let Open::Table { row, row_start, .. } = &mut open {
                        row.clear();
                        *row_start = range.start;
                    }
                }
                Tag::TableCell => {
                    if let Open::Table { cell, .. } = &mut open {
                        *cell = Some(Inline::default());
                    }
                }
                Tag::CodeBlock(kind) => {
                    flush(&mut open, &mut doc, lines);
                    let info = match kind {
                        CodeBlockKind::Fenced(info) => info.trim().to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    open = Open::Code { info, text: String::new(), span: range.clone() };
                }
                Tag::HtmlBlock => {
                    flush(&mut open, &mut doc, lines);
                    open = Open::Html { text: String::new(), span: range.clone() };
                }
                Tag::Link { dest_url, .. } => {
                    let start = current_inline(&mut open).map(|inline| inline.text.len()).unwrap_or(0);
                    link_stack.push((dest_url.to_string(), start));
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::Item | TagEnd::CodeBlock | TagEnd::HtmlBlock => {
                    if let Open::Paragraph { end, .. } = &mut open {
                        *end = range.end;
                    }
                    if !matches!(open, Open::Table { .. }) {
                        flush(&mut open, &mut doc, lines);
                    }
                    if let (TagEnd::Heading(_), Some(Block::Heading(heading))) = (tag, doc.blocks.last()) {
                        in_tab_group = heading.is_tab;
                    }
                }
                TagEnd::Link => {
                    if let Some((target, start)) = link_stack.pop()
                        && let Some(inline) = current_inline(&mut open)
                    {
                        let written = inline.text.get(start..).unwrap_or_default();
                        let at = start + (written.len() - written.trim_start().len());
                        let link_text = written.trim().to_string();
                        match include_directive(text, &range) {
                            Some(span) => {
                                let directive =
                                    IncludeDirective { label: link_text, target, line: lines.line(span.start), span };
                                record_include(inline, text, start, directive);
                                after_directive = Some(false);
                            }
                            None => inline.links.push(Link { text: link_text, target, at }),
                        }
                    }
                }
                TagEnd::TableCell => {
                    if let Open::Table { row, cell, .. } = &mut open
                        && let Some(mut inline) = cell.take()
                    {
                        trim_inline(&mut inline);
                        row.push(Cell { inline });
                    }
                }
                TagEnd::TableHead => {
                    if let Open::Table { header, row, in_head, .. } = &mut open {
                        *header = row.drain(..).map(|c| c.inline.text).collect();
                        *in_head = false;
                    }
                }
                TagEnd::TableRow => {
                    if let Open::Table { rows, row, row_start, header, .. } = &mut open {
                        let line_start = lines.line_start(lines.line(*row_start));
                        let source_line = text.get(line_start..).unwrap_or_default();
                        let source_line = source_line.lines().next().unwrap_or_default();
                        let mut cells = std::mem::take(row);
                        keep_excess_cells(&mut cells, header.len(), source_line);
                        rows.push(Row {
                            cells,
                            line: lines.line(*row_start),
                            is_continuation: is_continuation(source_line, header.len()),
                        });
                    }
                }
                TagEnd::Table => flush(&mut open, &mut doc, lines),
                _ => {}
            },
            Event::Text(t) => match &mut open {
                Open::Code { text, .. } => text.push_str(&t),
                Open::Html { text, .. } => text.push_str(&t),
                _ => {
                    if let Some((html, span)) = &mut inline_html {
                        html.push_str(&t);
                        span.end = range.end;
                    } else if let Some(inline) = current_inline(&mut open) {
                        let t = match after_directive {
                            Some(_) => after_include(inline, &t, &mut after_directive),
                            None => &t,
                        };
                        inline.text.push_str(t);
                    }
                }
            },
            Event::Code(code) => {
                if let Some(inline) = current_inline(&mut open) {
                    inline.text.push('`');
                    inline.text.push_str(&code);
                    inline.text.push('`');
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((html, _)) = &mut inline_html {
                    html.push('\n');
                } else if let Some(inline) = current_inline(&mut open) {
                    inline.text.push(' ');
                }
            }
            Event::Html(html) => {
                if let Open::Html { text, span } = &mut open {
                    text.push_str(&html);
                    span.end = range.end;
                }
            }
            Event::Rule => in_tab_group = false,
            Event::InlineHtml(html) => {
                let started = inline_html.is_some();
                if !started && html.trim_start().starts_with("<!--") {
                    inline_html = Some((String::new(), range.clone()));
                }
                if let Some((buffer, span)) = &mut inline_html {
                    buffer.push_str(&html);
                    span.end = range.end;
                    if buffer.contains("-->") {
                        let (buffer, span) = inline_html.take().unwrap_or_default();
                        push_comment(&mut doc, &buffer, span, lines);
                    }
                }
            }
            _ => {}
        }
    }
    if let Some((buffer, span)) = inline_html.take() {
        push_comment(&mut doc, &buffer, span, lines);
    }
    flush(&mut open, &mut doc, lines);
    doc
}

/// A row whose source line neither starts with `|` nor has a cell for
/// every column: in the docs, the wrapped end of the previous row's last
/// cell. A row written without its leading `|` but with all its cells
/// (`toneInfo | [toneInfo](toneinfo.md) | Read-only. |`) is a row.
fn is_continuation(source_line: &str, columns: usize) -> bool {
    !source_line.trim_start().starts_with('|') && cell_count(source_line) < columns
}

/// How many cells [`split_row`] finds in a row, without building them:
/// this runs for every table row of every page.
fn cell_count(line: &str) -> usize {
    let line = line.trim();
    let line = line.strip_prefix('|').unwrap_or(line);
    let line = line.strip_suffix('|').unwrap_or(line);
    let mut count = 1;
    let mut escaped = false;
    for &b in line.as_bytes() {
        if b == b'|' && !escaped {
            count += 1;
        }
        escaped = b == b'\\' && !escaped;
    }
    count
}

/// The page with tabs in table delimiter rows (`|----\t|`) turned into
/// spaces, which GFM allows and pulldown-cmark does not: such a table
/// would be read as a paragraph. One byte for one, so offsets stay right.
fn delimiter_rows_without_tabs(text: &str) -> std::borrow::Cow<'_, str> {
    if memchr::memchr(b'\t', text.as_bytes()).is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut fixed = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let is_delimiter_row = line.contains('|')
            && line.contains('-')
            && line.contains('\t')
            && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t' | '\r' | '\n'));
        if is_delimiter_row {
            fixed.extend(line.chars().map(|c| if c == '\t' { ' ' } else { c }));
        } else {
            fixed.push_str(line);
        }
    }
    std::borrow::Cow::Owned(fixed)
}

/// The YAML front matter and where it lies.
struct FrontMatter<'a> {
    yaml: &'a str,
    /// The opening `---`.
    opening: usize,
    body_start: usize,
}

/// The front matter as pulldown-cmark's YAML option reads a metadata block,
/// but only as the page's first block: a `---` line, a first line that is
/// neither blank nor the end, and everything up to a `---` or `...` line.
#[inline(never)]
fn front_matter(text: &str) -> Option<FrontMatter<'_>> {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').map(|line| {
        let start = offset;
        offset += line.len();
        (start, line)
    });
    let (opening, _) = lines.find(|(_, line)| !line.trim().is_empty()).filter(|(_, line)| {
        line.strip_prefix("---").is_some_and(|rest| rest.chars().all(|c| c.is_ascii_whitespace()))
    })?;
    let is_closing = |line: &str| {
        let rest = line.strip_prefix("---").or_else(|| line.strip_prefix("..."));
        rest.is_some_and(|rest| rest.trim_start_matches(' ').trim_end_matches(['\r', '\n']).is_empty())
    };
    let (first, first_line) = lines.next()?;
    if first_line.trim().is_empty() || is_closing(first_line) {
        return None;
    }
    let (closing, closing_line) = lines.find(|(_, line)| is_closing(line))?;
    Some(FrontMatter { yaml: &text[first..closing], opening, body_start: closing + closing_line.len() })
}

/// A setext heading underlined with dashes (`Text` then `---`): in a tab
/// group the dashes close the group, and the text above is no heading.
#[cold]
fn is_setext_rule(text: &str, heading: &Range<usize>) -> bool {
    let source = text.get(heading.clone()).unwrap_or_default();
    let underline = source.trim_end().lines().last().unwrap_or_default().trim();
    !source.trim_start().starts_with('#') && !underline.is_empty() && underline.chars().all(|c| c == '-')
}

/// The span of the include directive (`[!INCLUDE [label](target)]`, any
/// case, spaces allowed around the link) whose link is `link`, if it is one.
fn include_directive(text: &str, link: &Range<usize>) -> Option<Range<usize>> {
    const OPENING: &str = "[!include";
    let before = text.get(..link.start)?.trim_end_matches([' ', '\t']);
    let start = before.len().checked_sub(OPENING.len())?;
    if !before.get(start..)?.eq_ignore_ascii_case(OPENING) {
        return None;
    }
    let after = text.get(link.end..)?.trim_start_matches([' ', '\t']).strip_prefix(']')?;
    Some(start..text.len() - after.len())
}

/// Keeps `directive` (whose link text starts at `start` in `inline`) as an
/// include of `inline`, and drops `[!INCLUDE label` from its text. Rare, so
/// kept out of the event loop.
#[cold]
fn record_include(inline: &mut Inline, text: &str, start: usize, directive: IncludeDirective) {
    let cut = inline.text.get(..start).and_then(|t| t.rfind("[!")).unwrap_or(start);
    inline.text.truncate(cut);
    let span = &directive.span;
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[span.end..].find('\n').map_or(text.len(), |i| span.end + i);
    let own_line = text[line_start..span.start].trim().is_empty() && text[span.end..line_end].trim().is_empty();
    inline.includes.push(InlineInclude { at: cut, directive, own_line });
}

/// The part of `t`, text right after an include directive's link, that is
/// text: not the directive's `]` (`state` is `Some(false)` until it is
/// seen), nor the space after it when the text before has one.
#[cold]
fn after_include<'t>(inline: &Inline, mut t: &'t str, state: &mut Option<bool>) -> &'t str {
    if *state == Some(false) {
        t = t.trim_start();
        match t.strip_prefix(']') {
            Some(rest) => (t, *state) = (rest, Some(true)),
            None if t.is_empty() => {}
            None => *state = None,
        }
    }
    if *state == Some(true) {
        if inline.text.is_empty() || inline.text.ends_with(char::is_whitespace) {
            t = t.trim_start();
        }
        if !t.is_empty() {
            *state = None;
        }
    }
    t
}

/// Trims the inline text, keeping the include and link offsets pointing where they did.
fn trim_inline(inline: &mut Inline) {
    let leading = inline.text.len() - inline.text.trim_start().len();
    inline.text = inline.text.trim().to_string();
    for include in &mut inline.includes {
        include.at = include.at.saturating_sub(leading).min(inline.text.len());
    }
    for link in &mut inline.links {
        link.at = link.at.saturating_sub(leading).min(inline.text.len());
    }
}

/// GFM drops the cells of a row beyond the header's count; in the docs they
/// come from an unescaped `|` in a description (`(*.cfg | *.xml)`), so their
/// source text is put back at the end of the last cell.
fn keep_excess_cells(cells: &mut [Cell], columns: usize, source_line: &str) {
    if columns == 0 || cells.len() != columns || cell_count(source_line) <= columns {
        return;
    }
    let raw = split_row(source_line);
    if raw.len() <= columns {
        return;
    }
    let extra = raw[columns..].join(" | ");
    if let Some(last) = cells.last_mut() {
        last.inline.text = format!("{} | {}", last.inline.text, extra.trim()).trim().to_string();
    }
}

/// A table row's cells as written, split where GFM splits them: on every `|`
/// that is not escaped as `\|` (code spans included, as GFM does).
fn split_row(line: &str) -> Vec<String> {
    let line = line.trim();
    let line = line.strip_prefix('|').unwrap_or(line);
    let line = line.strip_suffix('|').unwrap_or(line);
    let mut cells = vec![String::new()];
    let mut escaped = false;
    for c in line.chars() {
        if c == '|' && !escaped {
            cells.push(String::new());
        } else if let Some(cell) = cells.last_mut() {
            cell.push(c);
        }
        escaped = c == '\\' && !escaped;
    }
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

fn current_inline(open: &mut Open) -> Option<&mut Inline> {
    match open {
        Open::Heading { inline, .. } | Open::Paragraph { inline, .. } => Some(inline),
        Open::Table { cell: Some(inline), .. } => Some(inline),
        _ => None,
    }
}

/// Closes whatever is open and appends it to the document.
fn flush(open: &mut Open, doc: &mut Document, lines: &LineIndex) {
    match std::mem::replace(open, Open::Nothing) {
        Open::Nothing => {}
        Open::Heading { level, start, inline } => {
            let text = inline.text.trim().to_string();
            let is_tab =
                inline.links.len() == 1 && inline.links[0].target.starts_with("#tab/") && inline.links[0].text == text;
            doc.blocks.push(Block::Heading(Heading { level, text, line: lines.line(start), is_tab }));
        }
        Open::Paragraph { start, end, mut inline } => {
            trim_inline(&mut inline);
            // Directives on lines of their own before or after the text stand
            // for their files' blocks, and so do those of a paragraph of nothing else.
            let leading = inline.includes.iter().take_while(|i| i.at == 0 && i.own_line).count();
            let before: Vec<InlineInclude> = inline.includes.drain(..leading).collect();
            let length = inline.text.len();
            let trailing = inline.includes.iter().rev().take_while(|i| i.at == length && i.own_line).count();
            let after = inline.includes.split_off(inline.includes.len() - trailing);
            doc.blocks.extend(before.into_iter().map(|i| Block::Include(i.directive)));
            if inline.text.is_empty() {
                doc.blocks.extend(inline.includes.into_iter().map(|i| Block::Include(i.directive)));
            } else {
                let paragraph = Paragraph { inline, line: lines.line(start), span: start..end, included: false };
                doc.blocks.push(Block::Paragraph(paragraph));
            }
            doc.blocks.extend(after.into_iter().map(|i| Block::Include(i.directive)));
        }
        Open::Table { line, header, rows, .. } => doc.blocks.push(Block::Table(Table { header, rows, line })),
        Open::Code { info, text, span } => {
            doc.blocks.push(Block::Code(CodeBlock { info, text, line: lines.line(span.start), span }))
        }
        Open::Html { text, span } => push_comment(doc, &text, span, lines),
    }
}

/// Keeps HTML comments (annotations live in them); other HTML is dropped.
fn push_comment(doc: &mut Document, html: &str, span: Range<usize>, lines: &LineIndex) {
    let trimmed = html.trim_start();
    let Some(rest) = trimmed.strip_prefix("<!--") else {
        return;
    };
    let (body, closed) = match rest.rfind("-->") {
        Some(end) => (&rest[..end], true),
        None => (rest, false),
    };
    doc.blocks.push(Block::Comment(HtmlComment { body: body.to_string(), closed, line: lines.line(span.start), span }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &str) -> Vec<Block> {
        parse(text, &LineIndex::new(text)).blocks
    }

    #[test]
    fn line_index_maps_offsets_to_lines_and_columns() {
        let index = LineIndex::new("ab\ncd\n");
        assert_eq!(index.line_col(0), (1, 1));
        assert_eq!(index.line_col(4), (2, 2));
        assert_eq!(index.line_start(2), 3);
    }

    #[test]
    fn front_matter_is_not_a_heading() {
        let doc = parse("---\ntitle: x\n---\n\n# Title\n", &LineIndex::new("---\ntitle: x\n---\n\n# Title\n"));
        assert_eq!(doc.front_matter, Some(("title: x\n".to_string(), 1)));
        assert!(matches!(&doc.blocks[..], [Block::Heading(h)] if h.text == "Title" && h.line == 5));
    }

    #[test]
    fn tab_headings_are_marked() {
        let found = blocks("# [HTTP](#tab/http)\n\n# Real\n");
        assert!(matches!(&found[0], Block::Heading(h) if h.is_tab));
        assert!(matches!(&found[1], Block::Heading(h) if !h.is_tab));
    }

    #[test]
    fn multi_line_annotation_is_one_comment() {
        let found = blocks("text\n<!-- {\n  \"blockType\": \"request\"\n}\n-->\n```http\nGET /me\n```\n");
        let comment = found.iter().find_map(|b| match b {
            Block::Comment(c) => Some(c),
            _ => None,
        });
        let comment = comment.expect("a comment block");
        assert!(comment.closed);
        assert!(comment.body.contains("\"blockType\": \"request\""));
        assert!(
            matches!(found.last(), Some(Block::Code(c)) if c.info == "http" && c.text == "GET /me\n" && c.line == 6)
        );
    }

    #[test]
    fn table_cells_keep_text_and_links() {
        let found = blocks("|Property|Type|\n|:--|:--|\n|owner|[identitySet](identityset.md) collection|\n");
        let Block::Table(table) = &found[0] else { panic!("expected a table") };
        assert_eq!(table.header, vec!["Property", "Type"]);
        let cell = &table.rows[0].cells[1].inline;
        assert_eq!(cell.text, "identitySet collection");
        assert_eq!(cell.links, vec![Link { text: "identitySet".into(), target: "identityset.md".into(), at: 0 }]);
        assert_eq!(table.rows[0].line, 3);
    }

    #[test]
    fn unescaped_pipe_in_a_cell_keeps_the_text_after_it() {
        let found = blocks("|a|b|\n|--|--|\n|x|file (*.cfg | *.xml).|\n|y|c \\| d|\n");
        let Block::Table(table) = &found[0] else { panic!("expected a table") };
        assert_eq!(table.rows[0].cells[1].inline.text, "file (*.cfg | *.xml).");
        assert_eq!(table.rows[1].cells[1].inline.text, "c | d");
    }

    #[test]
    fn front_matter_is_only_ever_the_first_block() {
        // Two tab groups closed by `---`: pulldown-cmark's YAML option would
        // read what lies between the rules as a second front matter.
        let text = "---\ntitle: x\n---\n# T\n\n# [C#](#tab/csharp)\nsnippet\n\n---\n#### Response\nbody\n\n---\nend\n";
        let doc = parse(text, &LineIndex::new(text));
        assert_eq!(doc.front_matter, Some(("title: x\n".to_string(), 1)));
        let headings: Vec<&str> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some(h.text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(headings, ["T", "C#", "Response"]);
        assert!(matches!(doc.blocks.last(), Some(Block::Paragraph(p)) if p.inline.text == "end" && p.line == 14));
    }

    #[test]
    fn a_dash_line_closing_a_tab_group_is_not_a_heading() {
        let found = blocks("# [C#](#tab/csharp)\n[!INCLUDE [sample-code](x.md)]\n---\n\n#### Response\n");
        assert!(matches!(&found[0], Block::Heading(h) if h.is_tab));
        assert!(matches!(&found[1], Block::Include(d) if d.target == "x.md" && d.line == 2));
        assert!(matches!(&found[2], Block::Heading(h) if h.text == "Response" && h.level == 4));
        // Outside a tab group the same lines are a heading, as CommonMark says.
        assert!(matches!(&blocks("Title\n---\n")[0], Block::Heading(h) if h.text == "Title" && h.level == 2));
    }

    #[test]
    fn include_directives_are_not_links() {
        let text = "Intro.\n\n[!INCLUDE [permissions-table](../includes/permissions/a.md)]\n";
        let found = blocks(text);
        let Block::Include(directive) = &found[1] else { panic!("expected an include, got {found:?}") };
        assert_eq!(
            (directive.label.as_str(), directive.target.as_str()),
            ("permissions-table", "../includes/permissions/a.md")
        );
        assert_eq!((directive.line, &text[directive.span.clone()]), (3, text[8..].trim_end()));
        assert!(matches!(&blocks("[!include[a](a.md)]\n")[0], Block::Include(d) if d.target == "a.md"));
    }

    #[test]
    fn an_include_amid_text_keeps_its_place_and_the_text_around_it() {
        let found = blocks("|a|b|\n|--|--|\n|id|Unique. [!INCLUDE [note](../includes/note.md)] Read-only.|\n");
        let Block::Table(table) = &found[0] else { panic!("expected a table") };
        let cell = &table.rows[0].cells[1].inline;
        assert_eq!(cell.text, "Unique. Read-only.");
        assert!(cell.links.is_empty());
        assert_eq!((cell.includes[0].at, cell.includes[0].directive.target.as_str()), (8, "../includes/note.md"));
    }

    #[test]
    fn a_directive_on_its_own_line_before_text_stands_apart_from_it() {
        let found = blocks("[!INCLUDE [note](note.md)]\nThe description, [with a link](a.md).\n");
        assert!(matches!(&found[0], Block::Include(d) if d.target == "note.md"));
        let Block::Paragraph(paragraph) = &found[1] else { panic!("expected a paragraph") };
        assert_eq!(paragraph.inline.text, "The description, with a link.");
        assert!(paragraph.inline.includes.is_empty());
    }

    #[test]
    fn row_without_leading_pipe_is_a_continuation() {
        let found = blocks("|a|b|\n|--|--|\n|x|first half\nsecond half|\n");
        let Block::Table(table) = &found[0] else { panic!("expected a table") };
        assert!(!table.rows[0].is_continuation);
        assert!(table.rows[1].is_continuation);
    }

    #[test]
    fn cells_are_counted_as_they_are_split() {
        for line in ["|a|b|", "a | b | c |", "| x \\| y | z |", "|", "", "| é | ü |", "|a\\\\|b|"] {
            assert_eq!(cell_count(line), split_row(line).len(), "{line:?}");
        }
    }

    #[test]
    fn row_without_leading_pipe_but_every_cell_is_a_row() {
        let found = blocks("|a|b|c|\n|--|--|--|\n|x|y|z|\nw | [v](v.md) | u |\n**Group** |||\n");
        let Block::Table(table) = &found[0] else { panic!("expected a table") };
        assert_eq!(table.rows.iter().map(|r| r.is_continuation).collect::<Vec<_>>(), [false, false, false]);
        assert_eq!(table.rows[1].cells[0].inline.text, "w");
    }

    #[test]
    fn a_delimiter_row_with_tabs_still_makes_a_table() {
        let text = "| Property | Type\t| Description |\n| ----- |-----\t \t| ----|\n| id\t| String\t| The key. |\n";
        let found = blocks(text);
        let Block::Table(table) = &found[0] else { panic!("expected a table, got {found:?}") };
        assert_eq!(table.rows[0].cells[1].inline.text, "String");
        assert_eq!(table.rows[0].line, 3);
    }

    #[test]
    fn links_know_where_their_text_starts() {
        let found = blocks("Inherits from [a](a.md) and [b](b.md).\n");
        let Block::Paragraph(paragraph) = &found[0] else { panic!("expected a paragraph") };
        let starts: Vec<usize> = paragraph.inline.links.iter().map(|l| l.at).collect();
        assert_eq!(starts, [14, 20]);
    }
}
