//! What pages include: `[!INCLUDE [label](target)]` directives bring shared
//! Markdown into a page (permissions tables, national-cloud notes, shared
//! notes, code samples) from `includes` folders next to or above the docs
//! root. Reading them is part of reading the docs: this is the only place
//! that opens them, and it opens nothing outside the includes folders and
//! the docs root. Parsing puts what was read in place (`parse`).

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use foldhash::{HashMap, HashSet};
use rayon::prelude::*;

use super::{ReadError, SourceFile};
use crate::diagnostics::{Code, Diagnostic, Location};

/// How deep includes may nest (an include in an include …); deeper ones
/// are reported, not read, so a chain of includes cannot run away.
pub const MAX_DEPTH: usize = 8;

/// One include directive of a page (or of a file the page includes) and
/// what reading its target gave.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Included {
    /// The page's path, or the key of the included file the directive is in.
    pub from: String,
    /// The target as written.
    pub target: String,
    /// The directive's line in `from`.
    pub line: u32,
    pub read: IncludeRead,
}

/// What reading an include's target gave.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IncludeRead {
    /// The file's text. `key` is its path relative to the docs root
    /// (`includes/permissions/user-get-permissions.md`, `../includes/global-only.md`).
    Text { key: String, text: Arc<str> },
    /// No includes folder was found or given (said once for the whole run).
    NoFolder,
    /// The includes folders have no such file.
    Missing { key: String },
    /// The target points outside the includes folders and the docs root:
    /// never opened.
    Outside,
    /// The file is there but cannot be read.
    Unreadable { key: String, error: String },
}

/// The folders includes are read from, and the docs root they are relative to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncludeFolders {
    /// The docs root, canonical.
    root: PathBuf,
    /// Canonical, nearest first.
    folders: Vec<PathBuf>,
}

impl IncludeFolders {
    /// Every folder named `includes` in the docs root or in one of the
    /// folders above it, nearest first: the docs keep permissions tables and
    /// code samples in `<version>/includes` and shared notes in an
    /// `includes` folder beside the version folders.
    pub fn discover(root: &Path) -> IncludeFolders {
        let Ok(root) = root.canonicalize() else {
            return IncludeFolders::default();
        };
        let folders = root.ancestors().map(|dir| dir.join("includes")).filter(|dir| dir.is_dir()).collect();
        IncludeFolders { root, folders }
    }

    /// The folders given (`--includes DIR`), instead of the discovered ones;
    /// files inside the docs root stay readable either way.
    pub fn given(root: &Path, folders: &[PathBuf]) -> Result<IncludeFolders, ReadError> {
        let canonical =
            |path: &Path| path.canonicalize().map_err(|error| ReadError { path: path.to_path_buf(), error });
        let root = canonical(root)?;
        let folders = folders.iter().map(|f| canonical(f)).collect::<Result<Vec<_>, _>>()?;
        Ok(IncludeFolders { root, folders })
    }

    pub fn folders(&self) -> &[PathBuf] {
        &self.folders
    }

    /// Inside the docs root or an includes folder (`path` is canonical or lexical from canonical parts).
    fn allows(&self, path: &Path) -> bool {
        path.starts_with(&self.root) || self.folders.iter().any(|f| path.starts_with(f))
    }

    /// A path's name relative to the docs root, `/`-separated.
    fn key(&self, path: &Path) -> String {
        let root: Vec<Component> = self.root.components().collect();
        let path: Vec<Component> = path.components().collect();
        let common = root.iter().zip(&path).take_while(|(a, b)| a == b).count();
        let ups = std::iter::repeat_n("..".to_string(), root.len() - common);
        let downs = path[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned());
        ups.chain(downs).collect::<Vec<_>>().join("/")
    }

