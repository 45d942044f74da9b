//! No input makes the generator panic or hang.
//!
//! A property test over real pages (`GRAPH_DOCS`, default
//! `../shared/graph-docs`), mutated: truncated, bytes overwritten or
//! inserted (invalid UTF-8 included, decoded the way `source` decodes a
//! file), pieces of other pages spliced in, lines repeated into huge
//! tables, Markdown-significant tokens sprinkled in, deep and unbalanced
//! JSON, tables thousands of columns wide. Every mutated page goes through
//! the whole pipeline (`docgen::generate`: parse, lower, resolve, emit) and
//! through `docgen lint`'s rendering. Then fixed extremes: a 10 MB page, a
//! 10 MB line, a table with 10,000 columns and one with 100,000 rows, JSON
//! nested 100,000 deep, a megabyte of random bytes.
//!
//! In the suite (a debug build) the property test runs a few dozen seeded
//! cases and the extremes are a tenth of those sizes, so the file takes
//! seconds. For a long run at full size:
//!
//! ```sh
//! DOCGEN_FUZZ_LONG=1 DOCGEN_FUZZ_CASES=20000 DOCGEN_FUZZ_SEED=$RANDOM cargo test --release -p docgen-tests --test fuzz -- --nocapture
//! ```

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use docgen::render::{Pages, Style};
use docgen::source::{SourceFile, decode, read_docs};
use docgen_tests::{emit_options, root};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

/// The real pages, read once; `None` (and a note) when the corpus is absent.
fn corpus() -> Option<&'static [SourceFile]> {
    static CORPUS: OnceLock<Option<Vec<SourceFile>>> = OnceLock::new();
    CORPUS
        .get_or_init(|| {
            let docs = std::env::var_os("GRAPH_DOCS")
                .map(PathBuf::from)
                .unwrap_or_else(|| root().join("../shared/graph-docs"));
            let mut pages = Vec::new();
            for version in ["v1.0", "beta"] {
                match read_docs(&docs.join(version)) {
                    Ok(found) => pages.extend(found),
                    Err(_) => {
                        println!("fuzz SKIPPED: no docs at {} (set GRAPH_DOCS)", docs.display());
                        return None;
                    }
                }
            }
            Some(pages)
        })
        .as_deref()
}

/// One change to a page's bytes. Positions are fractions of the length, so
/// a recipe means something on any page and shrinks towards the start.
#[derive(Debug, Clone)]
enum Mutation {
    Truncate {
        at: f64,
    },
    Overwrite {
        at: f64,
        bytes: Vec<u8>,
    },
    Insert {
        at: f64,
        bytes: Vec<u8>,
    },
    Delete {
        at: f64,
        len: usize,
    },
    /// A piece of another page, pasted in.
    Splice {
        other: usize,
        from: f64,
        len: usize,
        at: f64,
    },
    /// Some lines repeated many times: a table row becomes a huge table.
    RepeatLines {
        at: f64,
        lines: usize,
        times: usize,
    },
    /// Tokens that mean something to Markdown, the request-line parser or JSON.
    Tokens {
        at: f64,
        tokens: Vec<usize>,
    },
    /// A table `columns` wide and `rows` long under a Properties heading.
    WideTable {
        columns: usize,
        rows: usize,
    },
    /// An example body nested `depth` deep, maybe never closed.
    DeepJson {
        depth: usize,
        object: bool,
        closed: bool,
    },
}

