#!/usr/bin/env bash
# Benchmark tenant-lint against a bare syn parse (and optional peers) on a
# real tree or a generated corpus. See bench/README.md.
#
#   bash bench/run.sh [--corpus DIR] [--lines N] [--runs R] [--keep DIR] [--seed S]
#
# --corpus DIR  benchmark an existing tree (a real backend's clone) instead
#             of generating one; its git commit is printed. The "one file
#             changed" row appends a comment to one of its files and
#             restores it at exit.
# --lines N   size of the generated corpus in lines of Rust (default 400000)
# --runs R    timed runs per command (default 5); the median is reported
# --keep DIR  generate the corpus into DIR and keep it; reuse DIR if it
#             already holds one (otherwise a temp dir is used and removed)
# --seed S    corpus seed (default 1)
# --skip LIST comma-separated rows to leave out, e.g. --skip semgrep,ast-grep
#             (`dump` leaves out both schema-dump rows)
# --dump-bytes N  size of the generated schema dump (default 1600000)
#
# Set BENCH_NO_HYPERFINE=1 to use the built-in python timer even when
# hyperfine is installed.
set -uo pipefail

LINES=400000
RUNS=5
KEEP=""
REAL=""
SEED=1
SKIP=""
DUMP_BYTES=1600000
while [ $# -gt 0 ]; do
    case "$1" in
        --lines) LINES="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --keep) KEEP="$2"; shift 2 ;;
        --corpus) REAL="$2"; shift 2 ;;
        --seed) SEED="$2"; shift 2 ;;
        --skip) SKIP=",$2,"; shift 2 ;;
        --dump-bytes) DUMP_BYTES="$2"; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BASE="$TARGET_DIR/release/examples/syn_baseline"
LINT="$TARGET_DIR/release/tenant-lint"
GEN_SCHEMA="$TARGET_DIR/release/examples/gen_schema"
WORK="$(mktemp -d -t tenant-lint-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------- build
echo "== build (release)"
if ! cargo build --release --bins --examples 2>"$WORK/build.log"; then
    tail -n 15 "$WORK/build.log"
    echo "full build failed; trying the baseline example alone"
    if ! cargo build --release --example syn_baseline 2>>"$WORK/build.log"; then
        if [ -x "$BASE" ]; then
            echo "WARNING: build failed, using the existing (possibly stale) $BASE"
        else
            echo "cannot build syn_baseline; giving up" >&2
            exit 1
        fi
    fi
fi

# ---------------------------------------------------------------- corpus
if [ -n "$REAL" ]; then
    if [ ! -d "$REAL" ]; then
        echo "--corpus: not a directory: $REAL" >&2
        exit 2
    fi
    CORPUS="$(cd "$REAL" && pwd)"
    commit="$(git -C "$CORPUS" rev-parse HEAD 2>/dev/null || echo 'not a git checkout')"
    echo "== real tree $CORPUS (commit $commit)"
elif [ -n "$KEEP" ] && [ -d "$KEEP" ] && [ -n "$(ls -A "$KEEP" 2>/dev/null)" ]; then
    CORPUS="$(cd "$KEEP" && pwd)"
    echo "== reusing corpus $CORPUS"
else
    if [ -n "$KEEP" ]; then CORPUS="$KEEP"; else CORPUS="$WORK/corpus"; fi
    echo "== generating corpus: $LINES lines, seed $SEED -> $CORPUS"
    python3 bench/gen_corpus.py "$CORPUS" --lines "$LINES" --seed "$SEED" || exit 1
    CORPUS="$(cd "$CORPUS" && pwd)"
fi

python3 - "$CORPUS" <<'EOF'
import json, os, sys
root = sys.argv[1]
files = lines = size = 0
for dp, dns, fns in os.walk(root):
    dns[:] = [d for d in dns if not d.startswith(".") and d != "target"]
    for f in fns:
        if f.endswith(".rs"):
            p = os.path.join(dp, f)
            files += 1
            size += os.path.getsize(p)
            with open(p, "rb") as fh:
                lines += fh.read().count(b"\n")
