//! The one place that writes generated files, and the drift check that
//! compares them with what is on disk.
//!
//! Writing never leaves a half-written tree: the new tree is staged beside
//! the old one (unchanged files hard-linked, so their timestamps stay and
//! cargo does not rebuild them), then swapped in with two renames. A run
//! that changes nothing touches nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use similar::TextDiff;

use crate::emit::GeneratedFile;

/// Entries of the output folder that belong to the build, not to the
/// generator: kept across a regeneration and ignored by the drift check.
const BUILD_ENTRIES: &[&str] = &["target", "Cargo.lock"];

/// How a folder on disk differs from the generated files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    Changed { path: String, diff: String },
    Missing { path: String },
    Extra { path: String },
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Changed { path, diff } => write!(f, "changed: {path}\n{diff}"),
            Drift::Missing { path } => write!(f, "missing: {path} (the generator produces it)"),
            Drift::Extra { path } => write!(f, "extra: {path} (the generator does not produce it)"),
        }
    }
}

/// What a write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteSummary {
    pub written: usize,
    pub removed: usize,
    pub unchanged: usize,
}

/// Compares `out` with `files`: changed, missing and extra files, in path order.
pub fn check(out: &Path, files: &[GeneratedFile]) -> io::Result<Vec<Drift>> {
    let on_disk = list_tree(out)?;
    let compared: Vec<Option<Drift>> = files
        .par_iter()
        .map(|file| {
            let Some(path) = on_disk.get(&file.path) else {
                return Ok(Some(Drift::Missing { path: file.path.clone() }));
            };
            let old = std::fs::read(path)?;
            if old.as_slice() == file.contents.as_bytes() {
                return Ok(None);
            }
            let old_text = String::from_utf8_lossy(&old);
            let diff = TextDiff::from_lines(old_text.as_ref(), file.contents.as_str())
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", file.path), &format!("b/{}", file.path))
                .to_string();
            Ok(Some(Drift::Changed { path: file.path.clone(), diff }))
        })
        .collect::<io::Result<_>>()?;
    let mut drift: Vec<Drift> = compared.into_iter().flatten().collect();
    let generated: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for path in on_disk.keys() {
        if !generated.contains(path.as_str()) {
            drift.push(Drift::Extra { path: path.clone() });
        }
    }
    drift.sort_by(|a, b| drift_path(a).cmp(drift_path(b)));
    Ok(drift)
}

fn drift_path(drift: &Drift) -> &str {
    match drift {
        Drift::Changed { path, .. } | Drift::Missing { path } | Drift::Extra { path } => path,
    }
}

/// Makes `out` hold exactly `files` (plus its build entries).
pub fn write(out: &Path, files: &[GeneratedFile]) -> io::Result<WriteSummary> {
    let on_disk = list_tree(out)?;
    let unchanged: Vec<bool> = files
        .par_iter()
        .map(|file| match on_disk.get(&file.path) {
            Some(path) => Ok(std::fs::read(path)? == file.contents.as_bytes()),
            None => Ok(false),
        })
        .collect::<io::Result<_>>()?;
    let mut summary = WriteSummary::default();
    summary.unchanged = unchanged.iter().filter(|same| **same).count();
    summary.written = files.len() - summary.unchanged;
    let generated: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    summary.removed = on_disk.keys().filter(|p| !generated.contains(p.as_str())).count();
    if summary.written == 0 && summary.removed == 0 && out.exists() {
        return Ok(summary);
    }
    let staging = sibling(out, "new")?;
    let result = stage(out, &staging, files, &unchanged).and_then(|()| swap(out, &staging));
    if result.is_err() && staging.exists() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result.map(|()| summary)
}

/// Whether `out` holds exactly the files of `hashes` (path and a hash of
/// the contents, by `hash`), and nothing else but its build entries: what
/// [`write()`] would leave unchanged, known without the files' contents.
pub fn matches(out: &Path, hashes: &[(String, u64)], hash: impl Fn(&[u8]) -> u64 + Sync) -> io::Result<bool> {
    let on_disk = list_tree(out)?;
    Ok(on_disk.len() == hashes.len()
        && hashes.par_iter().all(|(path, expected)| {
            on_disk.get(path).and_then(|path| std::fs::read(path).ok()).is_some_and(|bytes| hash(&bytes) == *expected)
        }))
}

/// `.<name>.docgen-<what>` next to `out`, removed first if a run was interrupted.
fn sibling(out: &Path, what: &str) -> io::Result<PathBuf> {
    let name = out.file_name().ok_or_else(|| io::Error::other(format!("{} has no folder name", out.display())))?;
    let path = out.with_file_name(format!(".{}.docgen-{what}", name.to_string_lossy()));
    if path.exists() {
        std::fs::remove_dir_all(&path)?;
    }
    Ok(path)
}

/// Fills `staging` with `files`, those `unchanged` (in the same order)
/// hard-linked from `out`. The folders first, then the files on every core:
/// a tree of 4,000 files is mostly system calls, which wait on the file
/// system, not on each other.
fn stage(out: &Path, staging: &Path, files: &[GeneratedFile], unchanged: &[bool]) -> io::Result<()> {
    let folders: BTreeSet<PathBuf> =
        files.iter().filter_map(|file| Some(staging.join(&file.path).parent()?.to_path_buf())).collect();
    for folder in &folders {
        std::fs::create_dir_all(folder)?;
    }
    files.par_iter().zip(unchanged).try_for_each(|(file, unchanged)| {
        let target = staging.join(&file.path);
        if *unchanged && std::fs::hard_link(out.join(&file.path), &target).is_ok() {
            return Ok(());
        }
        std::fs::write(&target, &file.contents)
    })
}

