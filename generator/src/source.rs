//! Reading a docs folder: every `.md` page under it, in path order, and
//! what the pages include.

pub mod includes;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::{Code, Diagnostic, Location};
pub use includes::{IncludeFolders, IncludeRead, Included};

/// One page's path (relative to the docs root, `/`-separated) and text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    /// The bytes were not valid UTF-8 and were read lossily.
    pub lossy: bool,
    /// What the page's include directives brought in, read with the page
    /// (empty for a page that was not read from a docs folder).
    pub includes: Vec<Included>,
}

impl SourceFile {
    /// A page given as text, with nothing included.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile { path: path.into(), text: text.into(), ..SourceFile::default() }
    }
}

/// An I/O failure, with the path it happened on.
#[derive(Debug)]
pub struct ReadError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read {}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for ReadError {}

/// Reads every Markdown page under `root` and what the pages include from
/// the `includes` folders in or above `root` ([`IncludeFolders::discover`]).
pub fn read_docs(root: &Path) -> Result<Vec<SourceFile>, ReadError> {
    read_docs_including(root, &IncludeFolders::discover(root))
}

/// Reads every Markdown page under `root`, skipping `includes/` folders
/// (what pages include is not a page) and hidden folders, then what the
/// pages include from `includes`. Sorted by path, so the file system's
/// order never reaches the output.
///
/// Nothing outside `root` and the includes folders is ever read: symbolic
/// links are not followed (a link to a page or a folder is skipped like any
/// other non-page), links between pages are only ever resolved to names,
/// never opened, and an include that points elsewhere is reported, not read.
pub fn read_docs_including(root: &Path, includes: &IncludeFolders) -> Result<Vec<SourceFile>, ReadError> {
    let paths = page_paths(root)?;
    // Read in parallel; collected in path order, and the first failure in
    // that order is the one reported.
    let pages: Vec<Result<SourceFile, ReadError>> = paths.into_par_iter().map(|path| read_page(root, &path)).collect();
    let mut pages = pages.into_iter().collect::<Result<Vec<_>, _>>()?;
    includes::read_includes(&mut pages, includes);
    Ok(pages)
}

/// The paths of the pages [`read_docs`] reads, in the order it reads them:
/// sorted as paths sort (component by component), which walking each
/// folder's entries sorted by name gives.
pub fn page_paths(root: &Path) -> Result<Vec<PathBuf>, ReadError> {
    let mut paths = Vec::new();
    collect(root, &mut paths)?;
    Ok(paths)
}

/// One page at `path`, under `root`, as [`read_docs`] reads it, without
/// what it includes ([`includes::read_includes`] adds that).
pub fn read_page(root: &Path, path: &Path) -> Result<SourceFile, ReadError> {
    let bytes = std::fs::read(path).map_err(|error| ReadError { path: path.to_path_buf(), error })?;
    let (text, lossy) = decode(bytes);
    Ok(SourceFile { path: page_name(root, path), text, lossy, includes: Vec::new() })
}

/// The name of the page at `path`: relative to `root`, `/`-separated.
pub fn page_name(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// A page's bytes as text: invalid UTF-8 becomes U+FFFD (and `true`), never an error.
pub fn decode(bytes: Vec<u8>) -> (String, bool) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, false),
        Err(error) => (String::from_utf8_lossy(error.as_bytes()).into_owned(), true),
    }
}

/// What reading found wrong with a page: bytes that are not UTF-8, reported
/// at the first replacement character.
pub fn check(file: &SourceFile) -> Option<Diagnostic> {
    if !file.lossy {
        return None;
    }
    let found = file.text.find('\u{FFFD}');
    let at = found.unwrap_or(0);
    let line = file.text[..at].matches('\n').count() as u32 + 1;
    let column = file.text[..at].rsplit('\n').next().unwrap_or_default().chars().count() as u32 + 1;
    let location = Location { file: file.path.clone(), line, column };
    let message = "the page is not valid UTF-8; the bad bytes were read as U+FFFD: save it as UTF-8";
    let diagnostic = Diagnostic::warning(Code::InvalidUtf8, location, message);
    Some(match found {
        Some(at) => diagnostic.with_span(at..at + '\u{FFFD}'.len_utf8()),
        None => diagnostic,
    })
}

/// The pages in and below `dir`, in path order. Sorting each folder's
/// entries by name and visiting them in that order gives the order of
/// sorting the whole paths, without comparing whole paths component by
/// component (88 million instructions for beta's pages, by callgrind, on
/// one core before anything else could start).
fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ReadError> {
    let entries = std::fs::read_dir(dir).map_err(|error| ReadError { path: dir.to_path_buf(), error })?;
    let mut entries =
        entries.collect::<Result<Vec<_>, _>>().map_err(|error| ReadError { path: dir.to_path_buf(), error })?;
    entries.sort_by_cached_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let file_type = entry.file_type().map_err(|error| ReadError { path: path.clone(), error })?;
        if file_type.is_dir() {
            if name != "includes" && !name.starts_with('.') {
                collect(&path, out)?;
            }
        } else if file_type.is_file() && name.ends_with(".md") && !name.eq_ignore_ascii_case("readme.md") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_listed_in_the_order_their_paths_sort() {
        let root = std::env::temp_dir().join(format!("docgen-page-order-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        // Names where sorting whole paths as strings would differ: `-` and
        // `.` sort before `/`, and a folder before the page named like it.
        for page in ["a-b.md", "a.md", "a/z.md", "a/b/c.md", "api/x.md", "B.md", "ab.md"] {
            let path = root.join(page);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "# page\n").unwrap();
        }
        let listed = page_paths(&root).unwrap();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(listed, sorted);
        assert_eq!(listed.len(), 7);
        let _ = std::fs::remove_dir_all(&root);
    }
}
