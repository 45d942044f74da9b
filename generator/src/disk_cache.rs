//! The cache `docgen gen` keeps on disk, so that a new process after a
//! one-page edit reuses what the last one built instead of starting cold.
//!
//! A cache folder holds two files:
//! - `run.bin`: the last run's page key, a digest of each page's items as
//!   encoded here, a hash of each file it wrote and its diagnostics. A run
//!   with the same options, into an output folder that still holds exactly
//!   those files, is done when its pages are the same, or when the pages
//!   that changed lower to the same items (a front-matter date, an author,
//!   prose docgen does not read): only those pages are parsed.
//! - `items.bin`: the lowered pages and printed items of the last runs, by
//!   the content key the in-process [`Cache`] uses. A run after an edit gets
//!   every unchanged page and item from here; only what changed is built.
//!   A run appends what it built as a new segment; the file is rewritten
//!   with only what the run used once it holds twice that.
//!
//! Each file starts with a header: what it is, the format, the identity of
//! what wrote it (this format, docgen's version, a digest of the running
//! executable and the emit options) and a key (`run.bin`: the pages'). Each
//! segment after it has a length and a checksum seeded with that identity.
//! A file written by another build of docgen or for other options is not
//! read; a truncated or damaged segment ends what is read (entries stand on
//! their own) and the next write rewrites the file. Entries are keyed by the
//! content they were built from, so the cache changes how much is rebuilt,
//! never the output; deleting the folder is always safe.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Code, Diagnostic, Location, Severity};
use crate::emit::{EmitError, EmitOptions, GeneratedFile, StoredItems, TestNames};
use crate::ir::{Enum, Example, Model, Operation, PageInfo, PageLink};
use crate::source::SourceFile;
use crate::{Cache, Generated, LoweredPage, Progress, content_hasher, lower};

/// Bumped whenever what the files hold, or how, changes.
const FORMAT: u32 = 3;
const MAGIC: &[u8; 8] = b"docgen\0c";
const HEADER_LEN: usize = 8 + 4 + 8 + 8;
const RUN_FILE: &str = "run.bin";
const ITEMS_FILE: &str = "items.bin";

/// What a run with a disk cache produced, and what it could reuse.
#[derive(Debug)]
pub struct Persisted {
    output: Output,
    pub reuse: Reuse,
    /// What [`Persisted::store`] writes; `None` when there is nothing new.
    pending: Option<Pending>,
}

#[derive(Debug)]
enum Output {
    /// Built by this run (partly from the cache).
    Built(Arc<Generated>),
    /// The output folder already holds these many files, exactly as the
    /// last run (of the same pages and options) wrote them.
    InPlace { files: usize, diagnostics: Vec<Diagnostic> },
}

/// How much of a run came from the disk cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reuse {
    /// The same pages and options as the last run, whose files are in the
    /// output folder as it wrote them: nothing was built or written.
    Unchanged,
    /// `changed` pages changed since the last run, but none in what docgen
    /// reads from them: their items are what they were, and the output
    /// folder holds what the last run wrote. Only those pages were parsed.
    Unaffected { changed: usize },
    /// `pages` of `of` pages came from the cache, and every item they print
    /// as before; the rest were built.
    Partial { pages: usize, of: usize },
    /// Nothing could be reused, and why (no cache yet, written by another
    /// build of docgen or for other options, damaged).
    Cold(String),
}

impl std::fmt::Display for Reuse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reuse::Unchanged => write!(f, "no page changed since the last run"),
            Reuse::Unaffected { changed } => {
                write!(f, "{changed} page(s) changed since the last run, none in what docgen reads from them")
            }
            Reuse::Partial { pages, of } => write!(f, "{pages} of {of} pages unchanged since the last run"),
            Reuse::Cold(why) => write!(f, "nothing reused: {why}"),
        }
    }
}

/// What a run leaves to be written to the cache folder.
#[derive(Debug)]
struct Pending {
    dir: PathBuf,
    identity: u64,
    pages_key: u64,
    /// Each page's key, in page order.
    keys: Vec<u64>,
    /// [`run_diagnostics_digest`] of the pages.
    together: u64,
    /// The items file as read (or none).
    stored: StoredFile,
    /// The pages this run built, encoded beside the resolve.
    encoded: Mutex<Vec<(u64, Vec<u8>)>>,
}

/// What the items file held, as far as it could be read.
#[derive(Debug, Default)]
struct StoredFile {
    /// Its whole contents: pages are copied from here when it is rewritten.
    bytes: FileBytes,
    /// Where each page's encoding is in `bytes`.
    pages: foldhash::HashMap<u64, Range<usize>>,
    /// The tagged keys (see [`tagged`]) of the emit entries it holds.
    emit_keys: HashSet<u64>,
    /// It was read whole: a new segment can be appended to it.
    whole: bool,
}

impl Persisted {
    /// The files of the crate, or `None` when the output folder already
    /// holds them exactly (see [`Reuse::Unchanged`]).
    pub fn files(&self) -> Option<&[GeneratedFile]> {
        match &self.output {
            Output::Built(generated) => Some(&generated.files),
            Output::InPlace { .. } => None,
        }
    }

    /// How many files the crate has.
    pub fn file_count(&self) -> usize {
        match &self.output {
            Output::Built(generated) => generated.files.len(),
            Output::InPlace { files, .. } => *files,
        }
    }

