#!/bin/sh
# Rebuilds the demo DRG relative weights (data/demo/drg-weights.csv) from the same generated
# three-year history as the demo DIP catalog, grouped with the demo scheme. Provenance:
# data/demo/README.md. tests/demo.rs checks that the committed file is exactly what these
# commands produce.
#
# Usage: scripts/build-demo-weights.sh [OUTPUT]   (default data/demo/drg-weights.csv)
# DRGDIP names the binary (default target/release/drgdip, built if missing).
set -eu
cd "$(dirname "$0")/.."
DRGDIP=${DRGDIP:-target/release/drgdip}
[ -x "$DRGDIP" ] || cargo build --release --quiet
OUT=${1:-data/demo/drg-weights.csv}
"$DRGDIP" gen --years 2022-2024 --months 12 --cases 60000 --seed 2024 --out - |
    "$DRGDIP" group --scheme data/demo/scheme.json --input - --output - --keep year,total_cost |
    "$DRGDIP" drg weights --input - --output "$OUT" --trim iqr
