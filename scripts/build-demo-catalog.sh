#!/bin/sh
# Rebuilds the demo DIP catalog (data/demo/dip-catalog.json) from a generated three-year history.
# Provenance and parameters: data/demo/README.md. tests/demo.rs checks that the committed catalog
# is exactly what these commands produce.
#
# Usage: scripts/build-demo-catalog.sh [OUTPUT]   (default data/demo/dip-catalog.json)
# DRGDIP names the binary (default target/release/drgdip, built if missing).
set -eu
cd "$(dirname "$0")/.."
DRGDIP=${DRGDIP:-target/release/drgdip}
[ -x "$DRGDIP" ] || cargo build --release --quiet
OUT=${1:-data/demo/dip-catalog.json}
"$DRGDIP" gen --years 2022-2024 --months 12 --cases 60000 --seed 2024 --out - |
    "$DRGDIP" dip build-catalog --input - --output "$OUT" \
        --min-cases 40 --trim iqr \
        --dictionary data/demo/procedures.json \
        --hospitals data/demo/hospitals.json \
        --name "drgdip demo DIP catalog (illustrative)"