extra = ""
m = os.path.join(root, "corpus-manifest.json")
if os.path.exists(m):
    s = json.load(open(m))["summary"]
    extra = (f", {s['db_line_share']:.0%} of lines in DB-touching files, "
             f"{s['queries']} queries ({s['unscoped_queries']} unscoped)")
print(f"corpus: {files} .rs files, {lines} lines, {size / 1e6:.1f} MB{extra}")
EOF

echo "== baseline check"
if ! "$BASE" "$CORPUS" >"$WORK/base.out" 2>"$WORK/base.err"; then
    tail -n 5 "$WORK/base.err"
    echo "syn_baseline failed; giving up" >&2
    exit 1
fi
cat "$WORK/base.out"
grep -q ' failed=0$' "$WORK/base.out" || { echo "WARNING: some files did not parse:"; head -n 5 "$WORK/base.err"; }

# ---------------------------------------------------------------- rows
# rows.tsv: name, status (ok|skip|failed), command, note, prepare (a
# command run before each timed run, untimed)
ROWS="$WORK/rows.tsv"
: >"$ROWS"
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-true}" >>"$ROWS"; }
skipped() { case "$SKIP" in *",$1,"*) row "$1" skip "" "skipped (--skip)"; return 0 ;; esac; return 1; }

# Run a command once (also serves as a warm-up of the page cache) and accept
# exit codes 0 and 1 (1 = "found something" for rg, tenant-lint, ast-grep).
preflight() {
    local cmd="$1"
    bash -c "$cmd" >/dev/null 2>"$WORK/pre.err"
    local rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]
}
fail_note() { tail -n 3 "$WORK/pre.err" | tr '\t\n' '  ' | cut -c1-160; }

# (a) ripgrep
if skipped rg; then :
elif command -v rg >/dev/null 2>&1; then
    # The reference of issue 22's targets: one regex over every file.
    cmd="rg -c '\\.all\\(' '$CORPUS'"
    if preflight "$cmd"; then row "rg" ok "$cmd" ""; else row "rg" failed "$cmd" "$(fail_note)"; fi
else
    row "rg" skip "" "rg not installed (apt-get install ripgrep)"
fi

# (b) syn baseline
row "syn_baseline" ok "'$BASE' '$CORPUS'" ""

# (c) tenant-lint, a fresh process each run: cold (no cache) on all cores
# and on one, warm (cache, nothing changed), and warm after one query file
# changed (a comment appended before each run; restored at exit).
if skipped tenant-lint; then :
elif [ -x "$LINT" ]; then
    cold="'$LINT' check '$CORPUS' --format json --output /dev/null --no-cache"
    if preflight "$cold"; then
        row "tenant-lint" ok "$cold" "cold (--no-cache)"
        row "tenant-lint -j1" ok "$cold -j 1" "cold, one thread"
        warm="'$LINT' check '$CORPUS' --format json --output /dev/null --cache-dir '$WORK/cache'"
        if preflight "$warm"; then
            row "tenant-lint warm" ok "$warm" "cache, nothing changed"
            CHANGED="$(grep -rlE '\.(all|load)\(' "$CORPUS" --include='*.rs' | grep -v -e schema -e entit | sort | head -n 1)"
            if [ -n "$CHANGED" ]; then
                cp "$CHANGED" "$WORK/changed.orig"
                trap 'cp "$WORK/changed.orig" "$CHANGED"; rm -rf "$WORK"' EXIT
                row "tenant-lint 1chg" ok "$warm" "cache, one file changed: ${CHANGED#"$CORPUS"/}" \
                    "echo '// bench edit' >> '$CHANGED'"
            fi
            # Files written less than 2 s before a cached run are hashed
            # rather than trusted by size and time; let them age.
            sleep 2.1
        fi
    else
        echo "tenant-lint preflight failed (exit not 0/1); stderr tail:"
        tail -n 10 "$WORK/pre.err" | sed 's/^/    /'
        row "tenant-lint" failed "$cold" "$(fail_note)"
    fi
