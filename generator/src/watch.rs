//! Waiting for a docs folder to change, for `docgen gen --watch` and
//! `docgen lint --watch`: the process stays, so every run after the first
//! finds its pages and items in memory and reads again only the pages that
//! changed.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher as _};

use std::collections::HashMap;
use std::time::SystemTime;

use crate::source::{ReadError, SourceFile, page_name, page_paths, read_page};

/// How long a burst of events may pause before it counts as over: an
/// editor's save is several events (write, rename, metadata) in a few
/// milliseconds.
const SETTLE: Duration = Duration::from_millis(10);

/// A docs folder being watched.
pub struct DocsWatcher {
    root: PathBuf,
    events: Receiver<notify::Result<notify::Event>>,
    /// Each page's modification time and length when it was last read, so
    /// a change to the folder reads again only pages that changed.
    stamps: HashMap<PathBuf, Stamp>,
    /// Kept alive: dropping it stops the events.
    watcher: notify::RecommendedWatcher,
}

/// What changed in the folder since the last wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// These pages' contents (absolute paths): nothing was added or removed.
    Pages(Vec<PathBuf>),
    /// Pages were added, removed or renamed, or the watcher lost track:
    /// the folder must be read again.
    Folder,
}

impl DocsWatcher {
    pub fn new(root: &Path) -> Result<DocsWatcher, String> {
        let (sender, events) = channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = sender.send(event);
        })
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        watcher.watch(root, RecursiveMode::Recursive).map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        let stamps = page_paths(root)
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter_map(|path| Some((path.clone(), stamp(&path)?)))
            .collect();
        Ok(DocsWatcher { root: root.to_path_buf(), events, stamps, watcher })
    }

    /// Watches `folder` too (an includes folder beside the docs): a change
    /// there is a change to the folder, which brings the pages up to date
    /// and lets the caller read what they include again.
    pub fn also_watch(&mut self, folder: &Path) -> Result<(), String> {
        self.watcher
            .watch(folder, RecursiveMode::Recursive)
            .map_err(|e| format!("cannot watch {}: {e}", folder.display()))
    }

    /// Blocks until a page changes, then until the burst of events settles.
    pub fn wait(&self) -> Result<Change, String> {
        let mut change: Option<Change> = None;
        loop {
            let event = if change.is_none() {
                self.events.recv().map_err(|_| "the file watcher stopped".to_string())?
            } else {
                match self.events.recv_timeout(SETTLE) {
                    Ok(event) => event,
                    Err(RecvTimeoutError::Timeout) => return Ok(change.unwrap_or(Change::Folder)),
                    Err(RecvTimeoutError::Disconnected) => return Err("the file watcher stopped".into()),
                }
            };
            if let Some(seen) = classify(event) {
                change = Some(merge(change, seen));
            }
        }
    }

    /// `sources` brought up to date with `change`: the changed pages read
    /// again; after a change to the folder, every page whose time or length
    /// moved, and the pages added, in [`read_docs`](crate::source::read_docs)'s
    /// order. How many pages were read or dropped.
    pub fn apply(&mut self, sources: &mut Vec<SourceFile>, change: &Change) -> Result<usize, ReadError> {
        let paths = match change {
            Change::Pages(paths) if paths.iter().all(|path| self.stamps.contains_key(path)) => {
                let pages: Result<Vec<SourceFile>, ReadError> =
                    paths.iter().map(|path| read_page(&self.root, path)).collect();
                // A page gone since (its removal comes in the next burst):
                // the folder, as below.
                if let Ok(pages) = pages {
                    let mut read = 0;
                    for (page, path) in pages.into_iter().zip(paths) {
                        if let Some(old) = sources.iter_mut().find(|s| s.path == page.path)
                            && *old != page
                        {
                            *old = page;
                            read += 1;
                        }
                        if let Some(stamp) = stamp(path) {
                            self.stamps.insert(path.clone(), stamp);
                        }
                    }
                    return Ok(read);
                }
                page_paths(&self.root)?
            }
            // A page that was not there (or a file read_docs does not read,
            // say under `includes/`): the folder, to know which.
            Change::Pages(_) | Change::Folder => page_paths(&self.root)?,
        };
        let mut old: HashMap<String, SourceFile> = sources.drain(..).map(|s| (s.path.clone(), s)).collect();
        let mut stamps = HashMap::new();
        let mut changed = 0;
        for path in paths {
            let now = stamp(&path);
            let relative = page_name(&self.root, &path);
            let page = match (old.remove(&relative), now) {
                (Some(page), Some(now)) if self.stamps.get(&path) == Some(&now) => page,
                _ => {
                    changed += 1;
                    match read_page(&self.root, &path) {
                        Ok(page) => page,
                        Err(error) => {
                            // Gone since it was listed: forget every stamp,
                            // so the next change reads the folder afresh.
                            self.stamps.clear();
                            sources.extend(old.into_values());
                            return Err(error);
                        }
                    }
                }
            };
            if let Some(now) = now {
                stamps.insert(path, now);
            }
            sources.push(page);
        }
        self.stamps = stamps;
        Ok(changed + old.len())
    }
}

