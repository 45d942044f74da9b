//! The emit cache: what emitting built, kept by a hash of what it was built
//! from (see `keys`), so that a run after a small change prints only the
//! items that change touched. Kept apart from the printing so that how text
//! is made and how it is remembered can be read (and changed) one at a time.

use std::sync::Arc;

use super::{StoredItems, keys, tests};
use crate::ir::Example;
use crate::run_cache::{RunMap, RunningCrates};

/// Formatted items, keyed by a hash of their tokens. Printing is a pure
/// function of the tokens, so a run after a one-page change formats only the
/// items that page touches; the rest come from here. Share one cache across
/// runs in a process (the benchmark, a watch loop); output is byte-identical
/// with or without it. What no crate's latest run used is dropped when the
/// last running crate's run of [`Cache`](crate::Cache) ends.
#[derive(Debug, Default)]
pub struct EmitCache {
    /// The bits of the crates whose runs are in progress.
    pub(crate) run: RunningCrates,
    formatted: RunMap<Arc<str>>,
    /// Content hashes of examples, by address. An unchanged page's examples
    /// come back as the same `Arc`s (the page cache shares them), so a warm
    /// run hashes only the changed page's JSON; holding the `Arc` keeps the
    /// address from being reused by another example.
    example_digests: RunMap<(Arc<Example>, u64)>,
    /// Texts built without tokens (the manifests), by a hash of what they print.
    texts: RunMap<Arc<str>>,
    /// The names of the example tests, by a hash of the names they were
    /// claimed from: claiming is sequential, and the same bases give the
    /// same names.
    test_names: RunMap<Arc<[tests::TestNames]>>,
}

impl EmitCache {
    /// [`keys::example_digest`] of `example`, computed once per `Arc`.
    pub(crate) fn example_digest(&self, example: &Arc<Example>) -> u64 {
        let address = Arc::as_ptr(example) as usize as u64;
        let bit = self.run.get();
        self.example_digests.get_or_insert_with(address, bit, || (example.clone(), keys::example_digest(example))).1
    }

    /// `build()`, or what it returned for `key` before.
    pub(super) fn remember_text(&self, key: u64, build: impl FnOnce() -> String) -> Arc<str> {
        self.texts.get_or_insert_with(key, self.run.get(), || build().into())
    }

    /// `claim()`, or what it returned for `key` before.
    pub(super) fn remember_names(
        &self,
        key: u64,
        claim: impl FnOnce() -> Vec<tests::TestNames>,
    ) -> Arc<[tests::TestNames]> {
        self.test_names.get_or_insert_with(key, self.run.get(), || claim().into())
    }

    pub(super) fn get(&self, key: u64) -> Option<Arc<str>> {
        self.formatted.get(key, self.run.get())
    }

    pub(super) fn put(&self, key: u64, text: Arc<str>) {
        self.formatted.insert(key, text, self.run.get());
    }

    /// A run of the crate of `bit` starts (see the `run_cache` module).
    pub(crate) fn start_run(&self, bit: u64) {
        self.run.start(bit);
        self.formatted.forget(bit);
        self.example_digests.forget(bit);
        self.texts.forget(bit);
        self.test_names.forget(bit);
    }

    /// Drops what no crate's latest run used.
    pub(crate) fn drop_unused(&self) {
        self.formatted.drop_unused();
        self.example_digests.drop_unused();
        self.texts.drop_unused();
        self.test_names.drop_unused();
    }

    /// What the disk cache keeps of this one: the formatted items, the
    /// manifests' texts and the test names, each sorted by key.
    pub(crate) fn stored(&self) -> StoredItems {
        StoredItems {
            formatted: self.formatted.entries(),
            texts: self.texts.entries(),
            test_names: self.test_names.entries(),
        }
    }

    /// Puts what the disk cache kept back, marked as used by no run yet.
    pub(crate) fn restore(&self, items: StoredItems) {
        for (key, text) in items.formatted {
            self.formatted.insert(key, text, 0);
        }
        for (key, text) in items.texts {
            self.texts.insert(key, text, 0);
        }
        for (key, names) in items.test_names {
            self.test_names.insert(key, names, 0);
        }
    }

    /// The digest of an example read back from the disk cache, which
    /// [`keys::example_digest`] gave when it was written.
    pub(crate) fn restore_example_digest(&self, example: &Arc<Example>, digest: u64) {
        let address = Arc::as_ptr(example) as usize as u64;
        self.example_digests.insert(address, (example.clone(), digest), 0);
    }

    /// How many entries the cache holds.
    pub fn len(&self) -> usize {
        self.formatted.len() + self.example_digests.len() + self.texts.len() + self.test_names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
