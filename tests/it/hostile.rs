//! Hostile input: every file discovered is analysed or reported, nothing
//! crashes, hangs or makes the exit code 2, and positions stay right with
//! BOMs, CRLF, tabs and non-ASCII text.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

const SCHEMA: &str = "diesel::table! { documents (id) { id -> Uuid, org_id -> Uuid, } }\n";

fn leak(fname: &str) -> String {
    format!("use crate::schema::documents;\npub fn {fname}(conn: &mut PgConnection) -> QueryResult<Vec<Doc>> {{\n    documents::table.load(conn)\n}}\n")
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    fs::write(p, bytes).expect("write");
}

fn json(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::cargo_bin("tenant-lint")
        .expect("binary")
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .expect("runs");
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("json ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), v)
}

fn finding<'a>(v: &'a serde_json::Value, file: &str) -> Vec<&'a serde_json::Value> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["file"] == file)
        .collect()
}

#[test]
fn a_tree_of_hostile_files_is_fully_accounted_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "src/schema.rs", SCHEMA.as_bytes());
    write(
        d,
        "src/parens.rs",
        format!(
            "fn f() {{ Entity::find(); {}1{} }}",
            "(".repeat(5000),
            ")".repeat(5000)
        )
        .as_bytes(),
    );
    write(
        d,
        "src/blocks.rs",
        format!(
            "fn f() {{ Entity::find() }} fn g() {}{}",
            "{".repeat(3000),
            "}".repeat(3000)
        )
        .as_bytes(),
    );
    write(
        d,
        "src/matches.rs",
        format!(
            "fn f(x: u8) {{ Entity::find(); {} 0 {} }}",
            "match x { _ => ".repeat(1500),
            "}".repeat(1500)
        )
        .as_bytes(),
    );
    write(
        d,
        "src/closures.rs",
        format!("fn f() {{ let g = {}0; }}", "|x| ".repeat(3000)).as_bytes(),
    );
    write(d, "src/binary.rs", &[0u8, 159, 146, 150, 0, 255, 10, 0]);
    write(d, "src/latin1.rs", b"// caf\xe9\nfn f() {}\n");
    write(d, "src/empty.rs", b"");
    write(
        d,
        "src/longline.rs",
        format!("pub const X: &str = \"{}\";\n", "a".repeat(100_000)).as_bytes(),
    );
    write(
        d,
        "src/not_rust_macro.rs",
        b"fn view() { html! { <div class=\"x\"> { items } </div> } }\n",
    );
    write(
        d,
        "src/include_missing.rs",
        b"include!(\"does/not/exist.rs\");\nfn f() {}\n",
    );
    // Unbalanced: reported where a query can start, since a leak can hide
    // in a file we cannot read; a file whose bytes hold no query start is
    // neither tokenised nor parsed (its syntax is the compiler's business).
    write(
        d,
        "src/unclosed_query.rs",
        b"fn f(c: &mut PgConnection) { documents::table.load(c)\n",
    );
    write(d, "src/unclosed_dto.rs", b"pub struct Dto { a: u32,\n");
    write(d, "src/leak.rs", leak("all").as_bytes());
    fs::create_dir_all(d.join("src/dir.rs")).expect("a directory named .rs");
    #[cfg(unix)]
    {
        let fifo = d.join("src/pipe.rs");
        let st = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(st.success());
        std::os::unix::fs::symlink("loop.rs", d.join("src/loop.rs")).expect("symlink loop");
        std::os::unix::fs::symlink(d.join("src"), d.join("src/again")).expect("directory loop");
    }

    let (code, v) = json(d, &[]);
    assert_eq!(code, 1, "findings, not a crash: {v}");
    let s = &v["summary"];
    let n = |k: &str| s[k].as_u64().expect("count");
    assert_eq!(
        n("discovered"),
        n("analysed") + n("failed") + n("skipped"),
        "{s}"
    );
    assert_eq!(n("discovered"), 14, "{s}");
    assert_eq!(
        n("failed"),
        6,
        "parens, blocks, matches, binary, latin1, unclosed_query: {s}"
    );
    assert!(finding(&v, "src/unclosed_dto.rs").is_empty(), "{v}");
    for f in [
        "src/unclosed_query.rs",
        "src/parens.rs",
        "src/blocks.rs",
        "src/matches.rs",
        "src/binary.rs",
        "src/latin1.rs",
    ] {
        let hits = finding(&v, f);
        assert!(
            hits.iter().any(|h| h["rule"] == "parse-error"),
            "{f} is reported: {v}"
        );
    }
    assert_eq!(finding(&v, "src/leak.rs")[0]["rule"], "unscoped-query");
    #[cfg(unix)]
    {
        let errors = v["errors"].to_string();
        assert!(
            errors.contains("pipe.rs") && errors.contains("not a regular file"),
            "{errors}"
        );
        assert!(errors.contains("loop.rs"), "{errors}");
    }
}

