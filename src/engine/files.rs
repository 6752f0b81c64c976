//! The file table of a report: how each discovered file is named (relative
//! to the report base, and as shown at the terminal), and
//! the entries added for SQL that rules read from other files
//! (`query_file!`, `include_str!`). File ids are indexes into this table.

use crate::diagnostic::FileId;
use crate::discover;
use crate::report::FileEntry;
use crate::workspace::canonical;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Names the files of a run for its reports.
pub(super) struct Names {
    /// The project root relative to the report base (`""` when the same).
    prefix: String,
    /// The current directory, canonical.
    cwd: Option<PathBuf>,
}

impl Names {
    pub(super) fn new(root: &Path, base: &Path) -> Names {
        let prefix = match crate::workspace::relative(root, base) {
            p if p == "." => String::new(),
            p => p + "/",
        };
        Names {
            prefix,
            cwd: std::env::current_dir().ok().map(|d| canonical(&d)),
        }
    }

    /// The file table entry of a discovered file.
    pub(super) fn entry(&self, f: &discover::SourcePath) -> FileEntry {
        FileEntry {
            rel: format!("{}{}", self.prefix, f.rel),
            shown: self.shown(&f.path),
            path: f.path.clone(),
            text: None,
        }
    }

    /// A path as shown at the terminal: relative to the current directory
    /// when under it, else absolute (as ruff and rustc print them).
    pub(super) fn shown(&self, path: &Path) -> String {
        match &self.cwd {
            Some(cwd) if path.starts_with(cwd) => crate::workspace::relative(path, cwd),
            _ => path.to_string_lossy().replace('\\', "/"),
        }
    }
}

/// The file table while rules run: the discovered files first, in
/// discovery order, then each other SQL file once, in the order rules
/// first point into it.
pub(super) struct FileTable<'a> {
    /// The entries, indexed by file id.
    pub files: Vec<FileEntry>,
    by_path: HashMap<PathBuf, FileId>,
    names: &'a Names,
    base: &'a Path,
}

impl<'a> FileTable<'a> {
    pub(super) fn new(
        names: &'a Names,
        found: &[discover::SourcePath],
        base: &'a Path,
    ) -> FileTable<'a> {
        FileTable {
            files: found.iter().map(|f| names.entry(f)).collect(),
            by_path: HashMap::new(),
            names,
            base,
        }
    }

    /// The id of the file at `p`, adding an entry (with its text) when the
    /// table has none.
    pub(super) fn sql_file(&mut self, p: &Path) -> FileId {
        let key = canonical(p);
        if let Some(id) = self.by_path.get(&key) {
            return *id;
        }
        let existing = self.files.iter().position(|f| canonical(&f.path) == key);
        let id = existing.unwrap_or_else(|| {
            self.files.push(FileEntry {
                rel: crate::workspace::relative(&key, self.base),
                shown: self.names.shown(&key),
                path: p.to_path_buf(),
                text: std::fs::read_to_string(p).ok(),
            });
            self.files.len() - 1
        });
        self.by_path.insert(key, id);
        id
    }
}
