# Suite `scrape`: scrape ingestion side by side. Each scraper gets its own `vigil-loadgen targets`
# server (T targets x S series of rising counters, wandering gauges and histograms on one port,
# /target/<i>/metrics) and the same scrape config; after a warm-up, a bounded window measures
#   (a) 100 x 1000 at 1 s: CPU seconds (utime+stime from /proc/PID/stat) per million samples
#       appended (each one's own head counter) and RSS per head series, as Vigil/Prometheus ratios;
#   (b) 1000 x 100 at 10 s: missed and failed scrapes (count_over_time / sum_over_time of `up`
#       over the window against T x window/interval), plus CPU per million samples;
#   (c) Vigil's parser alone on the node_exporter capture (MB/s, samples/s, one core).
# Knobs: BENCH_SCRAPE_WARMUP (s, default 20), BENCH_SCRAPE_WINDOW (s, default 60).
scrape_suite() {
  local f="$out/scrape.txt"
  local warm=${BENCH_SCRAPE_WARMUP:-20} win=${BENCH_SCRAPE_WINDOW:-60}
  local hz; hz=$(getconf CLK_TCK)
  echo "# Scrape benchmark $(date -u +%FT%TZ): warm-up ${warm}s, window ${win}s, $(nproc) cores; ratio < 1 means Vigil uses less" | tee "$f"

  scrape_case a 100 1000 1 "$warm" "$win" "$hz" "$f"
  scrape_case b 1000 100 10 "$warm" "$win" "$hz" "$f"

  local capture="${VIGIL_TESTDATA:-../shared/testdata}/exposition/captures/node_exporter_1.5.0.prom"
  if [ -f "$capture" ]; then
    "$LOADGEN" parse "$capture" 5 | sed 's/^/(c) /' | tee -a "$f"
  else
    echo "(c) skipped: $capture absent (set VIGIL_TESTDATA)" | tee -a "$f"
  fi
}

# The sum of every sample of metric $2 in the /metrics of 127.0.0.1:$1.
scrape_metric() {
  curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%.0f", s }'
}
scrape_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# An instant query's single value (0 when empty).
scrape_query() {
  curl -s "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=$2" --data-urlencode "time=$3" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)'
}

