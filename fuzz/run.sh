#!/usr/bin/env bash
# Runs the cargo-fuzz targets (libFuzzer + AddressSanitizer) for a bounded
# time each, seeded with the fixtures: for nightly or manual runs, not part
# of .ci/run (building the targets takes ~8 minutes on two cores). Installs
# cargo-fuzz when it is missing; the sanitizer flags need nightly, or
# stable with RUSTC_BOOTSTRAP=1 (set here).
#
#   bash fuzz/run.sh            # 30 s per target
#   bash fuzz/run.sh 3600       # an hour per target
#
# A crash leaves its input in fuzz/artifacts/<target>/; commit it as a
# regression case in tests/it/fuzz.rs (or a unit test) with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-30}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== cargo install cargo-fuzz --locked"
    cargo install cargo-fuzz --locked
fi

seeds="$(mktemp -d)"
trap 'rm -rf "$seeds"' EXIT
mkdir -p "$seeds/rust_analysis" "$seeds/sql_analysis" "$seeds/config"
find fixtures -name '*.rs' -size -20k | while read -r f; do
    cp "$f" "$seeds/rust_analysis/$(echo "$f" | tr / _)"
done
find fixtures -name '*.sql' -size -20k | while read -r f; do
    cp "$f" "$seeds/sql_analysis/$(echo "$f" | tr / _)"
done
find fixtures -name 'tenant-lint.toml' | while read -r f; do
    cp "$f" "$seeds/config/$(echo "$f" | tr / _)"
done

# Build first, so that a failed build is told apart from a crash. A build
# script's nightly-feature probe (enabled by RUSTC_BOOTSTRAP) has been seen
# to fail once and pass on the next try: one retry, with the first log kept.
if ! cargo fuzz build -O >"$seeds/build.log" 2>&1; then
    echo "cargo fuzz build failed; retrying once. First attempt:" >&2
    grep -E '^(error|warning: build failed)' -A12 "$seeds/build.log" | head -60 >&2
    if ! cargo fuzz build -O >"$seeds/build.log" 2>&1; then
        tail -60 "$seeds/build.log" >&2
        echo "cargo fuzz build failed twice" >&2
        exit 1
    fi
fi

for target in rust_analysis sql_analysis config; do
    echo "== cargo fuzz run $target (${SECONDS_PER_TARGET}s)"
    mkdir -p "fuzz/corpus/$target"
    log="$seeds/$target.log"
    status=0
    cargo fuzz run -O "$target" "fuzz/corpus/$target" "$seeds/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=4096 >"$log" 2>&1 || status=$?
    grep -E '^Done [0-9]+ runs' "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -40 "$log" >&2
        echo "cargo fuzz run $target failed (exit $status); a crash input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