#[test]
fn positions_survive_bom_crlf_tabs_and_non_ascii() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "src/schema.rs", SCHEMA.as_bytes());
    let crlf = "use crate::schema::documents;\r\npub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Doc>> {\r\n\tlet _é = \"日本\"; documents::table.load(conn)\r\n}\r\n";
    write(d, "src/crlf.rs", crlf.as_bytes());
    let mut bom = vec![0xef, 0xbb, 0xbf];
    bom.extend_from_slice(leak("bom").as_bytes());
    write(d, "src/bom.rs", &bom);
    let (_, v) = json(d, &[]);
    let f = finding(&v, "src/crlf.rs");
    // `\tlet _é = "日本"; documents::table.` is 33 characters: `load` starts at 34.
    assert_eq!(
        (f[0]["line"].as_u64(), f[0]["column"].as_u64()),
        (Some(3), Some(34)),
        "{v}"
    );
    let b = finding(&v, "src/bom.rs");
    assert_eq!(
        (b[0]["line"].as_u64(), b[0]["column"].as_u64()),
        (Some(3), Some(22)),
        "{v}"
    );

    let out = Command::cargo_bin("tenant-lint")
        .expect("binary")
        .arg("check")
        .arg(d)
        .args(["--color", "never"])
        .output()
        .expect("runs");
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("src/crlf.rs:3:34"), "{human}");
    let sarif_path = d.join("r.sarif");
    Command::cargo_bin("tenant-lint")
        .expect("binary")
        .arg("check")
        .arg(d)
        .arg("--output-sarif")
        .arg(&sarif_path)
        .output()
        .expect("runs");
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&sarif_path).expect("sarif")).expect("json");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let r = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/crlf.rs")
        .expect("crlf result");
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(3), Some(34))
    );
}

#[test]
fn a_very_large_file_is_analysed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "src/schema.rs", SCHEMA.as_bytes());
    let mut big = String::with_capacity(50 << 20);
    let mut i = 0;
    while big.len() < 50 << 20 {
        big.push_str(&format!(
            "pub fn generated_{i}(x: u64) -> u64 {{ x.wrapping_mul({i}) ^ 0x5bd1e995 }}\n"
        ));
        i += 1;
    }
    write(d, "src/generated.rs", big.as_bytes());
    write(d, "src/leak.rs", leak("all").as_bytes());
    let (code, v) = json(d, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["summary"]["failed"], 0, "{}", v["summary"]);
    assert_eq!(finding(&v, "src/leak.rs").len(), 1);
}

#[test]
fn a_file_deleted_during_the_scan_is_reported() {
    fn vanish(found: &[std::path::PathBuf]) {
        for p in found {
            if p.ends_with("src/vanishing.rs") {
                fs::remove_file(p).expect("delete mid-scan");
            }
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "src/schema.rs", SCHEMA.as_bytes());
    write(d, "src/vanishing.rs", leak("gone").as_bytes());
    write(d, "src/leak.rs", leak("all").as_bytes());
    let report = tenant_lint::engine::check(&tenant_lint::engine::CheckOptions {
        paths: vec![d.to_path_buf()],
        after_discovery: Some(vanish),
        ..Default::default()
    })
    .expect("the run itself succeeds");
    assert!(!d.join("src/vanishing.rs").exists(), "the hook ran");
    let s = &report.stats;
    assert_eq!((s.discovered, s.failed), (3, 1), "{s:?}");
    assert_eq!(s.discovered, s.analysed + s.failed + s.skipped);
    let gone: Vec<_> = report
        .findings
        .iter()
        .filter(|f| report.files[f.file].rel == "src/vanishing.rs")
        .collect();
    assert_eq!(gone.len(), 1, "{:?}", report.findings);
    assert_eq!(gone[0].rule, "parse-error");
    assert!(
        gone[0].message.contains("could not read"),
        "{}",
        gone[0].message
    );
    assert!(report
        .findings
        .iter()
        .any(|f| report.files[f.file].rel == "src/leak.rs" && f.rule == "unscoped-query"));
}

/// How a write is cut short in [`limited_run`].
#[cfg(unix)]
#[derive(Debug, Clone, Copy)]
enum Cut {
    /// The process is killed mid-write (SIGXFSZ, as a SIGKILL would).
    Kill,
    /// The write fails (EFBIG, as a full disk would) and the run goes on.
    Fail,
}

/// Runs `tenant-lint check DIR ARGS` allowed to write at most `limit`
/// bytes to any one file (`RLIMIT_FSIZE`): the write that crosses it is
/// cut, deterministically, in the middle of the file.
#[cfg(unix)]
fn limited_run(
    dir: &Path,
    args: &[&std::ffi::OsStr],
    limit: u64,
    cut: Cut,
) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("tenant-lint"));
    cmd.arg("check").arg(dir).args(args);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let fsize = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            let core = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &fsize) != 0
                || libc::setrlimit(libc::RLIMIT_CORE, &core) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            if matches!(cut, Cut::Fail) {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            }
            Ok(())
        });
    }
    cmd.output().expect("runs")
}