/// Removes the tree at `root` as `remove_dir_all` does (links are removed,
/// never followed), its files on every core.
fn remove_tree(root: &Path) -> io::Result<()> {
    let mut files = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    let mut next = 0;
    while let Some(folder) = folders.get(next).cloned() {
        next += 1;
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                folders.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    files.par_iter().try_for_each(std::fs::remove_file)?;
    // Each folder after the folders below it: they were found after it.
    folders.iter().rev().try_for_each(std::fs::remove_dir)
}

/// Moves the build entries into the staged tree, then swaps the trees.
fn swap(out: &Path, staging: &Path) -> io::Result<()> {
    if !out.exists() {
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent)?;
        }
        return std::fs::rename(staging, out);
    }
    for entry in BUILD_ENTRIES {
        let from = out.join(entry);
        if from.exists() {
            std::fs::rename(&from, staging.join(entry))?;
        }
    }
    let old = sibling(out, "old")?;
    std::fs::rename(out, &old)?;
    if let Err(error) = std::fs::rename(staging, out) {
        std::fs::rename(&old, out)?;
        return Err(error);
    }
    remove_tree(&old)
}

/// Every file under `root` (build entries excluded), keyed by `/`-separated
/// relative path; none when `root` does not exist. Only listed: callers
/// read each file when they compare it and drop it after, so a tree of
/// tens of megabytes is never held whole.
fn list_tree(root: &Path) -> io::Result<BTreeMap<String, PathBuf>> {
    let mut paths = BTreeMap::new();
    if !root.exists() {
        return Ok(paths);
    }
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let key = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            if dir == root && BUILD_ENTRIES.contains(&key.as_str()) {
                continue;
            }
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else {
                paths.insert(key, path);
            }
        }
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile { path: path.into(), contents: contents.into() }
    }

    /// A folder of its own for one test, removed when the test ends.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("docgen-output-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn out(&self) -> PathBuf {
            self.0.join("out")
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn write_then_check_finds_no_drift() {
        let scratch = Scratch::new("clean");
        let out = scratch.out();
        let files = vec![file("a.rs", "one\n"), file("src/b.rs", "two\n")];
        assert_eq!(write(&out, &files).unwrap(), WriteSummary { written: 2, removed: 0, unchanged: 0 });
        assert!(check(&out, &files).unwrap().is_empty());
        assert_eq!(write(&out, &files).unwrap(), WriteSummary { written: 0, removed: 0, unchanged: 2 });
    }

    #[test]
    fn check_reports_changed_missing_and_extra_files() {
        let scratch = Scratch::new("drift");
        let out = scratch.out();
        write(&out, &[file("a.rs", "one\n"), file("b.rs", "two\n"), file("c.rs", "three\n")]).unwrap();
        let drift = check(&out, &[file("a.rs", "uno\n"), file("b.rs", "two\n"), file("d.rs", "four\n")]).unwrap();
        assert!(
            matches!(&drift[0], Drift::Changed { path, diff } if path == "a.rs" && diff.contains("-one") && diff.contains("+uno"))
        );
        assert_eq!(drift[1], Drift::Extra { path: "c.rs".into() });
        assert_eq!(drift[2], Drift::Missing { path: "d.rs".into() });
    }

    #[test]
    fn unchanged_files_keep_their_timestamps_and_stale_files_go() {
        let scratch = Scratch::new("timestamps");
        let out = scratch.out();
        write(&out, &[file("keep.rs", "same\n"), file("old.rs", "gone\n")]).unwrap();
        let before = std::fs::metadata(out.join("keep.rs")).unwrap().modified().unwrap();
        let summary = write(&out, &[file("keep.rs", "same\n"), file("new.rs", "fresh\n")]).unwrap();
        assert_eq!(summary, WriteSummary { written: 1, removed: 1, unchanged: 1 });
        assert_eq!(std::fs::metadata(out.join("keep.rs")).unwrap().modified().unwrap(), before);
        assert!(!out.join("old.rs").exists());
        assert_eq!(std::fs::read_to_string(out.join("new.rs")).unwrap(), "fresh\n");
    }

    #[test]
    fn removing_the_old_tree_removes_links_without_following_them() {
        let scratch = Scratch::new("links");
        let outside = scratch.0.join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("keep.txt"), "not ours").unwrap();
        let old = scratch.0.join("old");
        std::fs::create_dir_all(old.join("src/models")).unwrap();
        std::fs::write(old.join("src/models/a.rs"), "a").unwrap();
        std::fs::write(old.join("lib.rs"), "b").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, old.join("src/link")).unwrap();
        remove_tree(&old).unwrap();
        assert!(!old.exists());
        assert_eq!(std::fs::read_to_string(outside.join("keep.txt")).unwrap(), "not ours");
    }

    #[test]
    fn build_entries_survive_and_are_not_drift() {
        let scratch = Scratch::new("build");
        let out = scratch.out();
        write(&out, &[file("a.rs", "1\n")]).unwrap();
        std::fs::create_dir_all(out.join("target/debug")).unwrap();
        std::fs::write(out.join("target/debug/x"), "artifact").unwrap();
        write(&out, &[file("a.rs", "2\n")]).unwrap();
        assert!(out.join("target/debug/x").exists());
        assert!(check(&out, &[file("a.rs", "2\n")]).unwrap().is_empty());
    }
}