    /// Sorted by file, line and code, as [`Generated::diagnostics`].
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match &self.output {
            Output::Built(generated) => &generated.diagnostics,
            Output::InPlace { diagnostics, .. } => diagnostics,
        }
    }

    /// Writes what this run built to the cache folder, for the next process,
    /// while `beside` runs (writing the output: the cache is written to
    /// files opened before, and renamed into place after it, so the output
    /// folder being swapped, with a cache folder inside its `target`, does
    /// not disturb it). `cache` is the one the run went through. A failure
    /// leaves the folder as it was or a file short; the next run then
    /// rebuilds more, never differently.
    pub fn store_while<T: Send>(&self, cache: &Cache, beside: impl FnOnce() -> T + Send) -> (T, Result<(), String>) {
        let (Some(pending), Output::Built(generated)) = (&self.pending, &self.output) else {
            return (beside(), Ok(()));
        };
        let plan = (|| {
            std::fs::create_dir_all(&pending.dir)
                .map_err(|e| format!("cannot create {}: {e}", pending.dir.display()))?;
            let digests = page_digests(pending);
            let items = ItemsPlan::new(cache, pending)?;
            let digests = (pending.together, digests);
            let run = encode_run(pending.pages_key, digests, &generated.files, &generated.diagnostics)?;
            let run_target = Target::Whole { header: header(pending.identity, 0) };
            let run_file = SegmentFile::open(&pending.dir.join(RUN_FILE), run_target)?;
            let items_file = match &items {
                Some(items) => Some(SegmentFile::open(&pending.dir.join(ITEMS_FILE), items.target(pending))?),
                None => None,
            };
            Ok((items, items_file, run, run_file))
        })();
        let (items, items_file, run, run_file) = match plan {
            Ok(plan) => plan,
            Err(error) => return (beside(), Err(error)),
        };
        let (result, written) = rayon::join(beside, || {
            let items_file = match (&items, items_file) {
                (Some(items), Some(file)) => Some(file.write(pending.identity, |sink| items.encode(sink))?),
                _ => None,
            };
            let run_file = run_file.write(pending.identity, |sink| sink.put(&run))?;
            Ok::<_, String>((items_file, run_file))
        });
        let renamed = written.and_then(|(items_file, run_file)| {
            items_file.map(SegmentFile::finish).transpose()?;
            run_file.finish()
        });
        (result, renamed)
    }

    /// [`Persisted::store_while`] with nothing beside.
    pub fn store(&self, cache: &Cache) -> Result<(), String> {
        self.store_while(cache, || ()).1
    }
}

/// A run without a disk cache: nothing reused, nothing to store.
impl From<Generated> for Persisted {
    fn from(generated: Generated) -> Self {
        let reuse = Reuse::Cold("no cache folder".into());
        Persisted { output: Output::Built(Arc::new(generated)), reuse, pending: None }
    }
}

/// The whole pipeline, reusing what the last runs with the same options left
/// in `dir` (see the module doc) through `cache`. `out` is where the files
/// go, when they may be left there as they are (a run of the same pages
/// into a folder that holds what the last run wrote builds nothing); with
/// `None` the files are always built, from the cache. Call
/// [`Persisted::store`] once they are written.
pub fn generate_persisted(
    sources: &[SourceFile],
    options: &EmitOptions,
    cache: &Cache,
    dir: &Path,
    out: Option<&Path>,
    progress: &dyn Progress,
) -> Result<Persisted, EmitError> {
    let keys = crate::page_keys(sources);
    let pages_key = crate::run_key(&keys);
    let Some(identity) = identity(options) else {
        let generated = crate::generate_cached_keyed(sources, &keys, pages_key, options, cache, progress, &|| {})?;
        let reuse = Reuse::Cold("the docgen executable cannot be read to tell its build".into());
        return Ok(Persisted { output: Output::Built(generated), reuse, pending: None });
    };
    progress.stage("cache", 0);
    let together = run_diagnostics_digest(sources);
    let this_run = ThisRun { sources, keys: &keys, pages_key, together };
    if let Some(out) = out
        && let Some(last) = read_run(dir, identity)
        && let Some((output, reuse)) = in_place(&last, &this_run, cache, out)
    {
        return Ok(Persisted { output, reuse, pending: None });
    }
    let (reuse, stored) = match read_items(dir, identity, &keys, cache) {
        Ok(stored) => {
            let reused = keys.iter().filter(|key| stored.pages.contains_key(key)).count();
            (Reuse::Partial { pages: reused, of: keys.len() }, stored)
        }
        Err(miss) => (Reuse::Cold(miss.to_string()), StoredFile::default()),
    };
    let pending = Pending {
        dir: dir.to_path_buf(),
        identity,
        pages_key,
        keys: keys.clone(),
        together,
        stored,
        encoded: Mutex::default(),
    };
    let encode_new_pages = || {
        let new: Vec<u64> = keys.iter().copied().filter(|key| !pending.stored.pages.contains_key(key)).collect();
        let encoded: Vec<(u64, Vec<u8>)> = new
            .into_iter()
            .filter_map(|key| {
                let page = cache.pages.get(key, 0)?;
                Some((key, encode_page(&page, |example| cache.emit.example_digest(example))?))
            })
            .collect();
        *pending.encoded.lock().unwrap_or_else(|e| e.into_inner()) = encoded;
    };
    let generated =
        crate::generate_cached_keyed(sources, &keys, pages_key, options, cache, progress, &encode_new_pages)?;
    Ok(Persisted { output: Output::Built(generated), reuse, pending: Some(pending) })
}

/// What a run is given, as the checks against the last run read it.
struct ThisRun<'a> {
    sources: &'a [SourceFile],
    /// Each page's key, in page order.
    keys: &'a [u64],
    pages_key: u64,
    /// [`run_diagnostics_digest`] of `sources`.
    together: u64,
}

/// The last run, as `run.bin` holds it, if this build wrote it for these options.
fn read_run(dir: &Path, identity: u64) -> Option<StoredRun> {
    let file = read_segments(&dir.join(RUN_FILE), identity, 0).ok()?;
    let [body] = file.bodies.as_slice() else { return None };
    decode_run(&file.bytes[body.clone()]).ok()
}

/// The last run's output, when `out` still holds exactly the files it wrote
/// and this run's pages are its pages (`pages_key`), or differ only in
/// pages whose items read the same ([`unaffected_changes`]).
fn in_place(last: &StoredRun, this_run: &ThisRun, cache: &Cache, out: &Path) -> Option<(Output, Reuse)> {
    let reuse = if last.pages_key == this_run.pages_key {
        Reuse::Unchanged
    } else {
        Reuse::Unaffected { changed: unaffected_changes(last, this_run, cache)? }
    };
    let output = Output::InPlace { files: last.files.len(), diagnostics: last.diagnostics.clone() };
    crate::output::matches(out, &last.files, content_hash).ok()?.then_some((output, reuse))
}

/// Most changed pages lowered to see whether their items changed: beyond
/// this, a run is more likely a new checkout than a touched date.
const MOST_LOWERED_FIRST: usize = 256;

