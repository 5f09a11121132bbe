# Shared by the bench suites: sourced by bench/run.sh, never run on its own.
out=bench/out; mkdir -p "$out"
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