# scrape_case NAME TARGETS SERIES INTERVAL WARM WINDOW HZ FILE
scrape_case() {
  local name=$1 targets=$2 series=$3 interval=$4 warm=$5 win=$6 hz=$7 f=$8
  local life=$(( warm + win + 30 ))
  local lv="$tmp/loadgen-$name-v.txt" lp="$tmp/loadgen-$name-p.txt"
  "$LOADGEN" targets 127.0.0.1:0 "$targets" "$series" "$life" > "$lv" 2>&1 & pids+=($!); local lvpid=$!
  "$LOADGEN" targets 127.0.0.1:0 "$targets" "$series" "$life" > "$lp" 2>&1 & pids+=($!); local lppid=$!
  local vt pt
  for _ in $(seq 100); do
    vt=$(sed -n 's/^targets: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$lv"); pt=$(sed -n 's/^targets: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$lp")
    [ -n "$vt" ] && [ -n "$pt" ] && break; sleep 0.1
  done
  [ -n "$vt" ] && [ -n "$pt" ] || { echo "loadgen did not start"; cat "$lv" "$lp"; exit 1; }
  scrape_config "$vt" "$targets" "$interval" > "$tmp/scrape-$name-v.yml"
  scrape_config "$pt" "$targets" "$interval" > "$tmp/scrape-$name-p.yml"
  rm -rf "$tmp/sv-$name" "$tmp/sp-$name"
  "$VIGIL" --config.file="$tmp/scrape-$name-v.yml" --storage.path="$tmp/sv-$name" --web.listen-address="127.0.0.1:$VPORT" \
    --log.level=warn >"$tmp/vigil-scrape-$name.log" 2>&1 & pids+=($!); local vp=$!
  "$PROM" --config.file="$tmp/scrape-$name-p.yml" --storage.tsdb.path="$tmp/sp-$name" --web.listen-address="127.0.0.1:$PPORT" \
    --log.level=warn >"$tmp/prom-scrape-$name.log" 2>&1 & pids+=($!); local pp=$!
  wait_up $VPORT; wait_up $PPORT
  sleep "$warm"
  local vc0 pc0 vs0 ps0 vc1 pc1 vs1 ps1 t0 t1
  t0=$(date +%s.%N)
  vc0=$(scrape_cpu_ticks $vp); pc0=$(scrape_cpu_ticks $pp)
  vs0=$(scrape_metric $VPORT vigil_tsdb_head_samples_appended_total); ps0=$(scrape_metric $PPORT prometheus_tsdb_head_samples_appended_total)
  sleep "$win"
  vc1=$(scrape_cpu_ticks $vp); pc1=$(scrape_cpu_ticks $pp)
  vs1=$(scrape_metric $VPORT vigil_tsdb_head_samples_appended_total); ps1=$(scrape_metric $PPORT prometheus_tsdb_head_samples_appended_total)
  t1=$(date +%s.%N)
  local vrss prss vser pser
  vrss=$(rss_kb $vp); prss=$(rss_kb $pp)
  vser=$(scrape_metric $VPORT vigil_tsdb_head_series); pser=$(scrape_metric $PPORT prometheus_tsdb_head_series)
  local vcpu pcpu vsm psm vper pper vrs prs
  vcpu=$(awk -v a="$vc0" -v b="$vc1" -v h="$hz" 'BEGIN { printf "%.2f", (b - a) / h }')
  pcpu=$(awk -v a="$pc0" -v b="$pc1" -v h="$hz" 'BEGIN { printf "%.2f", (b - a) / h }')
  vsm=$(awk -v a="$vs0" -v b="$vs1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
  psm=$(awk -v a="$ps0" -v b="$ps1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
  vper=$(awk -v c="$vcpu" -v s="$vsm" 'BEGIN { if (s > 0) printf "%.3f", c / s; else print "n/a" }')
  pper=$(awk -v c="$pcpu" -v s="$psm" 'BEGIN { if (s > 0) printf "%.3f", c / s; else print "n/a" }')
  vrs=$(awk -v r="$vrss" -v n="$vser" 'BEGIN { if (n > 0) printf "%.0f", r * 1024 / n; else print "n/a" }')
  prs=$(awk -v r="$prss" -v n="$pser" 'BEGIN { if (n > 0) printf "%.0f", r * 1024 / n; else print "n/a" }')
  local secs; secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  echo "($name) $targets targets x $series series at ${interval}s, ${secs}s window: samples vigil ${vsm}M prometheus ${psm}M; CPU vigil ${vcpu}s prometheus ${pcpu}s" | tee -a "$f"
  echo "($name) CPU s per 1M samples: vigil $vper prometheus $pper ratio $(ratio "$vper" "$pper")" | tee -a "$f"
  echo "($name) RSS per head series: vigil ${vrs} B (${vrss} KiB / ${vser}) prometheus ${prs} B (${prss} KiB / ${pser}) ratio $(ratio "$vrs" "$prs")" | tee -a "$f"
  # Scrapes in the window, per scraper: done (count of `up`), succeeded (sum of `up`).
  local at expected
  at=$(awk -v t="$t1" 'BEGIN { printf "%.3f", t }')
  expected=$(( targets * win / interval ))
  local sel="up{job=\"loadgen\"}[${win}s]" vd vok pd pok
  vd=$(scrape_query $VPORT "sum(count_over_time($sel))" "$at"); vok=$(scrape_query $VPORT "sum(sum_over_time($sel))" "$at")
  pd=$(scrape_query $PPORT "sum(count_over_time($sel))" "$at"); pok=$(scrape_query $PPORT "sum(sum_over_time($sel))" "$at")
  echo "($name) scrapes in window (expected $expected): vigil done $vd ok $vok missed $(( expected - ${vd%.*} )) failed $(( ${vd%.*} - ${vok%.*} )); prometheus done $pd ok $pok missed $(( expected - ${pd%.*} )) failed $(( ${pd%.*} - ${pok%.*} ))" | tee -a "$f"
  local vdur pdur
  vdur=$(scrape_query $VPORT "avg(avg_over_time(scrape_duration_seconds{job=\"loadgen\"}[${win}s]))" "$at")
  pdur=$(scrape_query $PPORT "avg(avg_over_time(scrape_duration_seconds{job=\"loadgen\"}[${win}s]))" "$at")
  echo "($name) mean scrape duration: vigil $(awk -v x="$vdur" 'BEGIN { printf "%.1f", x * 1000 }') ms prometheus $(awk -v x="$pdur" 'BEGIN { printf "%.1f", x * 1000 }') ms" | tee -a "$f"
  kill $vp $pp $lvpid $lppid 2>/dev/null || true
  wait $vp $pp $lvpid $lppid 2>/dev/null || true
}

# The scrape config both get: one job, one target per loadgen path, each its own instance.
scrape_config() {
  local port=$1 targets=$2 interval=$3 i
  printf 'global:\n  scrape_interval: %ss\n  scrape_timeout: %ss\nscrape_configs:\n  - job_name: loadgen\n    static_configs:\n' "$interval" "$interval"
  for (( i = 0; i < targets; i++ )); do
    printf '      - targets: ["127.0.0.1:%s"]\n        labels: {__metrics_path__: "/target/%s/metrics", instance: "t%s"}\n' "$port" "$i" "$i"
  done
}