/// How many pages changed since the last run, when each of them lowers to
/// items that encode as the page it replaces did (the same digest at the
/// same place in page order); `None` otherwise, or when more than
/// [`MOST_LOWERED_FIRST`] changed. The changed pages are lowered into
/// `cache`, so a run that must build after all does not lower them again.
fn unaffected_changes(last: &StoredRun, this_run: &ThisRun, cache: &Cache) -> Option<usize> {
    let ThisRun { sources, keys, together, .. } = *this_run;
    if last.digests.len() != keys.len() {
        return None;
    }
    let changed: Vec<usize> = (0..keys.len()).filter(|index| !last.digests.contains_key(&keys[*index])).collect();
    if changed.len() > MOST_LOWERED_FIRST {
        return None;
    }
    let lowered: Vec<(usize, Option<u64>)> = changed
        .par_iter()
        .map(|&index| {
            let page = crate::lower_page(&sources[index]);
            let digest = encode_page(&page, |example| cache.emit.example_digest(example)).map(|b| content_hash(&b));
            cache.pages.insert(keys[index], page, 0);
            (index, digest)
        })
        .collect();
    let mut digests: Vec<u64> = keys.iter().map(|key| last.digests.get(key).copied().unwrap_or_default()).collect();
    for (index, digest) in lowered {
        digests[index] = digest?;
    }
    (items_key(together, &digests) == last.items_key).then_some(changed.len())
}

/// Each page's key and the digest of its encoding, in page order, for
/// `run.bin`; `None` if a page could not be encoded (then no later run is
/// found unaffected).
fn page_digests(pending: &Pending) -> Option<Vec<(u64, u64)>> {
    let encoded = pending.encoded.lock().unwrap_or_else(|e| e.into_inner());
    let new: foldhash::HashMap<u64, &[u8]> = encoded.iter().map(|(key, bytes)| (*key, bytes.as_slice())).collect();
    let digest = |key: &u64| match new.get(key) {
        Some(bytes) => Some(content_hash(bytes)),
        None => pending.stored.pages.get(key).map(|range| content_hash(&pending.stored.bytes[range.clone()])),
    };
    pending.keys.par_iter().map(|key| Some((*key, digest(key)?))).collect()
}

/// One key for the items of every page, in page order, and for what the
/// pages give only together (`together`: [`run_diagnostics_digest`]).
fn items_key(together: u64, digests: &[u64]) -> u64 {
    let mut hasher = content_hasher();
    (together, digests).hash(&mut hasher);
    hasher.finish()
}

/// A digest of the diagnostics a run finds in its pages together, not page
/// by page (the note that include directives went unread for want of an
/// includes folder, which points at the first of them).
fn run_diagnostics_digest(sources: &[SourceFile]) -> u64 {
    content_hash(format!("{:?}", crate::source::includes::no_folder_note(sources)).as_bytes())
}

/// Why a cache file was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Miss {
    Absent,
    Other,
    Damaged(&'static str),
    Unreadable(String),
}

impl std::fmt::Display for Miss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Miss::Absent => write!(f, "no cache yet"),
            Miss::Other => write!(f, "the cache was written by another build of docgen or for other options"),
            Miss::Damaged(what) => write!(f, "the cache is damaged ({what}) and is rewritten"),
            Miss::Unreadable(error) => write!(f, "the cache cannot be read: {error}"),
        }
    }
}

/// What identifies the writer of a cache file: a file is only read by the
/// same build of docgen (the same executable, byte for byte) with the same
/// options. `None` when the executable cannot be read.
fn identity(options: &EmitOptions) -> Option<u64> {
    static EXECUTABLE: OnceLock<Option<u64>> = OnceLock::new();
    let executable = EXECUTABLE.get_or_init(|| {
        let file = std::fs::File::open(std::env::current_exe().ok()?).ok()?;
        Some(content_hash(&FileBytes::of(file).ok()?))
    });
    let mut hasher = content_hasher();
    (MAGIC, FORMAT, env!("CARGO_PKG_VERSION"), (*executable)?, options).hash(&mut hasher);
    Some(hasher.finish())
}

fn content_hash(bytes: &[u8]) -> u64 {
    let mut hasher = content_hasher();
    hasher.write(bytes);
    hasher.finish()
}

/// A segment's checksum: seeded with the identity of the file's writer, so
/// a segment another build appended to a file it did not write is damage.
/// Fed in chunks of a fixed size, so a segment written in pieces (straight
/// to the file) sums as the same bytes read back whole.
struct Checksum {
    hasher: crate::ContentHasher,
    chunk: Vec<u8>,
}

impl Checksum {
    const CHUNK: usize = 1 << 16;

    fn new(identity: u64) -> Self {
        let mut hasher = content_hasher();
        hasher.write_u64(identity);
        Checksum { hasher, chunk: Vec::with_capacity(Self::CHUNK) }
    }

    fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let take = bytes.len().min(Self::CHUNK - self.chunk.len());
            self.chunk.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.chunk.len() == Self::CHUNK {
                self.hasher.write(&self.chunk);
                self.chunk.clear();
            }
        }
    }

    fn finish(mut self) -> u64 {
        if !self.chunk.is_empty() {
            self.hasher.write(&self.chunk);
        }
        self.hasher.finish()
    }

    /// The checksum of a whole body.
    fn of(identity: u64, body: &[u8]) -> u64 {
        let mut hasher = content_hasher();
        hasher.write_u64(identity);
        for chunk in body.chunks(Self::CHUNK) {
            hasher.write(chunk);
        }
        hasher.finish()
    }
}

fn header(identity: u64, key: u64) -> Vec<u8> {
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&FORMAT.to_le_bytes());
    header.extend_from_slice(&identity.to_le_bytes());
    header.extend_from_slice(&key.to_le_bytes());
    header
}

/// A cache file's contents. On unix the file is mapped, not read: the
/// items file is tens of megabytes, and copying it into fresh memory was
/// most of the time its segments took to read (a mapping shares the pages
/// the system already holds). Writers never change a byte of a file once
/// written, they append or rename a new file over it, so what is mapped
/// stays as it was read. Elsewhere (Windows cannot rename a file over one
/// that is mapped) it is read.
#[derive(Debug)]
enum FileBytes {
    #[cfg(unix)]
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl Default for FileBytes {
    fn default() -> Self {
        FileBytes::Read(Vec::new())
    }
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            #[cfg(unix)]
            FileBytes::Mapped(map) => map,
            FileBytes::Read(bytes) => bytes,
        }
    }
}

impl FileBytes {
    fn of(file: std::fs::File) -> std::io::Result<FileBytes> {
        #[cfg(unix)]
        {
            // SAFETY: docgen only appends to a cache file or renames a new
            // one over it (see the type's doc), so the mapped bytes do not
            // change while they are read. Another program truncating the
            // file meanwhile is the one risk, as for any mapped file.
            unsafe { memmap2::Mmap::map(&file) }.map(FileBytes::Mapped)
        }
        #[cfg(not(unix))]
        {
            let (mut file, mut bytes) = (file, Vec::new());
            file.read_to_end(&mut bytes)?;
            Ok(FileBytes::Read(bytes))
        }
    }
}