else
    row "tenant-lint" failed "" "$LINT missing (build failed?)"
fi

# (d) one large pg_dump-style schema.sql on its own (examples/gen_schema.rs):
# all DDL, thousands of statements, so any per-statement cost that grows
# with the file shows here. Its times are not comparable with syn's.
if skipped dump; then :
elif [ -x "$GEN_SCHEMA" ]; then
    DUMP="$WORK/dump"
    if "$GEN_SCHEMA" "$DUMP" --bytes "$DUMP_BYTES" --seed "$SEED" >"$WORK/dump.out" 2>&1 && [ -x "$LINT" ]; then
        echo "schema dump: $(cat "$WORK/dump.out") -> $DUMP/db/schema.sql"
        cmd="'$LINT' schema '$DUMP'"
        if preflight "$cmd"; then row "dump schema" ok "$cmd" "tenant-lint schema, generated schema.sql"; else row "dump schema" failed "$cmd" "$(fail_note)"; fi
        cmd="'$LINT' check '$DUMP' --format json --output /dev/null --no-cache"
        if preflight "$cmd"; then row "dump check" ok "$cmd" "tenant-lint check, generated schema.sql"; else row "dump check" failed "$cmd" "$(fail_note)"; fi
    else
        row "dump" failed "" "$(tail -n 1 "$WORK/dump.out" 2>/dev/null) (or $LINT missing)"
    fi
else
    row "dump" failed "" "$GEN_SCHEMA missing (build failed?)"
fi

# (e) ast-grep (its short name `sg` clashes with newgrp's `sg` on Debian)
SG=""
if command -v ast-grep >/dev/null 2>&1; then
    SG=ast-grep
elif command -v sg >/dev/null 2>&1 && sg --version 2>/dev/null | grep -qi ast-grep; then
    SG=sg
fi
if skipped ast-grep; then :
elif [ -n "$SG" ]; then
    cat >"$WORK/sg-rule.yml" <<'EOF'
id: unfiltered-all
language: rust
severity: warning
message: query `.all(db)` without a `.filter(..)` in the chain
rule:
  pattern: $X.all($DB)
  not:
    has:
      stopBy: end
      pattern: $Y.filter($$$F)
EOF
    cmd="$SG scan --rule '$WORK/sg-rule.yml' --json=compact '$CORPUS'"
    if preflight "$cmd"; then row "ast-grep" ok "$cmd" ""; else row "ast-grep" failed "$cmd" "$(fail_note)"; fi
else
    row "ast-grep" skip "" "ast-grep not installed (pip install ast-grep-cli)"
fi

# (f) semgrep
if skipped semgrep; then :
elif command -v semgrep >/dev/null 2>&1; then
    cat >"$WORK/semgrep.yml" <<'EOF'
rules:
  - id: unfiltered-all
    languages: [rust]
    severity: WARNING
    message: query `.all(db)` without a `.filter(..)`
    patterns:
      - pattern: $X.all($DB)
      - pattern-not: $Y.filter(...).all($DB)
EOF
    cmd="SEMGREP_ENABLE_VERSION_CHECK=0 semgrep scan --config '$WORK/semgrep.yml' --metrics=off --disable-version-check --quiet --json '$CORPUS'"
    if preflight "$cmd"; then row "semgrep" ok "$cmd" ""; else row "semgrep" failed "$cmd" "$(fail_note)"; fi
else
    row "semgrep" skip "" "semgrep not installed (pip install semgrep)"
fi

