#!/usr/bin/env bash
# Side-by-side benchmarks of Vigil against the reference tools, on loopback only.
# Usage: bench/run.sh [http]   (default: all suites). Results: bench/out/<suite>.txt
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out; mkdir -p "$out"
suite=${1:-all}
DURATION=${BENCH_DURATION:-20s}
VIGIL=./.build/release/vigil
LOADGEN=./.build/release/vigil-loadgen
PROM=$(command -v prometheus || true)
[ -x "$VIGIL" ] && [ -x "$LOADGEN" ] || { echo "build release first (make bench does)"; exit 1; }
[ -n "$PROM" ] || { echo "prometheus not installed (make bench installs it)"; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# Free loopback ports, so a benchmark never collides with another server on this machine.
free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 20000 ))
    ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}
VPORT=$(free_port); PPORT=$(free_port)
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
wait_up() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/-/ready" >/dev/null && return 0; sleep 0.1; done; echo "port $1 never became ready"; exit 1; }
rps() { awk '/^Requests\/sec/ {print $2}' "$1"; }
errs() { local e; e=$(grep -E 'Socket errors|Non-2xx' "$1" | tr '\n' ' '); echo "${e:-none}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

start_both() {
  cat > "$tmp/prom.yml" <<YML
global: {scrape_interval: 15s}
scrape_configs:
  - job_name: prometheus
    static_configs: [{targets: ["127.0.0.1:$PPORT"]}]
YML
  sed "s/localhost:9090/127.0.0.1:$VPORT/" deploy/vigil.yml | grep -v -e '^rule_files' -e 'rules/\*' > "$tmp/vigil.yml"
  "$VIGIL" --config.file="$tmp/vigil.yml" --storage.path="$tmp/vdata" --web.listen-address="127.0.0.1:$VPORT" \
    --web.max-connections=8192 --log.level=warn >"$tmp/vigil.log" 2>&1 & pids+=($!); VPID=$!
  "$PROM" --config.file="$tmp/prom.yml" --storage.tsdb.path="$tmp/pdata" --web.listen-address="127.0.0.1:$PPORT" \
    --web.max-connections=8192 --log.level=warn >"$tmp/prom.log" 2>&1 & pids+=($!); PPID_=$!
  wait_up $VPORT; wait_up $PPORT
}

http_suite() {
  local f="$out/http.txt"
  start_both
  sleep 5
  local v_idle p_idle; v_idle=$(rss_kb $VPID); p_idle=$(rss_kb $PPID_)
  {
    echo "# HTTP benchmark $(date -u +%FT%TZ) on $(nproc) cores; wrk -t2 -d$DURATION; Prometheus $("$PROM" --version 2>&1 | head -1 | awk '{print $3}')"
    echo "idle RSS: vigil ${v_idle} KiB, prometheus ${p_idle} KiB, ratio $(ratio "$v_idle" "$p_idle")"
  } | tee "$f"
  for c in 256 2000; do
    wrk -t2 -c$c -d"$DURATION" "http://127.0.0.1:$VPORT/-/healthy" > "$tmp/v$c.txt" 2>&1 || true
    wrk -t2 -c$c -d"$DURATION" "http://127.0.0.1:$PPORT/-/healthy" > "$tmp/p$c.txt" 2>&1 || true
    local vr pr; vr=$(rps "$tmp/v$c.txt"); pr=$(rps "$tmp/p$c.txt")
    echo "/-/healthy -c$c: vigil ${vr} req/s (errors: $(errs "$tmp/v$c.txt")), prometheus ${pr} req/s (errors: $(errs "$tmp/p$c.txt")), ratio $(ratio "$vr" "$pr")" | tee -a "$f"
  done
  "$LOADGEN" idle-conns "127.0.0.1:$VPORT" 2000 6 > "$tmp/vidle.txt" & local lv=$!
  "$LOADGEN" idle-conns "127.0.0.1:$PPORT" 2000 6 > "$tmp/pidle.txt" & local lp=$!
  sleep 4
  local v2k p2k; v2k=$(rss_kb $VPID); p2k=$(rss_kb $PPID_)
  wait $lv $lp
  echo "RSS with 2000 idle keep-alive connections: vigil ${v2k} KiB ($(cat "$tmp/vidle.txt")), prometheus ${p2k} KiB ($(cat "$tmp/pidle.txt")), ratio $(ratio "$v2k" "$p2k")" | tee -a "$f"
  echo "slowloris 500 connections, /-/healthy probed every 100 ms for 15 s:" | tee -a "$f"
  echo "  vigil:      $("$LOADGEN" slowloris "127.0.0.1:$VPORT" 500 15)" | tee -a "$f"
  echo "  prometheus: $("$LOADGEN" slowloris "127.0.0.1:$PPORT" 500 15)" | tee -a "$f"
}

case "$suite" in
  http|all) http_suite ;;
  *) echo "unknown suite $suite"; exit 2 ;;
esac
