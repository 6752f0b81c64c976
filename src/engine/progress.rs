//! How far a run is, for the progress line a terminal shows during a long
//! run (`cli`): the stage, and in the stages that go file by file, how many
//! files are done. The engine only counts; whether and how to show it is
//! the caller's business.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The stage a run is in and the files it has done in it.
#[derive(Debug, Default)]
pub struct Progress {
    /// What the run is doing, and how many files that stage goes through
    /// (0: it does not go file by file).
    stage: Mutex<(&'static str, usize)>,
    done: AtomicUsize,
}

impl Progress {
    /// A new stage over `total` files (0: not counted by file).
    pub(super) fn stage(&self, name: &'static str, total: usize) {
        if let Ok(mut s) = self.stage.lock() {
            *s = (name, total);
        }
        self.done.store(0, Ordering::Relaxed);
    }

    /// One more file done in the stage.
    pub(super) fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// `tenant-lint: analysing queries 1200/5677 files`, or the stage
    /// alone; empty before the first stage.
    pub fn line(&self) -> String {
        let (name, total) = self.stage.lock().map(|s| *s).unwrap_or(("", 0));
        if name.is_empty() {
            return String::new();
        }
        if total == 0 {
            return format!("tenant-lint: {name}");
        }
        let done = self.done.load(Ordering::Relaxed).min(total);
        format!("tenant-lint: {name} {done}/{total} files")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_counts_its_files_from_zero() {
        let p = Progress::default();
        assert_eq!(p.line(), "");
        p.stage("analysing queries", 3);
        p.tick();
        p.tick();
        assert_eq!(p.line(), "tenant-lint: analysing queries 2/3 files");
        p.stage("following workspace helpers", 0);
        assert_eq!(p.line(), "tenant-lint: following workspace helpers");
        p.stage("tracing calls", 1);
        p.tick();
        p.tick();
        assert_eq!(p.line(), "tenant-lint: tracing calls 1/1 files");
    }
}