/// A cache file as read.
struct Segments {
    /// All of it, header included.
    bytes: FileBytes,
    /// Where each whole segment's body is in `bytes`.
    bodies: Vec<Range<usize>>,
    /// It was read to its end (false: a truncated or damaged segment ended
    /// the reading).
    whole: bool,
}

/// The segments of a cache file whose header names this identity and key.
fn read_segments(path: &Path, identity: u64, key: u64) -> Result<Segments, Miss> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(Miss::Absent),
        Err(error) => return Err(Miss::Unreadable(error.to_string())),
    };
    let mut head = vec![0; HEADER_LEN];
    if file.read_exact(&mut head).is_err() || head[..MAGIC.len()] != *MAGIC {
        return Err(Miss::Damaged("not a docgen cache file"));
    }
    if head != header(identity, key) {
        return Err(Miss::Other);
    }
    let bytes = FileBytes::of(file).map_err(|e| Miss::Unreadable(e.to_string()))?;
    if bytes.get(..HEADER_LEN) != Some(head.as_slice()) {
        return Err(Miss::Damaged("it changed while it was read"));
    }
    let mut input = Reader { bytes: &bytes, at: HEADER_LEN };
    let mut segments = Vec::new();
    let whole = loop {
        if input.at == bytes.len() {
            break true;
        }
        match input.bytes().and_then(|body| Ok((body, input.u64()?))) {
            Ok((body, sum)) if Checksum::of(identity, body) == sum => {
                let start = body.as_ptr() as usize - bytes.as_ptr() as usize;
                segments.push(start..start + body.len());
            }
            _ => break false,
        }
    };
    Ok(Segments { bytes, bodies: segments, whole })
}

/// Where a segment goes: a new file (written under a temporary name, then
/// renamed over the old one, so a reader sees one or the other whole), or
/// the end of the file there is.
enum Target {
    Whole { header: Vec<u8> },
    Append,
}

/// A cache file opened for one segment: a new file under a temporary name
/// (its header written), renamed over the old one by [`SegmentFile::finish`]
/// so a reader sees one or the other whole; or the file there is, for a
/// segment at its end.
struct SegmentFile {
    file: std::fs::File,
    path: PathBuf,
    temporary: Option<PathBuf>,
}

impl SegmentFile {
    fn open(path: &Path, target: Target) -> Result<SegmentFile, String> {
        let temporary = path.with_extension(format!("{}.tmp", std::process::id()));
        let opened = match &target {
            Target::Whole { header } => std::fs::File::create(&temporary).and_then(|mut file| {
                file.write_all(header)?;
                Ok(file)
            }),
            Target::Append => std::fs::OpenOptions::new().append(true).open(path),
        };
        let file = opened.map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            format!("cannot write {}: {e}", path.display())
        })?;
        let temporary = matches!(target, Target::Whole { .. }).then_some(temporary);
        Ok(SegmentFile { file, path: path.to_path_buf(), temporary })
    }

    /// Writes one segment whose body `body` puts into a [`Sink`], straight
    /// to the file: its length first (from a pass that only counts), then
    /// the body through the [`Checksum`], then the checksum. Nothing of the
    /// size of the file is held in memory.
    fn write(self, identity: u64, body: impl Fn(&mut dyn Sink) -> std::io::Result<()>) -> Result<Self, String> {
        let SegmentFile { file, path, temporary } = self;
        let written = (|| {
            let mut counted = Count(0);
            body(&mut counted)?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            out.write_all(&counted.0.to_le_bytes())?;
            let mut segment = ToFile { out, checksum: Checksum::new(identity), len: 0 };
            body(&mut segment)?;
            if segment.len != counted.0 {
                return Err(std::io::Error::other("the segment changed between counting and writing"));
            }
            let ToFile { mut out, checksum, .. } = segment;
            out.write_all(&checksum.finish().to_le_bytes())?;
            out.into_inner().map_err(|e| e.into_error())
        })();
        match written {
            Ok(file) => Ok(SegmentFile { file, path, temporary }),
            Err(error) => {
                if let Some(temporary) = &temporary {
                    let _ = std::fs::remove_file(temporary);
                }
                Err(format!("cannot write {}: {error}", path.display()))
            }
        }
    }

    /// Puts a new file in place of the old one.
    fn finish(self) -> Result<(), String> {
        let Some(temporary) = self.temporary else { return Ok(()) };
        drop(self.file);
        std::fs::rename(&temporary, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            format!("cannot write {}: {e}", self.path.display())
        })
    }
}

/// Where encoded bytes go.
trait Sink {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()>;

    fn u64(&mut self, value: u64) -> std::io::Result<()> {
        self.put(&value.to_le_bytes())
    }

    /// Length, then the bytes.
    fn bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.u64(bytes.len() as u64)?;
        self.put(bytes)
    }
}

/// Counts what would be written.
struct Count(u64);

impl Sink for Count {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.0 += bytes.len() as u64;
        Ok(())
    }
}

/// Writes a segment's body to its file, summing it on the way.
struct ToFile {
    out: std::io::BufWriter<std::fs::File>,
    checksum: Checksum,
    len: u64,
}

impl Sink for ToFile {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.checksum.update(bytes);
        self.len += bytes.len() as u64;
        self.out.write_all(bytes)
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

/// A diagnostic with everything it holds (its serde form leaves out the
/// span and the text to point at).
#[derive(Serialize, Deserialize)]
struct StoredDiagnostic {
    code: Code,
    severity: Severity,
    location: Location,
    message: String,
    span: Option<Range<usize>>,
    needle: Option<String>,
}

impl From<&Diagnostic> for StoredDiagnostic {
    fn from(d: &Diagnostic) -> Self {
        StoredDiagnostic {
            code: d.code,
            severity: d.severity,
            location: d.location.clone(),
            message: d.message.clone(),
            span: d.span.clone(),
            needle: d.needle.clone(),
        }
    }
}

impl From<StoredDiagnostic> for Diagnostic {
    fn from(d: StoredDiagnostic) -> Self {
        Diagnostic {
            code: d.code,
            severity: d.severity,
            location: d.location,
            message: d.message,
            span: d.span,
            needle: d.needle,
        }
    }
}

/// One lowered page as written: its items, its diagnostics, the links its
/// serde form leaves out, and the digest of each example of its operations
/// (in order), which the emit cache keys example tests by. Encoded as
/// MessagePack without field names (each struct an array of its fields, in
/// order), which keeps `serde_json::Value`s and float bits as they are;
/// the IR leaves no empty field out meanwhile ([`crate::ir::omit`]).
/// Field names made the file a fifth larger and decoding 14% slower.
#[derive(Serialize)]
struct PageOut<'a> {
    page: &'a PageInfo,
    links: &'a [PageLink],
    models: &'a [Arc<Model>],
    enums: &'a [Enum],
    operations: &'a [Arc<Operation>],
    diagnostics: Vec<StoredDiagnostic>,
    example_digests: Vec<u64>,
}