const TOKENS: &[&str] = &[
    "|",
    "||",
    "\n",
    "\r\n",
    "\t",
    "```",
    "```http\n",
    "```json\n",
    "~~~",
    "<!--",
    "-->",
    "<!-- { \"blockType\": \"request\" } -->\n",
    "<!-- { \"blockType\": \"response\", \"@odata.type\": \"microsoft.graph.user\" } -->\n",
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "...",
    "…",
    "//",
    "/*",
    "# ",
    "## HTTP request\n",
    "## Properties\n",
    "## Response\n",
    "## Request body\n",
    "## Example\n",
    "---\n",
    "GET /",
    "PATCH /",
    "DELETE /x/{id}",
    "POST /a/{b/c",
    "{id}",
    "{",
    "(",
    ")",
    "('",
    "=",
    "$value",
    "$ref",
    "/.../",
    ":/{path}:",
    "HTTP/1.1 200 OK\n",
    "HTTP/1.1 204 No Content\n",
    "Content-Type: application/json\n",
    "[x](../resources/x.md)",
    "[y](../../../../etc/passwd.md)",
    "**TODO: x**",
    "Inherits from [entity](entity.md).",
    "\u{0}",
    "\u{feff}",
    "\u{200b}",
    "é",
    "𝔘",
    "\u{1b}[31m",
    "type",
    "self",
    "Self",
    "crate",
    "super",
    "r#",
    "1abc",
    "_",
    "__",
    "additional_properties",
    "@odata.type",
    "Collection(",
    "Edm.String",
    "String collection",
    "\\",
    "\\u0000",
    "null",
    "true",
    "-1e999",
    "99999999999999999999999",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0..1.0f64;
    prop_oneof![
        at.clone().prop_map(|at| Mutation::Truncate { at }),
        (at.clone(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Overwrite { at, bytes }),
        (at.clone(), prop::collection::vec(any::<u8>(), 1..64)).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (at.clone(), 1..4096usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), at.clone(), 1..4096usize, at.clone()).prop_map(|(other, from, len, at)| Mutation::Splice {
            other,
            from,
            len,
            at
        }),
        (at.clone(), 1..4usize, 1..2000usize).prop_map(|(at, lines, times)| Mutation::RepeatLines { at, lines, times }),
        (at.clone(), prop::collection::vec(0..TOKENS.len(), 1..24))
            .prop_map(|(at, tokens)| Mutation::Tokens { at, tokens }),
        (1..3000usize, 0..50usize).prop_map(|(columns, rows)| Mutation::WideTable { columns, rows }),
        (1..5000usize, any::<bool>(), any::<bool>()).prop_map(|(depth, object, closed)| Mutation::DeepJson {
            depth,
            object,
            closed
        }),
    ]
}

fn position(bytes: &[u8], at: f64) -> usize {
    ((bytes.len() as f64 * at) as usize).min(bytes.len())
}

fn apply(mut bytes: Vec<u8>, mutation: &Mutation, corpus: &[SourceFile]) -> Vec<u8> {
    match mutation {
        Mutation::Truncate { at } => bytes.truncate(position(&bytes, *at)),
        Mutation::Overwrite { at, bytes: new } => {
            let start = position(&bytes, *at);
            for (i, b) in new.iter().enumerate() {
                if let Some(slot) = bytes.get_mut(start + i) {
                    *slot = *b;
                }
            }
        }
        Mutation::Insert { at, bytes: new } => {
            let start = position(&bytes, *at);
            bytes.splice(start..start, new.iter().copied());
        }
        Mutation::Delete { at, len } => {
            let start = position(&bytes, *at);
            let end = (start + len).min(bytes.len());
            bytes.drain(start..end);
        }
        Mutation::Splice { other, from, len, at } => {
            let other = corpus[other % corpus.len()].text.as_bytes();
            let from = position(other, *from);
            let piece = &other[from..(from + len).min(other.len())];
            let start = position(&bytes, *at);
            bytes.splice(start..start, piece.iter().copied());
        }
        Mutation::RepeatLines { at, lines, times } => {
            let start = position(&bytes, *at);
            let start = bytes[..start].iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let mut end = start;
            for _ in 0..*lines {
                end = bytes[end..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| end + i + 1);
            }
            let piece = bytes[start..end].to_vec();
            let repeated: Vec<u8> = piece.iter().copied().cycle().take(piece.len() * times).collect();
            bytes.splice(end..end, repeated);
        }
        Mutation::Tokens { at, tokens } => {
            let start = position(&bytes, *at);
            let text: String = tokens.iter().map(|t| TOKENS[*t]).collect();
            bytes.splice(start..start, text.into_bytes());
        }
        Mutation::WideTable { columns, rows } => bytes.extend(wide_table(*columns, *rows).into_bytes()),
        Mutation::DeepJson { depth, object, closed } => {
            bytes.extend(deep_json_example(*depth, *object, *closed).into_bytes())
        }
    }
    bytes
}

