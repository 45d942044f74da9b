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
    FrontMatter {
        text: String,
        start: usize,
    },
}

pub fn parse(text: &str, lines: &LineIndex) -> Document {
    let text = &*delimiter_rows_without_tabs(text);
    let options = Options::ENABLE_TABLES | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut doc = Document::default();
    let mut open = Open::Nothing;
    // Links nest inside the open inline container; remember where each starts.
    let mut link_stack: Vec<(String, usize)> = Vec::new();
    // Inline HTML comments inside a paragraph (`text <!-- { … } -->`).
    let mut inline_html: Option<(String, Range<usize>)> = None;

    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Start(tag) => match tag {
                Tag::MetadataBlock(_) => open = Open::FrontMatter { text: String::new(), start: range.start },
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
                TagEnd::MetadataBlock(_) => {
                    if let Open::FrontMatter { text, start } = std::mem::replace(&mut open, Open::Nothing) {
                        doc.front_matter = Some((text, lines.line(start)));
                    }
                }
                TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::Item | TagEnd::CodeBlock | TagEnd::HtmlBlock => {
                    if let Open::Paragraph { end, .. } = &mut open {
                        *end = range.end;
                    }
                    if !matches!(open, Open::Table { .. }) {
                        flush(&mut open, &mut doc, lines);
                    }
                }
                TagEnd::Link => {
                    if let Some((target, start)) = link_stack.pop()
                        && let Some(inline) = current_inline(&mut open)
                    {
                        let written = inline.text.get(start..).unwrap_or_default();
                        let at = start + (written.len() - written.trim_start().len());
                        inline.links.push(Link { text: written.trim().to_string(), target, at });
                    }
                }
                TagEnd::TableCell => {
                    if let Open::Table { row, cell, .. } = &mut open
                        && let Some(mut inline) = cell.take()
                    {
                        inline.text = inline.text.trim().to_string();
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
                Open::Code { text, .. } | Open::FrontMatter { text, .. } => text.push_str(&t),
                Open::Html { text, .. } => text.push_str(&t),
                _ => {
                    if let Some((html, span)) = &mut inline_html {
                        html.push_str(&t);
                        span.end = range.end;
                    } else if let Some(inline) = current_inline(&mut open) {
                        inline.text.push_str(&t);
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
    !source_line.trim_start().starts_with('|') && split_row(source_line).len() < columns
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

/// GFM drops the cells of a row beyond the header's count; in the docs they
/// come from an unescaped `|` in a description (`(*.cfg | *.xml)`), so their
/// source text is put back at the end of the last cell.
fn keep_excess_cells(cells: &mut [Cell], columns: usize, source_line: &str) {
    if columns == 0 || cells.len() != columns {
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
        Open::Nothing | Open::FrontMatter { .. } => {}
        Open::Heading { level, start, inline } => {
            let text = inline.text.trim().to_string();
            let is_tab =
                inline.links.len() == 1 && inline.links[0].target.starts_with("#tab/") && inline.links[0].text == text;
            doc.blocks.push(Block::Heading(Heading { level, text, line: lines.line(start), is_tab }));
        }
        Open::Paragraph { start, end, mut inline } => {
            inline.text = inline.text.trim().to_string();
            if !inline.text.is_empty() {
                doc.blocks.push(Block::Paragraph(Paragraph { inline, line: lines.line(start), span: start..end }));
            }
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
    fn row_without_leading_pipe_is_a_continuation() {
        let found = blocks("|a|b|\n|--|--|\n|x|first half\nsecond half|\n");
        let Block::Table(table) = &found[0] else { panic!("expected a table") };
        assert!(!table.rows[0].is_continuation);
        assert!(table.rows[1].is_continuation);
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
