#!/bin/sh
# Mutation test of the judging modules (not part of CI): one module at a time, each
# against its own small set of tests (see MODULES in scripts/mutate.py).
#   scripts/mutation.sh                       every judging module
#   scripts/mutation.sh judge.workdays result  some of them
# Prints each survivor and a score per module, then the total.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
MODULES=${*:-"judge.workdays result check.engine judge.identifiers judge.prose judge.substance check.functions"}
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
for module in $MODULES; do
    "$PY" scripts/mutate.py "$module" | tee -a "$LOG"
done
awk '/ killed \(/ { split($2, a, "/"); k += a[1]; n += a[2]
                     for (i = 1; i <= NF; i++) if ($i == "equivalent,") e += $(i - 1) }
     END { if (n) printf "all modules: %d/%d killed, %d equivalent, score %.1f%% of all mutants, %.1f%% of %d non-equivalent\n",
                         k, n, e, 100 * k / n, 100 * k / (n - e), n - e }' "$LOG"