fn wide_table(columns: usize, rows: usize) -> String {
    let mut table = String::from("\n## Properties\n");
    for row in 0..rows + 2 {
        table.push('|');
        for column in 0..columns {
            match (row, column) {
                (0, 0) => table.push_str("Property"),
                (0, 1) => table.push_str("Type"),
                (0, _) => table.push_str(&format!("c{column}")),
                (1, _) => table.push_str(":---"),
                (_, 0) => table.push_str(&format!("p{row}")),
                (_, 1) => table.push_str("String"),
                _ => table.push_str(&format!("v{column}")),
            }
            table.push('|');
        }
        table.push('\n');
    }
    table
}

fn deep_json_example(depth: usize, object: bool, closed: bool) -> String {
    let (open, close) = if object { ("{\"a\":", "}") } else { ("[", "]") };
    let mut body = open.repeat(depth);
    body.push('1');
    if closed {
        body.push_str(&close.repeat(depth));
    }
    format!(
        "\n## Example\n<!-- {{ \"blockType\": \"request\", \"name\": \"deep\" }} -->\n```http\nPOST https://graph.microsoft.com/v1.0/me/things\nContent-type: application/json\n\n{body}\n```\n\n<!-- {body} -->\n```http\nHTTP/1.1 200 OK\nContent-type: application/json\n\n{body}\n```\n"
    )
}

/// The whole pipeline on `pages`, then every diagnostic rendered both ways.
fn run_pipeline(pages: &[SourceFile]) -> Result<(), String> {
    let generated = docgen::generate(pages, &emit_options("fuzz")).map_err(|e| format!("emit failed: {e}"))?;
    let diagnostics = docgen::lint::lint(pages, &());
    let rendered = Pages::new(pages);
    for diagnostic in &diagnostics {
        let text = docgen::render::render(diagnostic, &rendered, Style::Plain);
        if text.contains('\u{1b}') {
            return Err(format!("an escape sequence reached the rendering: {text}"));
        }
        serde_json::from_str::<serde_json::Value>(&docgen::render::json(diagnostic)).map_err(|e| e.to_string())?;
    }
    std::hint::black_box(generated.files.len());
    Ok(())
}

/// Full-size extremes in a release build or when asked; a tenth in the debug suite.
fn size(full: usize) -> usize {
    if std::env::var_os("DOCGEN_FUZZ_LONG").is_some() || !cfg!(debug_assertions) { full } else { full / 10 }
}