    /// Where `target`, written in a file in `from_dir`, is read from. It is
    /// looked for where it points, when that is inside the docs root or an
    /// includes folder, and otherwise by its path below its last `includes`
    /// segment in each includes folder (so a folder given elsewhere works).
    fn resolve(&self, from_dir: &Path, target: &str) -> Resolved {
        let target = target.split(['#', '?']).next().unwrap_or_default().trim();
        let rooted = target.starts_with(['/', '\\', '~']) || target.contains(':');
        if target.is_empty() || rooted {
            return Resolved::Outside;
        }
        let lexical = normalize(&from_dir.join(target));
        let below_includes = below_last_includes(target);
        let mut candidates: Vec<PathBuf> = lexical.iter().filter(|p| self.allows(p)).cloned().collect();
        if let Some(rest) = &below_includes {
            candidates.extend(self.folders.iter().map(|folder| folder.join(rest)));
        }
        for candidate in &candidates {
            if let Ok(real) = candidate.canonicalize()
                && real.is_file()
            {
                // A symbolic link may lead out of the folder it sits in.
                return if self.allows(&real) { Resolved::File(self.key(&real), real) } else { Resolved::Outside };
            }
        }
        match candidates.first() {
            _ if self.folders.is_empty() && (below_includes.is_some() || !candidates.is_empty()) => Resolved::NoFolder,
            Some(first) => Resolved::Missing(self.key(first)),
            None => Resolved::Outside,
        }
    }
}

enum Resolved {
    File(String, PathBuf),
    Missing(String),
    NoFolder,
    Outside,
}

/// `a/./b/../c` → `a/c`, without touching the file system; `None` if it
/// climbs above the file system's root.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// The part of `target` below its last `includes` segment, unless that part
/// climbs (`includes/../../x.md`, which is not in any includes folder).
fn below_last_includes(target: &str) -> Option<PathBuf> {
    let parts: Vec<&str> = target.split(['/', '\\']).collect();
    let last = parts.iter().rposition(|p| *p == "includes")?;
    let rest = &parts[last + 1..];
    let climbs = rest.contains(&"..");
    (!rest.is_empty() && !climbs).then(|| rest.iter().filter(|p| !p.is_empty() && **p != ".").collect())
}

/// Every include directive in `text`: (line, target as written). Found by
/// text, as the Markdown parser finds them (`[!INCLUDE [label](target)]`,
/// any case), so that every directive the parser meets has been read.
pub fn directives(text: &str) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    let (mut line, mut counted) = (1u32, 0usize);
    for at in memchr::memmem::find_iter(text.as_bytes(), b"[!") {
        let Some(target) = directive_target(&text[at..]) else { continue };
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[counted..at]).count() as u32;
        counted = at;
        found.push((line, target));
    }
    found
}

/// The target of the directive `text` starts with, if it starts with one.
fn directive_target(text: &str) -> Option<String> {
    let rest = text.get(2..)?;
    if !rest.get(..7)?.eq_ignore_ascii_case("include") {
        return None;
    }
    let rest = rest[7..].trim_start_matches([' ', '\t']).strip_prefix('[')?;
    let label_end = rest.find(['\n', ']'])?;
    let rest = rest[label_end..].strip_prefix("](")?;
    let target = &rest[..rest.find([')', '\n'])?];
    let target = target.trim();
    let target = target.strip_prefix('<').and_then(|t| t.strip_suffix('>')).unwrap_or(target);
    Some(target.to_string())
}

/// The include files read so far in a run, by their real path.
type ReadFiles = Mutex<HashMap<PathBuf, Arc<ReadFile>>>;

/// One include file as read, with the directives in it; shared by every
/// page that includes it.
#[derive(Debug)]
struct ReadFile {
    read: IncludeRead,
    real: Option<PathBuf>,
    directives: Vec<(u32, String)>,
}

/// Reads what every page includes (and what that includes, up to
/// [`MAX_DEPTH`]), each file once however many pages include it.
pub fn read_includes(pages: &mut [SourceFile], folders: &IncludeFolders) {
    if folders.root.as_os_str().is_empty() {
        return; // No docs root to read from, nor to keep reading inside.
    }
    let files = ReadFiles::default();
    pages.par_iter_mut().for_each(|page| {
        let page_dir = folders.root.join(&page.path);
        let page_dir = page_dir.parent().unwrap_or(&folders.root).to_path_buf();
        page.includes = page_includes(page, &page_dir, folders, &files);
    });
}

fn page_includes(page: &SourceFile, page_dir: &Path, folders: &IncludeFolders, files: &ReadFiles) -> Vec<Included> {
    let mut found: Vec<Included> = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::default();
    // (from, its folder, its directives, depth)
    let mut pending = vec![(page.path.clone(), page_dir.to_path_buf(), directives(&page.text), 0usize)];
    while let Some((from, dir, directives, depth)) = pending.pop() {
        for (line, target) in directives {
            if !seen.insert((from.clone(), target.clone())) {
                continue;
            }
            let file = read_file(&dir, &target, folders, files);
            if let (IncludeRead::Text { key, .. }, Some(real)) = (&file.read, &file.real)
                && depth < MAX_DEPTH
            {
                let dir = real.parent().unwrap_or(&folders.root).to_path_buf();
                pending.push((key.clone(), dir, file.directives.clone(), depth + 1));
            }
            found.push(Included { from: from.clone(), target, line, read: file.read.clone() });
        }
    }
    found.sort_by(|a, b| (&a.from, a.line, &a.target).cmp(&(&b.from, b.line, &b.target)));
    found
}

