#!/usr/bin/env bash
# Writes the results of every shipped scenario, network scenario and batch into DIR, with the
# parts that vary between runs (the manifests' timings) removed, so that two builds can be
# compared byte for byte with `diff -r`:
#
#   scripts/golden/outputs.sh /tmp/before            # on the old build
#   scripts/golden/outputs.sh /tmp/after             # on the new build
#   diff -r /tmp/before /tmp/after && echo identical
#
# The elective scenarios run at a fiftieth of their size with 3 replications (every code path,
# a minute in all); the ICB example, the network scenarios and the batch run as shipped.
# PLANSIM names the binary (default target/release/plansim, built first).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: scripts/golden/outputs.sh DIR}
if [ -e "$out" ]; then
  echo "$out exists: give a new folder" >&2
  exit 2
fi
if [ -z "${PLANSIM:-}" ]; then
  cargo build --release --quiet
  PLANSIM=target/release/plansim
fi
mkdir -p "$out"

for scenario in scenarios/*.toml; do
  name=$(basename "$scenario" .toml)
  case "$name" in
    example-icb) "$PLANSIM" run "$scenario" -o "$out/run" -q ;;
    *) "$PLANSIM" run "$scenario" -o "$out/run" -q --scale 0.02 -r 3 ;;
  esac
done
# Several scenarios in one run: the paired comparison.
"$PLANSIM" run scenarios/example-icb.toml scenarios/pifu-5pct.toml scenarios/daycase-85.toml \
  -o "$out/compare" -q --scale 0.02 -r 3
for scenario in scenarios/network/*.toml; do
  "$PLANSIM" run "$scenario" -o "$out/network" -q
done
for batch in scenarios/batches/*.toml; do
  "$PLANSIM" batch "$batch" -o "$out/batch" -q
done
for folder in "$out"/run/* "$out"/compare/*/; do
  [ -f "$folder/manifest.json" ] && "$PLANSIM" report "$folder" >/dev/null
done
"$PLANSIM" check scenarios/*.toml >"$out/check.txt"
"$PLANSIM" targets >"$out/targets.txt"

# What varies between runs: the manifests' timings (wall time, start time, speed, invocation),
# and the report's rows showing them.
find "$out" -name manifest.json -print0 | while IFS= read -r -d '' manifest; do
  sed -i '/^  "timings": {/,/^  }/d' "$manifest"
done
find "$out" -name report.html -print0 | while IFS= read -r -d '' report; do
  sed -i '/<dt>timings\./d' "$report"
done
echo "outputs written to $out"