/// A page's modification time and length.
type Stamp = (SystemTime, u64);

fn stamp(path: &Path) -> Option<Stamp> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.modified().ok()?, metadata.len()))
}

/// What one event means for the pages, if anything.
fn classify(event: notify::Result<notify::Event>) -> Option<Change> {
    use notify::event::{ModifyKind, RenameMode};
    let Ok(event) = event else { return Some(Change::Folder) };
    let is_page = |path: &PathBuf| path.extension().is_some_and(|e| e == "md");
    let pages = |paths: Vec<PathBuf>| {
        let pages: Vec<PathBuf> = paths.into_iter().filter(is_page).collect();
        (!pages.is_empty()).then_some(Change::Pages(pages))
    };
    match event.kind {
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)) => None,
        EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => pages(event.paths),
        // A file renamed over a page: how many editors save. The page's
        // contents changed; `apply` reads the folder again if it is new.
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => pages(event.paths),
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => match event.paths.as_slice() {
            [from, to] if !is_page(from) && !from.is_dir() => pages(vec![to.clone()]),
            _ => Some(Change::Folder),
        },
        // A temporary file renamed away, created or removed: not a page.
        _ if event.paths.iter().all(|p| !is_page(p) && !p.is_dir()) => None,
        // Pages or folders created, removed or renamed away.
        _ => Some(Change::Folder),
    }
}

fn merge(before: Option<Change>, seen: Change) -> Change {
    match (before, seen) {
        (Some(Change::Pages(mut paths)), Change::Pages(more)) => {
            for path in more {
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
            Change::Pages(paths)
        }
        (None, seen) => seen,
        _ => Change::Folder,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::read_docs;

    #[test]
    fn a_saved_page_is_read_again_and_a_new_page_rereads_the_folder() {
        let root = std::env::temp_dir().join(format!("docgen-watch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("api")).unwrap();
        std::fs::write(root.join("api/a.md"), "# A\n").unwrap();
        std::fs::write(root.join("api/b.md"), "# B\n").unwrap();
        let mut sources = read_docs(&root).unwrap();
        let mut watcher = DocsWatcher::new(&root).unwrap();

        std::fs::write(root.join("api/a.md"), "# A, edited\n").unwrap();
        let change = watcher.wait().unwrap();
        watcher.apply(&mut sources, &change).unwrap();
        assert_eq!(sources, read_docs(&root).unwrap(), "{change:?}");

        std::fs::write(root.join("api/c.md"), "# C\n").unwrap();
        let change = watcher.wait().unwrap();
        assert_eq!(watcher.apply(&mut sources, &change).unwrap(), 1, "only the new page is read");
        assert_eq!(sources, read_docs(&root).unwrap());

        // A new file renamed over a page, alone: that page is read again.
        std::fs::write(root.join("api/a.md.saving"), "# A, saved by renaming\n").unwrap();
        std::fs::rename(root.join("api/a.md.saving"), root.join("api/a.md")).unwrap();
        let change = watcher.wait().unwrap();
        assert_eq!(change, Change::Pages(vec![root.join("api/a.md")]));
        assert_eq!(watcher.apply(&mut sources, &change).unwrap(), 1);
        assert_eq!(sources, read_docs(&root).unwrap());

        // Saved as many editors save: a new file renamed over the page.
        std::fs::write(root.join("api/.b.md.swp"), "# B, edited by an editor\n").unwrap();
        std::fs::rename(root.join("api/.b.md.swp"), root.join("api/b.md")).unwrap();
        std::fs::remove_file(root.join("api/c.md")).unwrap();
        let mut change = watcher.wait().unwrap();
        let mut read = watcher.apply(&mut sources, &change).unwrap();
        while sources != read_docs(&root).unwrap() {
            change = watcher.wait().unwrap();
            read += watcher.apply(&mut sources, &change).unwrap();
        }
        assert_eq!(read, 2, "b read again, c dropped ({change:?})");
        let _ = std::fs::remove_dir_all(&root);
    }
}
