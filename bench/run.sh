#!/usr/bin/env bash
# Side-by-side benchmarks of Vigil against the reference tools, on loopback only.
# Usage: bench/run.sh [suite ...]   (default: every suite). Results: bench/out/<suite>.txt
# Each suite is bench/<suite>.sh defining <suite>_suite; bench/lib.sh holds what they share.
set -euo pipefail
cd "$(dirname "$0")/.."
suites=("$@")
all_suites() { ls bench/*.sh | xargs -n1 basename | sed 's/\.sh$//' | grep -vxE 'run|lib'; }
[ ${#suites[@]} -gt 0 ] || mapfile -t suites < <(all_suites)
source bench/lib.sh
for s in "${suites[@]}"; do
  [ -f "bench/$s.sh" ] || { echo "unknown suite $s (have: $(all_suites | tr '\n' ' '))"; exit 2; }
  source "bench/$s.sh"
  "${s}_suite"
done