/// Reads `target` (written in a file in `dir`) once per run.
fn read_file(dir: &Path, target: &str, folders: &IncludeFolders, files: &ReadFiles) -> Arc<ReadFile> {
    let (read, real) = match folders.resolve(dir, target) {
        Resolved::File(key, real) => {
            if let Some(file) = files.lock().unwrap_or_else(|e| e.into_inner()).get(&real) {
                return file.clone();
            }
            let read = match std::fs::read(&real).map(String::from_utf8) {
                Ok(Ok(text)) => IncludeRead::Text { key, text: text.into() },
                Ok(Err(_)) => IncludeRead::Unreadable { key, error: "it is not valid UTF-8".into() },
                Err(error) => IncludeRead::Unreadable { key, error: error.to_string() },
            };
            (read, Some(real))
        }
        Resolved::Missing(key) => (IncludeRead::Missing { key }, None),
        Resolved::NoFolder => (IncludeRead::NoFolder, None),
        Resolved::Outside => (IncludeRead::Outside, None),
    };
    let directives = match &read {
        IncludeRead::Text { text, .. } => directives(text),
        _ => Vec::new(),
    };
    let file = Arc::new(ReadFile { read, real: real.clone(), directives });
    if let Some(real) = real {
        files.lock().unwrap_or_else(|e| e.into_inner()).entry(real).or_insert(file).clone()
    } else {
        file
    }
}