/// A run killed while it writes a report, a baseline or the cache, or
/// whose write fails halfway, leaves the file it was replacing as it was
/// (and no temporary file when it lives to clean up); the cache, whatever
/// was cut, gives the findings of a run without it.
#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_no_half_written_file() {
    use std::ffi::OsStr;
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = dir.path().join("ws");
    let out = dir.path().join("out");
    fs::create_dir_all(&out).expect("mkdir");
    let corpus = crate::corpus::generate(5, 3000, crate::corpus::Style::default());
    corpus.write(&ws);
    let cache = out.join("cache");
    let report = out.join("report.json");
    let baseline = out.join("baseline.json");
    let cache_file = || -> std::path::PathBuf {
        let files: Vec<_> = fs::read_dir(&cache)
            .expect("cache dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        files[0].clone()
    };
    let temporaries = || -> Vec<std::path::PathBuf> {
        [out.as_path(), cache.as_path()]
            .iter()
            .filter(|d| d.is_dir())
            .flat_map(|d| fs::read_dir(d).expect("dir").flatten().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with("tenant-lint-tmp"))
            .collect()
    };
    let no_cache = OsStr::new("--no-cache");
    let writers: [(&str, Vec<&OsStr>); 3] = [
        (
            "report",
            vec![
                no_cache,
                OsStr::new("--format"),
                OsStr::new("json"),
                OsStr::new("--output"),
                report.as_os_str(),
            ],
        ),
        (
            "baseline",
            vec![
                no_cache,
                OsStr::new("--write-baseline"),
                baseline.as_os_str(),
            ],
        ),
        ("cache", vec![OsStr::new("--cache-dir"), cache.as_os_str()]),
    ];
    let mut n = 0;
    for (what, args) in &writers {
        for cut in [Cut::Kill, Cut::Fail] {
            // A whole run leaves the file an interrupted one must not damage.
            let whole = limited_run(&ws, args, u64::MAX, cut);
            // Writing a baseline succeeds; the other runs report the leaks.
            let expected = if *what == "baseline" { 0 } else { 1 };
            assert_eq!(
                whole.status.code(),
                Some(expected),
                "{what}: {}",
                String::from_utf8_lossy(&whole.stderr)
            );
            let target = match *what {
                "report" => report.clone(),
                "baseline" => baseline.clone(),
                _ => cache_file(),
            };
            let old = fs::read(&target).expect("written by the whole run");
            // A changed tree, so the cut run has something new to write.
            n += 1;
            fs::write(
                ws.join(format!("crates/lib0/src/touch_{n}.rs")),
                "pub fn f() {}\n",
            )
            .expect("touch");
            let cut_run = limited_run(&ws, args, old.len() as u64 / 2, cut);
            match cut {
                Cut::Kill => assert_eq!(
                    cut_run.status.signal(),
                    Some(libc::SIGXFSZ),
                    "{what}: the write was cut: {:?}",
                    cut_run.status
                ),
                Cut::Fail => {
                    // A report or baseline that cannot be written fails the
                    // run; the cache is a hint, and the run goes on.
                    let (code, says) = if *what == "cache" {
                        (1, "could not write the cache".to_string())
                    } else {
                        (2, target.to_string_lossy().into_owned())
                    };
                    let err = String::from_utf8_lossy(&cut_run.stderr);
                    assert_eq!(cut_run.status.code(), Some(code), "{what}: {err}");
                    assert!(err.contains(&says), "{what}: {err}");
                }
            }
            let now = fs::read(&target).unwrap_or_else(|e| panic!("{what} ({cut:?}) is gone: {e}"));
            assert!(
                now == old,
                "{what} ({cut:?}) is half-written: {} bytes instead of the old {}",
                now.len(),
                old.len()
            );
            let left = temporaries();
            match cut {
                // A killed run cannot clean up; the next one does not mind.
                Cut::Kill => left.iter().for_each(|p| fs::remove_file(p).expect("rm")),
                Cut::Fail => assert!(left.is_empty(), "{what}: temporary files left: {left:?}"),
            }
        }
    }
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| format!("{}:{}:{}", f["file"], f["line"], f["rule"]))
            .collect()
    };
    let (_, warm) = json(&ws, &["--cache-dir", cache.to_str().expect("utf-8")]);
    let (_, cold) = json(&ws, &["--no-cache"]);
    assert_eq!(keys(&warm), keys(&cold));
    assert_eq!(keys(&cold).len(), corpus.leaks.len());
}
