//! Limits on what one ZIP batch may expand to. Generous for real submissions, fatal for zip
//! bombs: a batch is refused per entry, so the rest of a batch still goes on.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Entries (files) in one archive.
    pub max_entries: usize,
    /// Expanded bytes of one entry.
    pub max_entry_bytes: u64,
    /// Expanded bytes of the whole archive.
    pub max_total_bytes: u64,
    /// Expanded ÷ compressed size of one entry; real documents compress 1–20×, bombs 1000×.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // Not a workflow limit: above `batch.distributed_threshold` documents go through a
            // Distributed Map that reads them from a manifest, however many. This only bounds
            // the central directory the zip reader keeps in memory (~100 bytes an entry).
            max_entries: 1_000_000,
            max_entry_bytes: 512 * 1024 * 1024,
            max_total_bytes: 8 * 1024 * 1024 * 1024,
            max_ratio: 200,
        }
    }
}
