#!/usr/bin/env bash
# Runs two tenant-lint binaries over the same trees and compares their JSON
# reports byte for byte: a refactoring must not change what users get.
#
#   bash bench/diff-json.sh OLD_BIN NEW_BIN [TREE...]
#
# With no TREE, every fixture project (fixtures/*/fail, fixtures/*/pass,
# fixtures/demo) is checked. Each tree is run cold (`--no-cache`) from its
# own directory, once with `check --format json` and once with `schema`;
# both runs must give the same bytes on stdout and the same exit code.
# Timings are left out (the JSON has none). Prints one line per tree and a
# unified diff of the first lines that differ; exits 1 when any tree
# differs, 2 on a usage error.
set -uo pipefail
if [ $# -lt 2 ]; then
    sed -n '2,13p' "$0" >&2
    exit 2
fi
old="$(realpath "$1")"
new="$(realpath "$2")"
shift 2
for b in "$old" "$new"; do
    if [ ! -x "$b" ]; then
        echo "not an executable: $b" >&2
        exit 2
    fi
done
if [ $# -eq 0 ]; then
    root="$(cd "$(dirname "$0")/.." && pwd)"
    set -- "$root"/fixtures/demo "$root"/fixtures/*/fail "$root"/fixtures/*/pass
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
differ=0
for tree in "$@"; do
    tree="$(realpath "$tree")"
    for what in check schema; do
        for side in old new; do
            bin="$old"
            [ "$side" = new ] && bin="$new"
            if [ "$what" = check ]; then
                (cd "$tree" && "$bin" check --format json --no-cache) \
                    >"$work/$side.out" 2>"$work/$side.err"
            else
                (cd "$tree" && "$bin" schema) >"$work/$side.out" 2>"$work/$side.err"
            fi
            echo "$?" >"$work/$side.code"
        done
        if cmp -s "$work/old.out" "$work/new.out" && cmp -s "$work/old.code" "$work/new.code"; then
            echo "same     $what $tree ($(wc -c <"$work/new.out") bytes, exit $(cat "$work/new.code"))"
        else
            differ=1
            echo "DIFFERS  $what $tree (exit $(cat "$work/old.code") -> $(cat "$work/new.code"))"
            diff -u "$work/old.out" "$work/new.out" | head -40
        fi
    done
done
exit "$differ"