/// [`PageOut`] read back.
#[derive(Deserialize)]
struct PageIn {
    page: PageInfo,
    links: Vec<PageLink>,
    models: Vec<Arc<Model>>,
    enums: Vec<Enum>,
    operations: Vec<Arc<Operation>>,
    diagnostics: Vec<StoredDiagnostic>,
    example_digests: Vec<u64>,
}

/// A page's encoding; `None` if it cannot be encoded (then it is not kept).
fn encode_page(page: &LoweredPage, digest: impl Fn(&Arc<Example>) -> u64) -> Option<Vec<u8>> {
    let (lowered, diagnostics) = &**page;
    let out = PageOut {
        page: &lowered.page,
        links: &lowered.page.links,
        models: &lowered.models,
        enums: &lowered.enums,
        operations: &lowered.operations,
        diagnostics: diagnostics.iter().map(StoredDiagnostic::from).collect(),
        example_digests: lowered.operations.iter().flat_map(|op| &op.examples).map(digest).collect(),
    };
    crate::ir::omit::keeping_all(|| rmp_serde::to_vec(&out)).ok()
}

/// A page read back, and the digests of its examples in order.
fn decode_page(bytes: &[u8]) -> Result<(LoweredPage, Vec<u64>), Miss> {
    let page: PageIn = rmp_serde::from_slice(bytes).map_err(|_| Miss::Damaged("a page does not decode"))?;
    let mut info = page.page;
    info.links = page.links;
    let lowered = lower::Lowered { page: info, models: page.models, enums: page.enums, operations: page.operations };
    let diagnostics = page.diagnostics.into_iter().map(Diagnostic::from).collect();
    Ok((Arc::new((lowered, diagnostics)), page.example_digests))
}

/// The last run, read back: its pages' key, each page's digest by page key
/// and the [`items_key`] of them in page order (none if a page could not be
/// encoded), each file's path and [`content_hash`], and its diagnostics.
struct StoredRun {
    pages_key: u64,
    digests: foldhash::HashMap<u64, u64>,
    items_key: u64,
    files: Vec<(String, u64)>,
    diagnostics: Vec<Diagnostic>,
}

fn encode_run(
    pages_key: u64,
    (together, digests): (u64, Option<Vec<(u64, u64)>>),
    files: &[GeneratedFile],
    diagnostics: &[Diagnostic],
) -> Result<Vec<u8>, String> {
    let hashes: Vec<u64> = files.par_iter().map(|file| content_hash(file.contents.as_bytes())).collect();
    let stored: Vec<StoredDiagnostic> = diagnostics.iter().map(StoredDiagnostic::from).collect();
    let diagnostics = rmp_serde::to_vec_named(&stored).map_err(|e| format!("cannot encode the diagnostics: {e}"))?;
    let mut out = Vec::new();
    (|| {
        out.u64(pages_key)?;
        match digests {
            Some(digests) => {
                let in_order: Vec<u64> = digests.iter().map(|(_, digest)| *digest).collect();
                out.u64(items_key(together, &in_order))?;
                out.u64(digests.len() as u64)?;
                for (key, digest) in digests {
                    out.u64(key)?;
                    out.u64(digest)?;
                }
            }
            None => {
                out.u64(0)?;
                out.u64(0)?;
            }
        }
        out.u64(files.len() as u64)?;
        for (file, hash) in files.iter().zip(hashes) {
            out.bytes(file.path.as_bytes())?;
            out.u64(hash)?;
        }
        out.bytes(&diagnostics)
    })()
    .map_err(|e| e.to_string())?;
    Ok(out)
}

fn decode_run(body: &[u8]) -> Result<StoredRun, Miss> {
    let mut input = Reader { bytes: body, at: 0 };
    let pages_key = input.u64()?;
    let items_key = input.u64()?;
    let mut digests = foldhash::HashMap::default();
    for _ in 0..input.u64()? {
        digests.insert(input.u64()?, input.u64()?);
    }
    let mut files = Vec::new();
    for _ in 0..input.u64()? {
        files.push((input.str()?.to_string(), input.u64()?));
    }
    let stored: Vec<StoredDiagnostic> =
        rmp_serde::from_slice(input.bytes()?).map_err(|_| Miss::Damaged("the diagnostics do not decode"))?;
    input.end()?;
    Ok(StoredRun {
        pages_key,
        digests,
        items_key,
        files,
        diagnostics: stored.into_iter().map(Diagnostic::from).collect(),
    })
}

/// An emit entry's key, tagged by its map so keys of different maps differ.
fn tagged(map: u8, key: u64) -> u64 {
    key.rotate_left(u32::from(map)) ^ u64::from(map)
}

/// Reads the items file into `cache` (every emit entry, and the pages among
/// `keys`, decoded in parallel), marked as used by no run yet: what this run
/// does not use is dropped when it ends. The file is indexed first; the
/// emit entries are then copied out on one core while the pages decode on
/// both.
fn read_items(dir: &Path, identity: u64, keys: &[u64], cache: &Cache) -> Result<StoredFile, Miss> {
    let Segments { bytes, bodies, whole } = read_segments(&dir.join(ITEMS_FILE), identity, 0)?;
    let mut stored = StoredFile { whole, ..StoredFile::default() };
    let mut entries = EmitEntries::default();
    let at = |slice: &[u8]| {
        let start = slice.as_ptr() as usize - bytes.as_ptr() as usize;
        start..start + slice.len()
    };
    for segment in &bodies {
        let mut input = Reader { bytes: &bytes[..segment.end], at: segment.start };
        for _ in 0..input.u64()? {
            let key = input.u64()?;
            stored.pages.insert(key, at(input.bytes()?));
        }
        for map in [1, 2] {
            for _ in 0..input.u64()? {
                let key = input.u64()?;
                stored.emit_keys.insert(tagged(map, key));
                entries.texts.push((map, key, at(input.bytes()?)));
            }
        }
        for _ in 0..input.u64()? {
            let key = input.u64()?;
            stored.emit_keys.insert(tagged(3, key));
            entries.names.push((key, at(input.bytes()?)));
        }
        input.end()?;
    }
    let wanted: HashSet<u64> = keys.iter().copied().collect();
    let wanted: Vec<(u64, Range<usize>)> =
        stored.pages.iter().filter(|(key, _)| wanted.contains(key)).map(|(key, range)| (*key, range.clone())).collect();
    let (pages, emit) = rayon::join(
        || {
            wanted
                .par_iter()
                .map(|(key, range)| decode_page(&bytes[range.clone()]).map(|(page, digests)| (*key, page, digests)))
                .collect::<Result<Vec<_>, Miss>>()
        },
        || entries.read(&bytes),
    );
    for (key, page, digests) in pages? {
        let examples = page.0.operations.iter().flat_map(|op| &op.examples);
        for (example, digest) in examples.zip(digests) {
            cache.emit.restore_example_digest(example, digest);
        }
        cache.pages.insert(key, page, 0);
    }
    cache.emit.restore(emit?);
    stored.bytes = bytes;
    Ok(stored)
}

