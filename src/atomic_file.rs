//! The one way tenant-lint writes a file that a later run or another tool
//! reads (a report, a baseline, the cache): the bytes go to a temporary
//! file beside the target, which is renamed over it only once they are all
//! written. A run killed or failing at any moment leaves the old file (or,
//! with [`Replace::RemoveFirst`], none) and never part of a new one. A
//! target that is not a regular file (a device, a FIFO) or is a symbolic
//! link is written in place, through the link.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How the finished temporary file takes the target's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Renamed over the target: a reader finds the old file or the new one.
    Over,
    /// The target is removed first. Renaming over an existing file makes
    /// ext4 flush the new one first (`auto_da_alloc`), which costs a warm
    /// run more than everything else it does; for the cache, a hint that
    /// is checked on every read, a moment with no file is fine.
    RemoveFirst,
}

/// Writes `bytes` to `path` through a temporary file renamed over it.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, Replace::Over, |f| f.write_all(bytes))
}

/// Calls `fill` on a new temporary file in `path`'s directory and, when it
/// succeeds, puts that file in `path`'s place. On any error the temporary
/// file is removed and `path` is left as it was. There is no fsync, so
/// this holds when the process dies, not when the machine does: after a
/// power loss the file may be torn (the cache then fails its checksum and
/// is rewritten; a torn baseline is reported as not a baseline).
pub fn write_with(
    path: &Path,
    replace: Replace,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    // A target that is not a regular file (`-o /dev/null`, a FIFO) or is
    // a symbolic link (`/dev/stdout`, `report.json -> out/r.json`) is
    // written in place, through the link: renaming over it would replace
    // the device or the link itself (as root, `/dev/null` for the whole
    // machine), and leave the file the link names untouched.
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if link || std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        return fill(&mut file);
    }
    let (tmp, mut file) = create_temporary(path)?;
    let result = fill(&mut file).and_then(|()| {
        drop(file);
        if replace == Replace::RemoveFirst {
            std::fs::remove_file(path).ok();
        }
        std::fs::rename(&tmp, path)
    });
    if result.is_err() {
        std::fs::remove_file(&tmp).ok();
    }
    result
}

/// Creates a uniquely named hidden file beside `path`
/// (`.NAME.PID-N.tenant-lint-tmp`), so that two runs writing the same
/// target never share one.
fn create_temporary(path: &Path) -> io::Result<(PathBuf, File)> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let pid = std::process::id();
    for n in 0..1000u32 {
        let tmp = dir.join(format!(".{name}.{pid}-{n}.tenant-lint-tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("could not create a temporary file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_write_that_fails_halfway_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("report.json");
        std::fs::write(&target, "{\"old\": true}\n").expect("old file");
        for replace in [Replace::Over, Replace::RemoveFirst] {
            let err = write_with(&target, replace, |f| {
                f.write_all(b"{\"new\": ")?;
                Err(io::Error::other("disk full"))
            })
            .expect_err("the failure is returned");
            assert_eq!(err.to_string(), "disk full");
            assert_eq!(
                std::fs::read_to_string(&target).expect("target"),
                "{\"old\": true}\n",
                "{replace:?}"
            );
            assert_eq!(names(dir.path()), ["report.json"], "{replace:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_written_through_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old\n").expect("old file");
        let link = dir.path().join("report.json");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write(&link, b"new\n").expect("written");
        assert!(std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).expect("read"), b"new\n");
        // A dangling link: its target is created.
        let gone = dir.path().join("later.json");
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink(&gone, &dangling).expect("symlink");
        write(&dangling, b"made\n").expect("written");
        assert_eq!(std::fs::read(&gone).expect("read"), b"made\n");
        assert_eq!(
            names(dir.path()),
            ["dangling.json", "later.json", "real.json", "report.json"]
        );
    }

    #[test]
    fn a_write_that_succeeds_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("baseline.json");
        write(&target, b"first\n").expect("new file");
        assert_eq!(std::fs::read(&target).expect("read"), b"first\n");
        write_with(&target, Replace::RemoveFirst, |f| f.write_all(b"second\n")).expect("replace");
        assert_eq!(std::fs::read(&target).expect("read"), b"second\n");
        assert_eq!(names(dir.path()), ["baseline.json"]);
    }
}