fn cases() -> u32 {
    std::env::var("DOCGEN_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48)
}

fn seed() -> u64 {
    std::env::var("DOCGEN_FUZZ_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(0x00d0_c9e7)
}

#[test]
fn mutated_real_pages_never_panic() {
    let Some(corpus) = corpus() else { return };
    let config = Config {
        cases: cases(),
        rng_seed: RngSeed::Fixed(seed()),
        failure_persistence: None,
        // Shrinking re-runs the pipeline; cap it so a failure is reported in minutes.
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let strategy = (any::<usize>(), prop::collection::vec(mutation(), 1..4), any::<usize>());
    let started = Instant::now();
    let stats = Mutex::new((0usize, 0usize, Duration::ZERO, 0usize));
    let result = runner.run(&strategy, |(page, mutations, neighbour)| {
        let original = &corpus[page % corpus.len()];
        let mut bytes = original.text.clone().into_bytes();
        for mutation in &mutations {
            bytes = apply(bytes, mutation, corpus);
        }
        let size = bytes.len();
        let (text, lossy) = decode(bytes);
        let mutated = SourceFile { lossy, ..SourceFile::new(original.path.clone(), text) };
        // A real page beside it, so links and types have something to resolve to.
        let neighbour = corpus[neighbour % corpus.len()].clone();
        let mut pages = vec![mutated];
        if neighbour.path != original.path {
            pages.push(neighbour);
        }
        pages.sort_by(|a, b| a.path.cmp(&b.path));
        let case_started = Instant::now();
        let outcome = run_pipeline(&pages);
        let took = case_started.elapsed();
        let mut stats = stats.lock().unwrap_or_else(|e| e.into_inner());
        stats.0 += 1;
        stats.1 += size;
        if stats.0.is_multiple_of(1000) {
            eprintln!("fuzz: {} inputs after {:.0?}", stats.0, started.elapsed());
        }
        if took > stats.2 {
            (stats.2, stats.3) = (took, size);
        }
        outcome.map_err(|e| TestCaseError::fail(format!("{}: {e}", original.path)))
    });
    let (inputs, bytes, slowest, slowest_size) = *stats.lock().unwrap_or_else(|e| e.into_inner());
    println!(
        "fuzz: {inputs} inputs ({} MB) in {:.1?}, seed {:#x}; slowest {slowest:.1?} on {slowest_size} bytes",
        bytes / 1_000_000,
        started.elapsed(),
        seed()
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// A page that is not a page: `size` bytes of one real page, repeated.
fn repeated_page(size: usize) -> Option<SourceFile> {
    let corpus = corpus()?;
    let user = corpus.iter().find(|p| p.path == "resources/user.md")?;
    let text: String = user.text.chars().cycle().take(size).collect();
    Some(SourceFile::new("resources/user.md", text))
}

#[test]
fn a_ten_megabyte_page() {
    let Some(page) = repeated_page(size(10_000_000)) else { return };
    run_pipeline(&[page]).expect("the pipeline runs");
}

#[test]
fn a_ten_megabyte_line() {
    let head = "---\ndoc_type: apiPageType\n---\n# t\n\n## HTTP request\n```http\n";
    let lines = [
        // A path millions of segments deep, one millions of characters long, and prose.
        format!("GET /{}\n", "a/".repeat(size(5_000_000))),
        format!("GET /me/{}\n", "a".repeat(size(10_000_000))),
        format!("```\n\n{}\n", "word ".repeat(size(2_000_000))),
    ];
    for line in lines {
        let page = SourceFile::new("api/long.md", format!("{head}{line}```\n"));
        run_pipeline(&[page]).expect("the pipeline runs");
    }
}

#[test]
fn a_table_with_ten_thousand_columns() {
    let text = format!("---\ndoc_type: resourcePageType\n---\n# wide resource type\n{}", wide_table(size(10_000), 3));
    let page = SourceFile::new("resources/wide.md", text);
    run_pipeline(&[page]).expect("the pipeline runs");
}

#[test]
fn a_table_with_a_hundred_thousand_rows() {
    let text = format!("---\ndoc_type: resourcePageType\n---\n# long resource type\n{}", wide_table(3, size(100_000)));
    let page = SourceFile::new("resources/long.md", text);
    run_pipeline(&[page]).expect("the pipeline runs");
}

#[test]
fn json_nested_a_hundred_thousand_deep() {
    for (object, closed) in [(false, true), (true, true), (false, false), (true, false)] {
        let text = format!(
            "---\ndoc_type: apiPageType\n---\n# Create thing\n\n## HTTP request\n```http\nPOST /me/things\n```\n{}",
            deep_json_example(size(100_000), object, closed)
        );
        let page = SourceFile::new("api/deep.md", text);
        run_pipeline(&[page]).expect("the pipeline runs");
    }
}

#[test]
fn random_bytes_are_a_page_too() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..size(1_000_000))
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let (text, lossy) = decode(bytes);
    assert!(lossy);
    let page = SourceFile { lossy, ..SourceFile::new("api/noise.md", text) };
    run_pipeline(&[page]).expect("the pipeline runs");
}