/// Where the items file's emit entries are: texts by map number (1:
/// formatted items, 2: texts) and key, and encoded test names by key.
#[derive(Default)]
struct EmitEntries {
    texts: Vec<(u8, u64, Range<usize>)>,
    names: Vec<(u64, Range<usize>)>,
}

impl EmitEntries {
    /// The entries, read out of `bytes` (the file they index).
    fn read(&self, bytes: &[u8]) -> Result<StoredItems, Miss> {
        let mut emit = StoredItems::default();
        for (map, key, range) in &self.texts {
            let text = std::str::from_utf8(&bytes[range.clone()]).map_err(|_| Miss::Damaged("a text is not UTF-8"))?;
            let texts = if *map == 1 { &mut emit.formatted } else { &mut emit.texts };
            texts.push((*key, Arc::from(text)));
        }
        for (key, range) in &self.names {
            let names: Vec<TestNames> =
                rmp_serde::from_slice(&bytes[range.clone()]).map_err(|_| Miss::Damaged("test names do not decode"))?;
            emit.test_names.push((*key, names.into()));
        }
        Ok(emit)
    }
}

/// What goes into the items file after a run: the entries `cache` holds
/// then (those the run used), appended as a segment of what the file lacks,
/// or the file rewritten with only them once it holds twice what the run
/// used (or it was not read whole).
struct ItemsPlan<'a> {
    /// Pages as the file held them.
    kept_pages: Vec<(u64, &'a [u8])>,
    /// Pages this run encoded.
    new_pages: Vec<(u64, Vec<u8>)>,
    emit: StoredItems,
    names: Vec<(u64, Vec<u8>)>,
    /// Appending: the emit entries already in the file, left out.
    appending_to: Option<&'a HashSet<u64>>,
}

impl<'a> ItemsPlan<'a> {
    /// `None` when the file already holds everything the run used.
    fn new(cache: &Cache, pending: &'a Pending) -> Result<Option<ItemsPlan<'a>>, String> {
        let stored = &pending.stored;
        let mut new_pages = std::mem::take(&mut *pending.encoded.lock().unwrap_or_else(|e| e.into_inner()));
        new_pages.sort_unstable_by_key(|(key, _)| *key);
        let used_pages: Vec<u64> = cache.pages.entries().into_iter().map(|(key, _)| key).collect();
        let emit = cache.emit.stored();
        let text_size = |texts: &[(u64, Arc<str>)]| texts.iter().map(|(_, text)| text.len()).sum::<usize>();
        let used = used_pages.iter().filter_map(|key| stored.pages.get(key)).map(Range::len).sum::<usize>()
            + new_pages.iter().map(|(_, bytes)| bytes.len()).sum::<usize>()
            + text_size(&emit.formatted)
            + text_size(&emit.texts);
        let rewrite = !stored.whole || stored.bytes.len() > 2 * used + (1 << 20);
        let kept_pages = if rewrite {
            let in_file = used_pages.iter().filter_map(|key| Some((*key, stored.pages.get(key)?.clone())));
            in_file.map(|(key, range)| (key, &stored.bytes[range])).collect()
        } else {
            Vec::new()
        };
        let appending_to = (!rewrite).then_some(&stored.emit_keys);
        let keep = |map, key| appending_to.is_none_or(|stored| !stored.contains(&tagged(map, key)));
        let names = encode_names(&emit, keep)?;
        let plan = ItemsPlan { kept_pages, new_pages, emit, names, appending_to };
        let nothing_new = !rewrite
            && plan.new_pages.is_empty()
            && plan.names.is_empty()
            && [(1, &plan.emit.formatted), (2, &plan.emit.texts)]
                .iter()
                .all(|(map, texts)| texts.iter().all(|(key, _)| !plan.keeps(*map, *key)));
        Ok((!nothing_new).then_some(plan))
    }

    fn target(&self, pending: &Pending) -> Target {
        match self.appending_to {
            Some(_) => Target::Append,
            None => Target::Whole { header: header(pending.identity, 0) },
        }
    }

    fn keeps(&self, map: u8, key: u64) -> bool {
        self.appending_to.is_none_or(|stored| !stored.contains(&tagged(map, key)))
    }

    fn encode(&self, sink: &mut dyn Sink) -> std::io::Result<()> {
        let pages = self.kept_pages.iter().map(|(key, bytes)| (*key, *bytes));
        let pages: Vec<(u64, &[u8])> =
            pages.chain(self.new_pages.iter().map(|(key, bytes)| (*key, bytes.as_slice()))).collect();
        encode_items(sink, &pages, &self.emit, &self.names, |map, key| self.keeps(map, key))
    }
}

/// The test names `keep` accepts (by map number and key), encoded.
fn encode_names(emit: &StoredItems, keep: impl Fn(u8, u64) -> bool) -> Result<Vec<(u64, Vec<u8>)>, String> {
    emit.test_names
        .iter()
        .filter(|(key, _)| keep(3, *key))
        .map(|(key, names)| {
            let bytes = rmp_serde::to_vec_named(&**names).map_err(|e| format!("cannot encode test names: {e}"))?;
            Ok((*key, bytes))
        })
        .collect()
}

/// A segment body: the pages given, the formatted items and texts `keep`
/// accepts (by map number and key), then the test names given.
fn encode_items(
    out: &mut dyn Sink,
    pages: &[(u64, &[u8])],
    emit: &StoredItems,
    names: &[(u64, Vec<u8>)],
    keep: impl Fn(u8, u64) -> bool,
) -> std::io::Result<()> {
    out.u64(pages.len() as u64)?;
    for (key, bytes) in pages {
        out.u64(*key)?;
        out.bytes(bytes)?;
    }
    for (map, texts) in [(1, &emit.formatted), (2, &emit.texts)] {
        let kept: Vec<&(u64, Arc<str>)> = texts.iter().filter(|(key, _)| keep(map, *key)).collect();
        out.u64(kept.len() as u64)?;
        for (key, text) in kept {
            out.u64(*key)?;
            out.bytes(text.as_bytes())?;
        }
    }
    out.u64(names.len() as u64)?;
    for (key, bytes) in names {
        out.u64(*key)?;
        out.bytes(bytes)?;
    }
    Ok(())
}

/// Reads what a [`Sink`] was given; running out is damage, never a panic.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], Miss> {
        let end =
            self.at.checked_add(len).filter(|end| *end <= self.bytes.len()).ok_or(Miss::Damaged("it ends early"))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u64(&mut self) -> Result<u64, Miss> {
        let bytes: [u8; 8] = self.take(8)?.try_into().map_err(|_| Miss::Damaged("it ends early"))?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn bytes(&mut self) -> Result<&'a [u8], Miss> {
        let len = self.u64()?;
        self.take(usize::try_from(len).map_err(|_| Miss::Damaged("a length is too large"))?)
    }