# ---------------------------------------------------------------- peak RSS
RSS="$WORK/rss.tsv"
: >"$RSS"
if [ -x /usr/bin/time ]; then
    while IFS=$'\t' read -r name status cmd note prepare; do
        case "$name" in syn_baseline|tenant-lint|"tenant-lint warm") ;; *) continue ;; esac
        [ "$status" = ok ] || continue
        if /usr/bin/time -f %M -o "$WORK/rss.out" bash -c "exec $cmd" >/dev/null 2>&1 || [ -s "$WORK/rss.out" ]; then
            printf '%s\t%s\n' "$name" "$(tail -n 1 "$WORK/rss.out")" >>"$RSS"
        fi
    done <"$ROWS"
else
    echo "(peak RSS skipped: /usr/bin/time not installed; apt-get install time)"
fi

# ---------------------------------------------------------------- timing + table
TIMER=python
if [ -z "${BENCH_NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1; then TIMER=hyperfine; fi
echo "== timing: $RUNS runs each, median wall time (timer: $TIMER, $(nproc) cores)"

python3 - "$ROWS" "$RSS" "$RUNS" "$TIMER" "$WORK/hyperfine.json" <<'EOF'
import json, statistics, subprocess, sys, time

rows_path, rss_path, runs, timer, hf_json = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
rows = [dict(zip(("name", "status", "cmd", "note", "prepare"), l.rstrip("\n").split("\t"))) for l in open(rows_path) if l.strip()]
rss = {}
for l in open(rss_path):
    name, kb = l.rstrip("\n").split("\t")
    if kb.strip().isdigit():
        rss[name] = int(kb) / 1024

ok = [r for r in rows if r["status"] == "ok"]
if timer == "hyperfine" and ok:
    args = ["hyperfine", "--runs", str(runs), "--warmup", "1", "-i", "--style", "basic", "--export-json", hf_json]
    for r in ok:
        args += ["--prepare", r.get("prepare") or "true"]
    for r in ok:
        args += ["-n", r["name"], r["cmd"]]
    subprocess.run(args, check=True, stdout=sys.stderr)
    for r, res in zip(ok, json.load(open(hf_json))["results"]):
        r["median"] = res["median"]
else:
    for r in ok:
        print(f"  timing {r['name']} ...", file=sys.stderr, flush=True)
        subprocess.run(r["cmd"], shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm-up
        times = []
        for _ in range(runs):
            subprocess.run(r.get("prepare") or "true", shell=True)
            t0 = time.perf_counter()
            subprocess.run(r["cmd"], shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - t0)
        r["median"] = statistics.median(times)

base = next((r.get("median") for r in rows if r["name"] == "syn_baseline"), None)
rg = next((r.get("median") for r in rows if r["name"] == "rg"), None)
med = {r["name"]: r.get("median") for r in rows}
print()
print(f"{'name':<18} {'median s':>9} {'vs syn':>8} {'vs rg':>8} {'peak RSS MiB':>13}  note")
print("-" * 86)
for r in rows:
    m_ = r.get("median")
    m = f"{m_:9.3f}" if m_ is not None else f"{r['status']:>9}"
    # The dump rows read another input: no ratio to the corpus rows.
    other = r["name"].startswith("dump")
    ratio = f"{m_ / base:7.2f}x" if m_ is not None and base and not other else f"{'-':>8}"
    vrg = f"{m_ / rg:7.2f}x" if m_ is not None and rg and not other else f"{'-':>8}"
    mem = f"{rss[r['name']]:13.1f}" if r["name"] in rss else f"{'-':>13}"
    print(f"{r['name']:<18} {m} {ratio} {vrg} {mem}  {r['note']}")
one, two = med.get("tenant-lint -j1"), med.get("tenant-lint")
if one and two:
    print(f"\ntenant-lint cold: all cores {one / two:.2f}x faster than one thread")
sg = med.get("ast-grep")
if sg and two:
    print(f"tenant-lint cold / ast-grep one-rule scan: {two / sg:.2f}")
EOF
