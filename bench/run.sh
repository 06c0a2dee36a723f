#!/bin/sh
# Runs every measurement, writes results.md and puts it into README.md between the
# `<!-- results -->` markers. Extra arguments go to kiln-bench (e.g. `--reps 3`, `--only nbody`).
set -eu
cd "$(dirname "$0")"
cargo build --release
target/release/kiln-bench --out results.md "$@"
awk '
  /<!-- results -->/ { print; while ((getline line < "results.md") > 0) print line; skip = 1; next }
  /<!-- \/results -->/ { skip = 0 }
  !skip { print }
' README.md > README.md.new
mv README.md.new README.md
cat results.md