/// Said once for a whole run: pages include files, but no includes folder
/// was found, so they are read without them. At the first such directive.
pub fn no_folder_note(pages: &[SourceFile]) -> Option<Diagnostic> {
    let unread = |page: &SourceFile| {
        page.includes.iter().filter(|i| i.from == page.path && i.read == IncludeRead::NoFolder).count()
    };
    let (first, directives, pages_with) =
        pages.iter().fold((None, 0, 0), |(first, total, with), page| match unread(page) {
            0 => (first, total, with),
            n => (first.or(Some(page)), total + n, with + 1),
        });
    let first = first?;
    let directive = first.includes.iter().find(|i| i.from == first.path && i.read == IncludeRead::NoFolder)?;
    let location = Location { file: first.path.clone(), line: directive.line, column: 1 };
    let message = format!(
        "no `includes` folder in or above the docs root: {directives} include directive(s) on {pages_with} page(s) are not read \
         (permissions tables, notes and code samples live there); pass `--includes DIR`"
    );
    Some(Diagnostic::note(Code::IncludeMissing, location, message).pointing_at(directive.target.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_found_in_any_case_with_their_lines() {
        let text =
            "intro\n[!INCLUDE [a](../includes/a.md)]\n|x|y [!include[b]( <b c.md> )] z|\n[!NOTE]\n[!INCLUDE [c]]\n";
        assert_eq!(directives(text), vec![(2, "../includes/a.md".to_string()), (3, "b c.md".to_string())]);
    }

    #[test]
    fn the_part_below_the_last_includes_segment_is_kept_unless_it_climbs() {
        assert_eq!(below_last_includes("../../includes/global-only.md"), Some(PathBuf::from("global-only.md")));
        assert_eq!(below_last_includes("../includes/permissions/x.md"), Some(PathBuf::from("permissions/x.md")));
        assert_eq!(below_last_includes("../includes/../../secret.md"), None);
        assert_eq!(below_last_includes("../resources/x.md"), None);
    }

    /// A docs tree laid out as the docs repository is: `ref/v1.0` is the
    /// docs root, with its own `includes` and a shared one beside it.
    fn docs_tree(name: &str) -> PathBuf {
        let base = std::env::temp_dir().join(format!("docgen-includes-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let write = |path: &str, text: &str| {
            let path = base.join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
            std::fs::write(path, text).expect("written");
        };
        write("outside.md", "SECRET\n");
        write("ref/includes/shared-note.md", "A note every page shares.\n");
        write("ref/v1.0/includes/permissions/w.md", "|Permission type|Least privileged permissions|\n");
        write("ref/v1.0/includes/a.md", "[!INCLUDE [b](b.md)]\n");
        write("ref/v1.0/includes/b.md", "[!INCLUDE [a](a.md)]\n");
        let page = "# W\n[!INCLUDE [p](../includes/permissions/w.md)]\n[!INCLUDE [n](../../includes/shared-note.md)]\n\
                    [!INCLUDE [m](../includes/missing.md)]\n[!INCLUDE [o](../../../outside.md)]\n\
                    [!INCLUDE [l](../includes/link.md)]\n[!INCLUDE [a](../includes/a.md)]\n[!INCLUDE [c](../includes/../../../outside.md)]\n";
        write("ref/v1.0/api/w.md", page);
        #[cfg(unix)]
        std::os::unix::fs::symlink(base.join("outside.md"), base.join("ref/v1.0/includes/link.md")).expect("a link");
        base
    }

    fn read_of<'a>(page: &'a SourceFile, from: &str, target: &str) -> &'a IncludeRead {
        &page.includes.iter().find(|i| i.from == from && i.target == target).expect("read").read
    }

    #[test]
    fn includes_are_read_from_the_folders_in_and_above_the_docs_root_and_nowhere_else() {
        let base = docs_tree("read");
        let pages = crate::source::read_docs(&base.join("ref/v1.0")).expect("readable");
        let _ = std::fs::remove_dir_all(&base);
        assert_eq!(pages.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(), ["api/w.md"], "includes are not pages");
        let page = &pages[0];
        let text = |read: &IncludeRead| match read {
            IncludeRead::Text { key, text } => Some((key.clone(), text.to_string())),
            _ => None,
        };
        let permissions = text(read_of(page, "api/w.md", "../includes/permissions/w.md"));
        assert_eq!(permissions.map(|(key, _)| key).as_deref(), Some("includes/permissions/w.md"));
        let note = text(read_of(page, "api/w.md", "../../includes/shared-note.md"));
        assert_eq!(note, Some(("../includes/shared-note.md".into(), "A note every page shares.\n".into())));
        let missing = read_of(page, "api/w.md", "../includes/missing.md");
        assert_eq!(missing, &IncludeRead::Missing { key: "includes/missing.md".into() });
        for outside in ["../../../outside.md", "../includes/../../../outside.md"] {
            assert_eq!(read_of(page, "api/w.md", outside), &IncludeRead::Outside, "{outside}");
        }
        #[cfg(unix)]
        assert_eq!(read_of(page, "api/w.md", "../includes/link.md"), &IncludeRead::Outside, "a link leads out");
        assert!(page.includes.iter().all(|i| text(&i.read).is_none_or(|(_, t)| !t.contains("SECRET"))));
        // A loop is read once each way, then left to the parser to report.
        assert!(text(read_of(page, "includes/a.md", "b.md")).is_some());
        assert!(text(read_of(page, "includes/b.md", "a.md")).is_some());
        assert_eq!(page.includes.len(), 9);
    }

    #[test]
    fn no_folder_is_said_once_for_the_whole_run() {
        let base = docs_tree("none");
        std::fs::remove_dir_all(base.join("ref/includes")).expect("removed");
        std::fs::remove_dir_all(base.join("ref/v1.0/includes")).expect("removed");
        let pages = crate::source::read_docs(&base.join("ref/v1.0")).expect("readable");
        let _ = std::fs::remove_dir_all(&base);
        assert_eq!(read_of(&pages[0], "api/w.md", "../includes/missing.md"), &IncludeRead::NoFolder);
        assert_eq!(read_of(&pages[0], "api/w.md", "../../../outside.md"), &IncludeRead::Outside);
        let note = no_folder_note(&pages).expect("a note");
        assert_eq!((note.code, note.location.line), (Code::IncludeMissing, 2));
        assert!(note.message.contains("5 include directive(s) on 1 page(s)"), "{}", note.message);
    }

    #[test]
    fn keys_are_relative_to_the_docs_root() {
        let folders = IncludeFolders { root: PathBuf::from("/d/ref/v1.0"), folders: vec![] };
        assert_eq!(folders.key(Path::new("/d/ref/v1.0/includes/p/x.md")), "includes/p/x.md");
        assert_eq!(folders.key(Path::new("/d/ref/includes/g.md")), "../includes/g.md");
    }
}
