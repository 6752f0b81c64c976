#!/usr/bin/env bash
# Runs two tenant-lint binaries on the same bad (and a few good) configs and
# compares what users see: stdout, stderr and exit code, byte for byte.
#
#   bash bench/diff-config.sh OLD_BIN NEW_BIN
#
# Each tenant-lint.toml case runs three ways: `check DIR --config FILE
# --color never`, `check DIR` with the file in place (relative path) and
# `check /abs/DIR` (absolute path). Each Cargo.toml case runs as `--config
# .../Cargo.toml` and in place. Each run starts without a cache; the
# timing on the summary line is masked. Prints one line per case and run, a
# diff of what differs; exits 1 when anything differs, 2 on a usage error.
set -uo pipefail
if [ $# -ne 2 ]; then
    sed -n '2,12p' "$0" >&2
    exit 2
fi
old="$(realpath "$1")"
new="$(realpath "$2")"
for b in "$old" "$new"; do
    if [ ! -x "$b" ]; then
        echo "not an executable: $b" >&2
        exit 2
    fi
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/cases" "$work/cargo"

# name, then the file's bytes as a printf %b format.
w() { printf '%b' "$2" >"$work/$1"; }
w cases/unknown-top '[tenantt]\ncolumns = ["a"]\n'
w cases/unknown-tenant '[tenant]\ncolums = ["org_id"]\n'
w cases/unknown-superuser '[superuser]\nbanana = 1\n'
w cases/unknown-files '[tenant]\ncolumns = ["org_id"]\n\n[files]\nexlude = ["x"]\n'
w cases/unknown-rls '[rls]\nrequire_force = true\n'
w cases/rule-typo '[rules]\nunscoped-qurey = "off"\n'
w cases/rule-unknown '[rules]\ncompletely-different = "off"\n'
w cases/bad-level '[rules]\nmissing-rls = "warn"\ntenant-index-order = "fatal"\n'
w cases/level-bool '[rules]\nmissing-rls = true\n'
w cases/warning-ok '[rules]\nunscoped-query = "warning"\nmissing-rls = "warn"\n'
w cases/bad-glob '[files]\nexclude = ["ok/**", "src/["]\n'
w cases/bad-glob-allowed '[superuser]\nallowed-paths = ["a/{b"]\n'
w cases/empty-glob '[files]\nexclude = [""]\n'
w cases/string-for-array '[tenant]\ntables = "audit_log"\n'
w cases/int-element '[tenant]\nscope-methods = ["ok", 3]\n'
w cases/table-for-array '[tenant]\ncolumns = { a = 1 }\n'
w cases/string-for-bool '[files]\ninclude-tests = "yes"\n'
w cases/array-for-table 'rules = ["missing-rls"]\n'
w cases/datetime-for-bool '[files]\ninclude-tests = 1979-05-27\n'
w cases/duplicate-key '[files]\ninclude-tests = true\ninclude-tests = false\n'
w cases/duplicate-table '[files]\ninclude-tests = true\n[files]\nexclude = []\n'
w cases/syntax-header '[files]\ninclude-tests = false\n[rules\n'
w cases/syntax-array '[tenant]\ncolumns = ["a",\n'
w cases/non-utf8 '[tenant]\ncolumns = ["\xff\xfe"]\n'
w cases/empty ''
w cases/crlf '[tenant]\r\ncolumns = ["org_id"]\r\n[files]\r\nexlude = ["x"]\r\n'
w cases/multibyte '# é ü — ✓\n[files]\nexclude = ["é/**", "ü["]\n'
w cases/multibyte-key '# é ü\n[files]\n"é" = 1\n'
w cases/multibyte-crlf '# 日本語\r\n[rules]\r\nmissing-rls = "fätal"\r\n'
w cases/dotted 'files.exlude = []\n'
w cases/implicit-table '[tenant.extra]\n'
w cases/array-of-tables '[[tenant.tables]]\nname = "x"\n'
w cases/bad-column '[tenant]\ncolumns = ["org id"]\n'
w cases/empty-columns '[tenant]\ncolumns = []\n'
w cases/bom '\xef\xbb\xbf[files]\nexlude = ["x"]\n'
w cases/tabs '[files]\n\t\texlude = ["x"]\n'
w cases/no-final-newline '[rules]\nmissing-rls = "fatal"'
w cases/inline-rules 'rules = { missing-rls = "warning", unscoped-sql = 1 }\n'
w cases/rls-string '[rls]\nrequire-force = "yes"\n'
w cases/bad-call '[superuser]\ncalls = ["admin::*", "a b"]\n'
w cases/ok-full '[tenant]\ncolumns = ["org_id"]\n[superuser]\ncalls = ["Admin::*"]\nallowed-paths = ["src/admin/**"]\n[rules]\nmissing-rls = "off"\n[files]\nexclude = ["gen/**"]\ninclude-tests = true\n[rls]\nrequire-force = true\n'
w cargo/ws-unknown '[package]\nname = "app"\nversion = "0.1.0"\n\n[workspace.metadata.tenant-lint.files]\ninclude-tests = false\nexlude = ["x"]\n'
w cargo/pkg-bad-level '[package]\nname = "app"\nversion = "0.1.0"\n\n[package.metadata.tenant-lint]\nrules = { missing-rls = "fatal" }\n'
w cargo/not-a-table '[package]\nname = "app"\nversion = "0.1.0"\n\n[package.metadata]\ntenant-lint = 1\n'
w cargo/syntax-mentions-us '[package.metadata.tenant-lint\ncolumns = []\n'
w cargo/syntax-not-ours 'this is [not toml\n'
w cargo/no-table '[package]\nname = "app"\nversion = "0.1.0"\n'
w cargo/pkg-unknown-top '[package]\nname = "app"\nversion = "0.1.0"\n\n[package.metadata.tenant-lint]\ntenantt.columns = ["a"]\n'
w cargo/ws-dotted-glob '[workspace]\nmembers = []\nmetadata.tenant-lint.files.exclude = ["a/[", "b"]\n'
w cargo/pkg-ok '[package]\nname = "app"\nversion = "0.1.0"\n\n[package.metadata.tenant-lint]\nrules.unscoped-query = "warning"\n'
w cargo/multibyte '[package]\nname = "app"\ndescription = "ünïcödé ✓"\n\n[package.metadata.tenant-lint.tenant]\ntables = ["a.b.c"]\n'

# A project with one finding, so that the good configs show their effect.
project() {
    rm -rf "$1"
    mkdir -p "$1/src" "$1/migrations"
    printf 'CREATE TABLE documents (id BIGINT PRIMARY KEY, org_id BIGINT NOT NULL, title TEXT);\n' \
        >"$1/migrations/001_init.sql"
    printf 'pub async fn all(pool: &sqlx::PgPool) {\n    sqlx::query("SELECT id, title FROM documents").fetch_all(pool).await;\n}\n' \
        >"$1/src/lib.rs"
}

differ=0
runs=0
# compare LABEL CMD...: runs CMD (with $BIN standing for the binary) under both.
compare() {
    local label="$1"
    shift
    for side in old new; do
        local bin="$old"
        [ "$side" = new ] && bin="$new"
        # Each side starts cold: no cache left by the other.
        rm -rf "$work"/*/.tenant-lint-cache "$work"/*/target
        (cd "$work" && BIN="$bin" eval "$*") >"$work/$side.raw" 2>"$work/$side.err"
        echo "$?" >"$work/$side.code"
        # The summary line's timing is the one thing allowed to differ.
        sed -E 's/ in [0-9.]+m?s$/ in T/' "$work/$side.raw" >"$work/$side.out"
    done
    runs=$((runs + 1))
    if cmp -s "$work/old.out" "$work/new.out" && cmp -s "$work/old.err" "$work/new.err" &&
        cmp -s "$work/old.code" "$work/new.code"; then
        echo "same     $label (exit $(cat "$work/new.code"), $(head -c 60 "$work/new.err" | head -1))"
    else
        differ=1
        echo "DIFFERS  $label (exit $(cat "$work/old.code") -> $(cat "$work/new.code"))"
        diff -u "$work/old.err" "$work/new.err" | head -30
        diff -u "$work/old.out" "$work/new.out" | head -10
    fi
}

project "$work/proj"
for f in "$work"/cases/*; do
    name="$(basename "$f")"
    compare "$name --config" '"$BIN" check proj --config cases/'"$name"' --color never'
    project "$work/inplace"
    cp "$f" "$work/inplace/tenant-lint.toml"
    compare "$name in place" '"$BIN" check inplace'
    compare "$name absolute" '"$BIN" check "$PWD/inplace"'
done
for f in "$work"/cargo/*; do
    name="$(basename "$f")"
    mkdir -p "$work/explicit"
    cp "$f" "$work/explicit/Cargo.toml"
    compare "Cargo.toml $name --config" '"$BIN" check proj --config explicit/Cargo.toml --color never'
    project "$work/inplace"
    cp "$f" "$work/inplace/Cargo.toml"
    compare "Cargo.toml $name in place" '"$BIN" check inplace'
done
compare "missing --config file" '"$BIN" check proj --config nope.toml'
echo "$runs runs, $([ "$differ" = 0 ] && echo "all the same" || echo "some differ")"
exit "$differ"
