//! The `docgen` command line: `gen`, `ir`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use docgen::diagnostics::{Diagnostic, Severity};
use docgen::emit::EmitOptions;
use docgen::source::read_docs;

/// The pipeline allocates many small strings on every thread, where glibc's
/// malloc took a quarter of the run time; mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes: 0 ok, 1 drift or diagnostics at deny level, 2 usage or I/O error.
const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(name = "docgen", version, about = "Generates a typed Rust SDK from Microsoft Graph API reference pages")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a crate from a docs folder (or check that one is up to date).
    Gen {
        #[command(flatten)]
        crate_options: CrateOptions,
        /// The crate folder to write.
        #[arg(long)]
        out: PathBuf,
        /// Do not write: fail with a diff if `--out` differs from what would be generated.
        #[arg(long)]
        check: bool,
        /// Fail when the docs produce warnings.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print how much of a docs folder became code, and what was skipped and why.
    Report {
        #[arg(long)]
        docs: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Print the intermediate representation of a docs folder as JSON.
    Ir {
        #[arg(long)]
        docs: PathBuf,
        /// Print the resolved type space (Rust names, flattened fields, request tree) instead.
        #[arg(long)]
        resolved: bool,
    },
}

#[derive(clap::Args)]
struct CrateOptions {
    /// The folder of Markdown pages to read.
    #[arg(long)]
    docs: PathBuf,
    /// The generated package's name.
    #[arg(long, default_value = "graph-sdk")]
    crate_name: String,
    /// The service root the client calls by default.
    #[arg(long, default_value = "https://graph.microsoft.com/v1.0")]
    base_url: String,
    /// Path from the generated crate to the graph-runtime crate.
    #[arg(long, default_value = "../runtime")]
    runtime_path: String,
    /// Make the crate its own workspace, to build it outside this one.
    #[arg(long)]
    standalone: bool,
    /// How output headers name the docs folder (default: its last path component).
    #[arg(long)]
    docs_label: Option<String>,
    /// Put each product area behind a cargo feature (`full` enables all).
    #[arg(long)]
    features: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(command: Command) -> Result<u8, String> {
    match command {
        Command::Gen { crate_options, out, check, deny_warnings } => {
            generate_crate(crate_options, out, check, deny_warnings)
        }
        Command::Report { docs, format } => {
            let sources = read_docs(&docs).map_err(|e| e.to_string())?;
            let (ir, mut diagnostics) = docgen::extract(&sources);
            let (space, more) = docgen::resolve::resolve(&ir);
            diagnostics.extend(more);
            docgen::diagnostics::sort(&mut diagnostics);
            let report = docgen::report::build(&ir, &space, &diagnostics);
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?),
                Format::Text => print!("{}", report.to_text()),
            }
            Ok(0)
        }
        Command::Ir { docs, resolved } => {
            let sources = read_docs(&docs).map_err(|e| e.to_string())?;
            let (ir, _) = docgen::extract(&sources);
            let json = if resolved {
                let (space, _) = docgen::resolve::resolve(&ir);
                serde_json::to_string_pretty(&space)
            } else {
                serde_json::to_string_pretty(&ir)
            };
            println!("{}", json.map_err(|e| e.to_string())?);
            Ok(0)
        }
    }
}

fn generate_crate(options: CrateOptions, out: PathBuf, check: bool, deny_warnings: bool) -> Result<u8, String> {
    let sources = read_docs(&options.docs).map_err(|e| e.to_string())?;
    let docs_label = options.docs_label.clone().unwrap_or_else(|| {
        options.docs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "docs".into())
    });
    let emit_options = EmitOptions {
        crate_name: options.crate_name,
        base_url: options.base_url,
        runtime_path: options.runtime_path,
        standalone: options.standalone,
        docs_label,
        features: options.features,
    };
    let generated = docgen::generate(&sources, &emit_options).map_err(|e| e.to_string())?;
    print_summary(&generated.diagnostics);
    let warnings = generated.diagnostics.iter().filter(|d| d.severity <= Severity::Warning).count();
    if check {
        let drift =
            docgen::output::check(&out, &generated.files).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
        if !drift.is_empty() {
            for item in &drift {
                eprintln!("{item}");
            }
            eprintln!("{} file(s) in {} differ from the docs: run `cargo xtask gen`", drift.len(), out.display());
            return Ok(EXIT_FINDINGS);
        }
        eprintln!("{} is up to date ({} files)", out.display(), generated.files.len());
    } else {
        let summary = docgen::output::write(&out, &generated.files)
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        eprintln!(
            "{}: {} written, {} unchanged, {} removed",
            out.display(),
            summary.written,
            summary.unchanged,
            summary.removed
        );
    }
    if deny_warnings && warnings > 0 {
        eprintln!("{warnings} warning(s) and --deny-warnings is set");
        return Ok(EXIT_FINDINGS);
    }
    Ok(0)
}

/// One line per diagnostic code with its count, then warnings in full.
fn print_summary(diagnostics: &[Diagnostic]) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for diagnostic in diagnostics {
        *counts.entry(diagnostic.code.as_str()).or_default() += 1;
    }
    for diagnostic in diagnostics.iter().filter(|d| d.severity <= Severity::Warning) {
        eprintln!("{diagnostic}");
    }
    if !counts.is_empty() {
        let parts: Vec<String> = counts.iter().map(|(code, n)| format!("{code} {n}")).collect();
        eprintln!("diagnostics: {}", parts.join(", "));
    }
}
