//! The maps behind [`Cache`](crate::Cache): each entry remembers which
//! crates' latest runs used it, so a process that regenerates after every
//! edit (a watch loop, the benchmark) keeps what the latest run of each crate
//! needs and drops the rest, instead of growing with every edit.
//!
//! A crate (one set of emit options) gets a bit. When its run starts, the bit
//! is cleared on every entry; each entry the run reads or writes gets the
//! bits of every crate running then; when the last running crate's run ends,
//! entries with no bit left are dropped. Dropping an entry only ever costs
//! rebuilding it: output is the same either way.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use foldhash::HashMap;

/// The bits of the crates whose runs are in progress; 0 outside the runs of
/// [`Cache`](crate::Cache), so what is cached then is dropped when the next
/// run ends. Crates may run at the same time (a full run generates v1.0
/// and beta side by side): an entry used then is marked for every crate
/// running, which keeps it until each of them has run again, no longer.
#[derive(Debug, Default)]
pub struct RunningCrates(AtomicU64);

impl RunningCrates {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// The run of the crate of `bit` starts.
    pub fn start(&self, bit: u64) {
        self.0.fetch_or(bit, Ordering::Relaxed);
    }

    /// The run of the crate of `bit` ends; true when no other run is left.
    pub fn finish(&self, bit: u64) -> bool {
        self.0.fetch_and(!bit, Ordering::Relaxed) & !bit == 0
    }
}

/// Values by key, each with the bits of the crates whose latest run used it.
#[derive(Debug)]
pub struct RunMap<V> {
    entries: Mutex<HashMap<u64, (V, u64)>>,
}

impl<V> Default for RunMap<V> {
    fn default() -> Self {
        RunMap { entries: Mutex::default() }
    }
}

impl<V: Clone> RunMap<V> {
    /// The value for `key`, marked as used by the run of `bit`.
    pub fn get(&self, key: u64, bit: u64) -> Option<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (value, used_by) = entries.get_mut(&key)?;
        *used_by |= bit;
        Some(value.clone())
    }

    /// Keeps `value` for `key`, marked as used by the runs of `bit`. Runs at
    /// the same time may build the same entry; the bits of both are kept.
    pub fn insert(&self, key: u64, value: V, bit: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let used_by = entries.get(&key).map_or(0, |(_, used_by)| *used_by);
        entries.insert(key, (value, used_by | bit));
    }

    /// The value for `key`, built and kept if missing. The lock is not held
    /// while building; when two runs build the same entry at once, the one
    /// kept first is the one both get, so they share it (the example digests
    /// are keyed by the address of what they share).
    pub fn get_or_insert_with(&self, key: u64, bit: u64, build: impl FnOnce() -> V) -> V {
        if let Some(found) = self.get(key, bit) {
            return found;
        }
        let built = build();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (value, used_by) = entries.entry(key).or_insert((built, 0));
        *used_by |= bit;
        value.clone()
    }
}

impl<V> RunMap<V> {
    /// A run of the crate of `bit` starts: nothing is used by it yet.
    pub fn forget(&self, bit: u64) {
        for (_, used_by) in self.entries.lock().unwrap_or_else(|e| e.into_inner()).values_mut() {
            *used_by &= !bit;
        }
    }

    /// Drops the entries no crate's latest run used.
    pub fn drop_unused(&self) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, (_, used_by)| *used_by != 0);
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl<V: Clone> RunMap<V> {
    /// Every entry's key and value, sorted by key (the disk cache writes them).
    pub fn entries(&self) -> Vec<(u64, V)> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let mut all: Vec<(u64, V)> = entries.iter().map(|(key, (value, _))| (*key, value.clone())).collect();
        all.sort_unstable_by_key(|(key, _)| *key);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_built_twice_at_once_is_the_first_one_kept() {
        let map = RunMap::default();
        let second = map.get_or_insert_with(7, 2, || {
            // Another run keeps the entry while this one builds it.
            assert_eq!(map.get_or_insert_with(7, 1, || "first"), "first");
            "second"
        });
        assert_eq!(second, "first");
        map.forget(1);
        map.drop_unused();
        assert_eq!(map.get(7, 0), Some("first"), "both runs' bits are kept");
    }

    #[test]
    fn the_run_bits_hold_every_crate_running() {
        let running = RunningCrates::default();
        running.start(1);
        running.start(2);
        assert_eq!(running.get(), 3);
        assert!(!running.finish(1), "crate 2 still runs");
        assert_eq!(running.get(), 2);
        assert!(running.finish(2));
        assert_eq!(running.get(), 0);
    }

    #[test]
    fn entries_live_while_the_latest_run_of_some_crate_used_them() {
        let (a, b) = (1, 2);
        let map = RunMap::default();
        map.forget(a);
        map.insert(1, "used by a and b", a);
        map.insert(2, "used by a only", a);
        map.drop_unused();
        map.forget(b);
        assert_eq!(map.get(1, b), Some("used by a and b"));
        map.insert(3, "used by b only", b);
        map.drop_unused();
        assert_eq!(map.len(), 3, "a's latest run still needs entry 2");
        // a runs again without entry 2.
        map.forget(a);
        assert_eq!(map.get(1, a), Some("used by a and b"));
        map.drop_unused();
        assert_eq!((map.get(2, 0), map.len()), (None, 2));
        // b runs again without entry 1: a still holds it.
        map.forget(b);
        map.get(3, b);
        map.drop_unused();
        assert_eq!((map.get(1, 0), map.get(3, 0)), (Some("used by a and b"), Some("used by b only")));
    }
}