    fn str(&mut self) -> Result<&'a str, Miss> {
        std::str::from_utf8(self.bytes()?).map_err(|_| Miss::Damaged("a text is not UTF-8"))
    }

    fn end(&self) -> Result<(), Miss> {
        if self.at == self.bytes.len() { Ok(()) } else { Err(Miss::Damaged("it goes on after its end")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::read_docs;

    fn folder(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(relative)
    }

    /// Our own docs folders: the checked-in crate's and the test fixtures.
    fn our_docs() -> Vec<Vec<SourceFile>> {
        ["docs-input", "tests/fixtures/pages", "tests/fixtures/lint", "tests/fixtures/model_shapes"]
            .iter()
            .map(|f| read_docs(&folder(f)).expect("the fixtures are readable"))
            .collect()
    }

    fn options() -> EmitOptions {
        EmitOptions {
            crate_name: "graph-sdk".into(),
            base_url: "https://graph.microsoft.com/beta".into(),
            runtime_path: "../runtime".into(),
            standalone: false,
            docs_label: "docs-input".into(),
            features: true,
        }
    }

    /// A folder of its own for one test, removed when the test ends.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("docgen-disk-cache-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            Scratch(dir)
        }

        fn cache(&self) -> PathBuf {
            self.0.join("out/target/docgen-cache")
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

    /// One `docgen gen` as the command line runs it: a new cache in memory,
    /// the disk cache in `scratch`, the files written, the cache stored.
    /// Hands back the files and diagnostics (read from the output folder
    /// when the run left it as it was) and what it reused.
    fn process(
        sources: &[SourceFile],
        options: &EmitOptions,
        scratch: &Scratch,
    ) -> (Vec<GeneratedFile>, Vec<Diagnostic>, Reuse) {
        let cache = Cache::default();
        let run = generate_persisted(sources, options, &cache, &scratch.cache(), Some(&scratch.out()), &()).unwrap();
        if let Some(files) = run.files() {
            // The cache folder is inside the output's target folder, which
            // writing the output moves while the cache is written.
            let (written, stored) = run.store_while(&cache, || crate::output::write(&scratch.out(), files));
            written.unwrap();
            stored.unwrap();
            assert!(scratch.cache().join(RUN_FILE).is_file() && scratch.cache().join(ITEMS_FILE).is_file());
        }
        let files = match run.files() {
            Some(files) => files.to_vec(),
            None => on_disk(&scratch.out(), &crate::generate(sources, options).unwrap().files),
        };
        (files, run.diagnostics().to_vec(), run.reuse.clone())
    }

    /// The files of `out`, read back in the order and under the names of `like`.
    fn on_disk(out: &Path, like: &[GeneratedFile]) -> Vec<GeneratedFile> {
        like.iter()
            .map(|f| GeneratedFile {
                path: f.path.clone(),
                contents: std::fs::read_to_string(out.join(&f.path)).unwrap(),
            })
            .collect()
    }

    /// What a run without any cache makes of `sources`.
    fn cold(sources: &[SourceFile], options: &EmitOptions) -> (Vec<GeneratedFile>, Vec<Diagnostic>) {
        let generated = crate::generate(sources, options).unwrap();
        (generated.files, generated.diagnostics)
    }

    /// A scratch folder, the checked-in crate's pages and options, and a
    /// first run that left its cache.
    fn after_a_first_run(name: &str) -> (Scratch, Vec<SourceFile>, EmitOptions) {
        let scratch = Scratch::new(name);
        let sources = read_docs(&folder("docs-input")).unwrap();
        let options = options();
        process(&sources, &options, &scratch);
        (scratch, sources, options)
    }

    fn edit(sources: &mut [SourceFile], number: usize) {
        let page = sources.iter_mut().find(|s| s.text.contains("\n## Properties")).expect("a resource page");
        page.text = page.text.replacen("\n## Properties", &format!("\nEdited {number}.\n\n## Properties"), 1);
    }

    fn assert_same(run: &(Vec<GeneratedFile>, Vec<Diagnostic>, Reuse), cold: &(Vec<GeneratedFile>, Vec<Diagnostic>)) {
        assert!(run.0 == cold.0, "the files differ from a cold run's ({:?})", run.2);
        assert_eq!(run.1, cold.1, "the diagnostics differ from a cold run's ({:?})", run.2);
    }

    #[test]
    fn every_page_reads_back_as_it_was_lowered() {
        for sources in our_docs() {
            let cache = Cache::default();
            crate::extract_cached(&sources, &cache);
            for (key, page) in cache.pages.entries() {
                let bytes = encode_page(&page, |_| key).expect("a page encodes");
                let (back, digests) = decode_page(&bytes).expect("a page decodes");
                assert_eq!(back, page, "{}", page.0.page.file);
                assert!(digests.iter().all(|d| *d == key));
            }
        }
    }

    #[test]
    fn warm_and_unchanged_runs_equal_cold_runs() {
        let scratch = Scratch::new("warm");
        let mut sources = read_docs(&folder("docs-input")).unwrap();
        let options = options();
        let first = process(&sources, &options, &scratch);
        assert_eq!(first.2, Reuse::Cold("no cache yet".into()));
        assert_same(&first, &cold(&sources, &options));
        let again = process(&sources, &options, &scratch);
        assert_eq!(again.2, Reuse::Unchanged);
        assert_same(&again, &cold(&sources, &options));
        for number in 1..=3 {
            edit(&mut sources, number);
            let warm = process(&sources, &options, &scratch);
            assert_eq!(warm.2, Reuse::Partial { pages: sources.len() - 1, of: sources.len() });
            assert_same(&warm, &cold(&sources, &options));
        }
        // Output edited or removed by hand is written again, not trusted.
        let (files, _) = cold(&sources, &options);
        std::fs::write(scratch.out().join(&files[0].path), "edited by hand").unwrap();
        let repaired = process(&sources, &options, &scratch);
        assert!(matches!(repaired.2, Reuse::Partial { .. }), "{:?}", repaired.2);
        assert_eq!(std::fs::read_to_string(scratch.out().join(&files[0].path)).unwrap(), files[0].contents);
    }

    #[test]
    fn pages_changed_only_where_docgen_does_not_read_build_nothing() {
        let (scratch, mut sources, options) = after_a_first_run("unaffected");
        // The author is not read; a new one changes the page, not its items.
        for page in sources.iter_mut().take(2) {
            assert!(page.text.contains("author: \"docgen-team\""), "{}", page.path);
            page.text = page.text.replacen("author: \"docgen-team\"", "author: \"someone-else\"", 1);
        }
        let run = process(&sources, &options, &scratch);
        assert_eq!(run.2, Reuse::Unaffected { changed: 2 });
        assert_same(&run, &cold(&sources, &options));
        // Again, and then a change docgen reads: that one is built.
        assert_eq!(process(&sources, &options, &scratch).2, Reuse::Unaffected { changed: 2 });
        edit(&mut sources, 1);
        let built = process(&sources, &options, &scratch);
        assert_eq!(built.2, Reuse::Partial { pages: sources.len() - 3, of: sources.len() });
        assert_same(&built, &cold(&sources, &options));
        assert_eq!(process(&sources, &options, &scratch).2, Reuse::Unchanged);
    }

    #[test]
    fn other_options_do_not_read_the_cache() {
        let (scratch, sources, _) = after_a_first_run("options");
        let other = EmitOptions { crate_name: "other-sdk".into(), ..options() };
        let run = process(&sources, &other, &scratch);
        assert_eq!(run.2, Reuse::Cold(Miss::Other.to_string()));
        assert_same(&run, &cold(&sources, &other));
    }

    #[test]
    fn a_cache_of_another_build_is_not_read() {
        let (scratch, mut sources, _) = after_a_first_run("stale");
        // What an older docgen left: the same files under another identity.
        for name in [RUN_FILE, ITEMS_FILE] {
            let path = scratch.cache().join(name);
            let mut bytes = std::fs::read(&path).unwrap();
            bytes[MAGIC.len() + 4] ^= 1;
            std::fs::write(&path, bytes).unwrap();
        }
        edit(&mut sources, 1);
        let run = process(&sources, &options(), &scratch);
        assert_eq!(run.2, Reuse::Cold(Miss::Other.to_string()));
        assert_same(&run, &cold(&sources, &options()));
    }

    #[test]
    fn truncated_or_damaged_caches_never_change_the_output() {
        let (scratch, mut sources, options) = after_a_first_run("damaged");
        edit(&mut sources, 1);
        process(&sources, &options, &scratch);
        let items = scratch.cache().join(ITEMS_FILE);
        let whole = std::fs::read(&items).unwrap();
        let run_file = std::fs::read(scratch.cache().join(RUN_FILE)).unwrap();
        let cuts = [0, 3, HEADER_LEN, HEADER_LEN + 5, whole.len() / 3, whole.len() / 2, whole.len() - 1];
        let flips = [HEADER_LEN + 9, whole.len() / 2, whole.len() - 2];
        let damaged = cuts
            .iter()
            .map(|cut| whole[..*cut].to_vec())
            .chain(flips.iter().map(|at| {
                let mut bytes = whole.clone();
                bytes[*at] ^= 0x20;
                bytes
            }))
            .chain([b"not a cache at all".to_vec()]);
        for (number, bytes) in damaged.enumerate() {
            std::fs::write(&items, &bytes).unwrap();
            std::fs::write(scratch.cache().join(RUN_FILE), &run_file[..run_file.len() / 2]).unwrap();
            edit(&mut sources, number + 2);
            let run = process(&sources, &options, &scratch);
            assert_same(&run, &cold(&sources, &options));
            // The damage is gone: the next run reads the file written after it.
            edit(&mut sources, number + 100);
            let next = process(&sources, &options, &scratch);
            assert_eq!(next.2, Reuse::Partial { pages: sources.len() - 1, of: sources.len() }, "cut {}", bytes.len());
            assert_same(&next, &cold(&sources, &options));
        }
    }

    #[test]
    fn a_segment_cut_short_keeps_the_segments_before_it() {
        let (scratch, mut sources, options) = after_a_first_run("segments");
        let items = scratch.cache().join(ITEMS_FILE);
        let first_len = std::fs::metadata(&items).unwrap().len() as usize;
        edit(&mut sources, 1);
        process(&sources, &options, &scratch);
        let bytes = std::fs::read(&items).unwrap();
        assert!(bytes.len() > first_len, "the edit was appended");
        std::fs::write(&items, &bytes[..bytes.len() - 3]).unwrap();
        edit(&mut sources, 2);
        let run = process(&sources, &options, &scratch);
        assert_eq!(run.2, Reuse::Partial { pages: sources.len() - 1, of: sources.len() });
        assert_same(&run, &cold(&sources, &options));
    }

    #[test]
    fn the_items_file_is_rewritten_once_it_holds_twice_what_a_run_uses() {
        let (scratch, mut sources, options) = after_a_first_run("compaction");
        let first_len = std::fs::metadata(scratch.cache().join(ITEMS_FILE)).unwrap().len();
        let mut longest = first_len;
        for number in 1..=40 {
            edit(&mut sources, number);
            process(&sources, &options, &scratch);
            longest = longest.max(std::fs::metadata(scratch.cache().join(ITEMS_FILE)).unwrap().len());
        }
        assert!(longest <= 2 * first_len + (1 << 20) + first_len / 2, "{longest} vs {first_len}");
    }
}
