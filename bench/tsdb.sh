# Suite `tsdb`: the storage figures of issue 3, Vigil against Prometheus in one run, as ratios.
#   1. on-disk bytes per sample of the block compaction makes from (a) node_exporter-like data
#      and (b) counters, gauges and histograms over 6 h (the same OpenMetrics file imported by
#      `vigil tsdb import` and `promtool tsdb create-blocks-from`, then each daemon runs on its
#      directory until its compactor has merged the 2 h blocks into a 6 h one);
#   2. RSS per head series, 3. ingest CPU per sample and in-process append throughput on one
#      core, 4. WAL replay time after kill -9: both daemons scrape the same fast-forward targets
#      (explicit timestamps, 60 s per scrape) until their heads hold SERIES × 2 h;
#   5. select + decode throughput: sum(count_over_time(...[1h])) over the 10k series of (b).
# Sizes (env): BENCH_TSDB_HEAD_SERIES (default 200000; the issue's figure is 1000000, about
# 10 minutes more), BENCH_TSDB_TARGETS (100), BENCH_TSDB_NODES (20 nodes = 2140 series),
# BENCH_TSDB_SERIES (10000 series in data set b); BENCH_TSDB_PARTS="disk head append" picks parts.
tsdb_suite() {
  local f="$out/tsdb.txt" BENCHBIN=./.build/release/vigil-bench
  [ -x "$BENCHBIN" ] || { echo "build release first (make bench does)"; exit 1; }
  local NODES=${BENCH_TSDB_NODES:-20} BSERIES=${BENCH_TSDB_SERIES:-10000}
  local HEAD=${BENCH_TSDB_HEAD_SERIES:-200000} TARGETS=${BENCH_TSDB_TARGETS:-100}
  echo "# TSDB benchmark $(date -u +%FT%TZ) on $(nproc) cores; Prometheus $("$PROM" --version 2>&1 | head -1 | awk '{print $3}'); ratio = vigil / prometheus" | tee "$f"
  local parts=" ${BENCH_TSDB_PARTS:-disk head append} "
  [[ $parts == *" disk "* ]] && tsdb_disk "$f" "$NODES" "$BSERIES"
  [[ $parts == *" head "* ]] && tsdb_head "$f" "$HEAD" "$TARGETS"
  [[ $parts == *" append "* ]] && echo "append, one core (taskset), in process: $(taskset -c 1 "$BENCHBIN" append 10000 200 "$tmp/append" | tr '\n' ';' | sed 's/append: //g; s/;$//')" | tee -a "$f"
  rm -rf "$tmp/append"
}

# Bytes of the regular files under the given directories.
tsdb_bytes() { find "$@" -type f -printf '%s\n' 2>/dev/null | awk '{s += $1} END {print s + 0}'; }

# The compacted (level >= 2) blocks of a data directory, one per line.
tsdb_compacted() {
  local m
  for m in "$1"/*/meta.json; do
    [ -f "$m" ] && tr -d ' \n\t' < "$m" | grep -q '"level":[2-9]' && dirname "$m"
  done
}

tsdb_samples() { tr -d ' \n\t' < "$1/meta.json" | grep -o '"numSamples":[0-9]*' | head -1 | cut -d: -f2; }

# Waits until $1 answers 200 on /-/ready; prints the seconds since $2 (a `date +%s.%N`).
tsdb_ready_after() {
  local port=$1 t0=$2 i
  for i in $(seq 6000); do
    if curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; then
      awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'
      return
    fi
    sleep 0.05
  done
  echo "never"
}

tsdb_metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m || index($1, m "{") == 1 {s += $2} END {printf "%.0f", s}'; }
tsdb_cpu() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }

tsdb_disk() {
  local f=$1 nodes=$2 bseries=$3
  # Data in one 6 h range that ended at least 6 h ago; marker samples after it make newer blocks.
  local end=$(( $(date +%s) / 21600 * 21600 - 21600 )) set t0 vt pt
  "$LOADGEN" nodes "$tmp/a.om" "$nodes" 6 15 "$end"
  "$LOADGEN" openmetrics-at "$tmp/b.om" "$bseries" 6 15 "$((end - 15))"
  for set in a b; do
    t0=$(date +%s.%N); "$VIGIL" tsdb import openmetrics "$tmp/$set.om" "$tmp/v$set" > /dev/null
    vt=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    t0=$(date +%s.%N); promtool tsdb create-blocks-from openmetrics "$tmp/$set.om" "$tmp/p$set" > /dev/null
    pt=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    echo "import ($set): vigil ${vt}s, promtool ${pt}s" >> "$tmp/imports.txt"
    rm -f "$tmp/$set.om"
  done
  printf 'global: {scrape_interval: 1h}\n' > "$tmp/empty.yml"
  local va=$VPORT pa=$PPORT vb pb; vb=$(free_port); pb=$(free_port)
  local dpids=()
  for spec in "va:$va" "vb:$vb"; do
    "$VIGIL" --config.file="$tmp/empty.yml" --storage.path="$tmp/${spec%%:*}" --storage.retention.time=30d \
      --web.listen-address="127.0.0.1:${spec#*:}" --log.level=warn >"$tmp/${spec%%:*}.log" 2>&1 & pids+=($!); dpids+=($!)
  done
  for spec in "pa:$pa" "pb:$pb"; do
    "$PROM" --config.file="$tmp/empty.yml" --storage.tsdb.path="$tmp/${spec%%:*}" --storage.tsdb.retention.time=30d \
      --web.listen-address="127.0.0.1:${spec#*:}" --log.level=warn >"$tmp/${spec%%:*}.log" 2>&1 & pids+=($!); dpids+=($!)
  done
  # Prometheus compacts from a one-minute timer; give both up to four minutes.
  local waited=0 d
  while [ $waited -lt 240 ]; do
    local all=1
    for d in va vb pa pb; do [ -n "$(tsdb_compacted "$tmp/$d")" ] || all=0; done
    [ $all = 1 ] && break
    sleep 2; waited=$((waited + 2))
  done
  sleep 2
  cat "$tmp/imports.txt" | tee -a "$f"
  local label
  for set in a b; do
    [ $set = a ] && label="(a) node_exporter-like, $((nodes * 107)) series, 6h at 15s" || label="(b) counters/gauges/histograms, $bseries series, 6h at 15s"
    local line="" vbps=0 pbps=0
    for side in v p; do
      local blocks; blocks=$(tsdb_compacted "$tmp/$side$set")
      if [ -z "$blocks" ]; then line+=" $side: no compacted block;"; continue; fi
      local total=0 samples=0 chunks=0 b
      for b in $blocks; do
        total=$((total + $(tsdb_bytes "$b"))); samples=$((samples + $(tsdb_samples "$b"))); chunks=$((chunks + $(tsdb_bytes "$b/chunks")))
      done
      local bps; bps=$(awk -v a="$total" -v s="$samples" 'BEGIN{printf "%.3f", a/s}')
      [ $side = v ] && vbps=$bps || pbps=$bps
      line+=" $([ $side = v ] && echo vigil || echo prometheus) $bps B/sample (chunks $(awk -v a="$chunks" -v s="$samples" 'BEGIN{printf "%.3f", a/s}'), index+meta $(awk -v a="$((total - chunks))" -v s="$samples" 'BEGIN{printf "%.3f", a/s}'); $samples samples, $total bytes),"
    done
    echo "disk $label after compaction:$line ratio $(ratio "$vbps" "$pbps")" | tee -a "$f"
  done
  # Select + decode: every series of (b) over one hour inside the compacted block.
  local at=$((end - 7200)) q='sum(count_over_time({job=~"api-.*"}[1h]))' vt pt n
  median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  n=$(curl -s "http://127.0.0.1:$vb/api/v1/query" --data-urlencode "query=$q" -d "time=$at" | grep -o '"[0-9]*"\]' | tr -dc 0-9)
  vt=$(for _ in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$vb/api/v1/query" --data-urlencode "query=$q" -d "time=$at"; done | median)
  pt=$(for _ in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$pb/api/v1/query" --data-urlencode "query=$q" -d "time=$at"; done | median)
  echo "select+decode $q over $bseries series, ${n:-?} samples (median of 5): vigil ${vt}s = $(awk -v n="${n:-0}" -v t="$vt" 'BEGIN{printf "%.1f", n/t/1e6}') M samples/s, prometheus ${pt}s = $(awk -v n="${n:-0}" -v t="$pt" 'BEGIN{printf "%.1f", n/t/1e6}') M samples/s, time ratio $(ratio "$vt" "$pt")" | tee -a "$f"
  kill "${dpids[@]}" 2>/dev/null || true
  wait "${dpids[@]}" 2>/dev/null || true
  echo "select+decode in process (vigil-bench, same block, same hour): $("$BENCHBIN" select "$tmp/vb" $((at - 3600)) "$at" 3 job 'api-.*' 2>&1 | tail -1)" | tee -a "$f"
  rm -rf "$tmp/va" "$tmp/vb" "$tmp/pa" "$tmp/pb"
}

tsdb_head() {
  local f=$1 series=$2 targets=$3 steps=120 step=60
  local per=$(( series / targets )) interval=1
  [ "$series" -gt 300000 ] && interval=2
  local start=$(( $(date +%s) - (steps - 1) * step - 30 ))
  "$LOADGEN" fastforward 127.0.0.1:0 "$targets" "$per" "$step" "$steps" "$start" 3600 > "$tmp/ff.txt" & pids+=($!); local lg=$!
  local i port=""
  for i in $(seq 100); do port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$tmp/ff.txt" | cut -d: -f2 || true); [ -n "$port" ] && break; sleep 0.1; done
  [ -n "$port" ] || { echo "fastforward did not start"; return; }
  # The same scrape config for both; a 4 h block range, so that a head of 2 h of past samples
  # stays appendable (the bound is half a block range behind the newest sample, which the
  # scrape report series keep at the wall clock) and is not compacted.
  for who in v p; do
    {
      echo "global: {scrape_interval: ${interval}s, scrape_timeout: ${interval}s}"
      echo "scrape_configs:"
      echo "  - job_name: ff"
      echo "    honor_timestamps: true"
      echo "    static_configs:"
      for i in $(seq 0 $((targets - 1))); do
        echo "      - targets: ['127.0.0.1:$port']"
        echo "        labels: {__metrics_path__: /ff/$who/$i/metrics, instance: 'target-$i'}"
      done
      [ $who = v ] && printf 'vigil:\n  storage:\n    min_block_duration: 4h\n'
    } > "$tmp/ff-$who.yml"
  done
  "$VIGIL" --config.file="$tmp/ff-v.yml" --storage.path="$tmp/hv" --web.listen-address="127.0.0.1:$VPORT" --log.level=warn >"$tmp/hv.log" 2>&1 & pids+=($!); local vp=$!
  "$PROM" --config.file="$tmp/ff-p.yml" --storage.tsdb.path="$tmp/hp" --storage.tsdb.min-block-duration=4h --storage.tsdb.max-block-duration=4h \
    --web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$tmp/hp.log" 2>&1 & pids+=($!); local pp=$!
  wait_up $VPORT; wait_up $PPORT
  local t0; t0=$(date +%s)
  local vc0 pc0; vc0=$(tsdb_cpu $vp); pc0=$(tsdb_cpu $pp)
  local vmin=0 pmin=0
  while [ $(( $(date +%s) - t0 )) -lt 1500 ]; do
    local st; st=$(curl -s "http://127.0.0.1:$port/status")
    vmin=$(echo "$st" | awk '$1 == "v" {sub("min=", "", $2); print $2}'); pmin=$(echo "$st" | awk '$1 == "p" {sub("min=", "", $2); print $2}')
    [ "${vmin:-0}" -ge $steps ] && [ "${pmin:-0}" -ge $steps ] && break
    sleep 2
  done
  local took=$(( $(date +%s) - t0 ))
  sleep 3
  local vc1 pc1; vc1=$(tsdb_cpu $vp); pc1=$(tsdb_cpu $pp)
  local vrss prss vs ps vn pn
  vrss=$(rss_kb $vp); prss=$(rss_kb $pp)
  vs=$(tsdb_metric $VPORT vigil_tsdb_head_series); ps=$(tsdb_metric $PPORT prometheus_tsdb_head_series)
  vn=$(tsdb_metric $VPORT vigil_tsdb_head_samples_appended_total); pn=$(tsdb_metric $PPORT prometheus_tsdb_head_samples_appended_total)
  kill $lg 2>/dev/null || true
  {
    echo "head: $targets fast-forward targets x $per series, $steps scrapes at ${step}s steps (2h) reached in ${took}s (scrape interval ${interval}s; steps served: vigil $vmin, prometheus $pmin)"
    echo "head series / samples appended: vigil $vs / $vn, prometheus $ps / $pn"
    echo "RSS per head series: vigil $((vrss / 1024)) MiB = $(awk -v r="$vrss" -v s="$vs" 'BEGIN{printf "%.0f", r*1024/s}') B/series, prometheus $((prss / 1024)) MiB = $(awk -v r="$prss" -v s="$ps" 'BEGIN{printf "%.0f", r*1024/s}') B/series, ratio $(ratio "$(awk -v r="$vrss" -v s="$vs" 'BEGIN{print r/s}')" "$(awk -v r="$prss" -v s="$ps" 'BEGIN{print r/s}')")"
    echo "ingest CPU per sample (scrape, parse, append, WAL; whole process): vigil $(awk -v c="$(awk -v a="$vc0" -v b="$vc1" 'BEGIN{print b-a}')" -v n="$vn" 'BEGIN{printf "%.2f", c*1e6/n}') us, prometheus $(awk -v c="$(awk -v a="$pc0" -v b="$pc1" 'BEGIN{print b-a}')" -v n="$pn" 'BEGIN{printf "%.2f", c*1e6/n}') us, ratio $(ratio "$(awk -v a="$vc0" -v b="$vc1" -v n="$vn" 'BEGIN{print (b-a)/n}')" "$(awk -v a="$pc0" -v b="$pc1" -v n="$pn" 'BEGIN{print (b-a)/n}')")"
  } | tee -a "$f"
  # kill -9 both, then restart each alone (the other one stopped) and time it to /-/ready.
  kill -9 $vp $pp; wait $vp $pp 2>/dev/null || true
  local walv walp; walv=$(tsdb_bytes "$tmp/hv/wal"); walp=$(tsdb_bytes "$tmp/hp/wal" "$tmp/hp/chunks_head")
  printf 'global: {scrape_interval: 1h}\n' > "$tmp/idle.yml"
  printf 'global: {scrape_interval: 1h}\nvigil:\n  storage:\n    min_block_duration: 4h\n' > "$tmp/idle-v.yml"
  local t1 pr vr
  t1=$(date +%s.%N)
  "$PROM" --config.file="$tmp/idle.yml" --storage.tsdb.path="$tmp/hp" --storage.tsdb.min-block-duration=4h --storage.tsdb.max-block-duration=4h \
    --web.listen-address="127.0.0.1:$PPORT" --log.level=warn >>"$tmp/hp.log" 2>&1 & pids+=($!); pp=$!
  pr=$(tsdb_ready_after $PPORT "$t1"); local prss2; prss2=$(rss_kb $pp); ps=$(tsdb_metric $PPORT prometheus_tsdb_head_series)
  kill $pp; wait $pp 2>/dev/null || true
  t1=$(date +%s.%N)
  "$VIGIL" --config.file="$tmp/idle-v.yml" --storage.path="$tmp/hv" --web.listen-address="127.0.0.1:$VPORT" --log.level=warn >>"$tmp/hv.log" 2>&1 & pids+=($!); vp=$!
  vr=$(tsdb_ready_after $VPORT "$t1"); local vrss2; vrss2=$(rss_kb $vp); vs=$(tsdb_metric $VPORT vigil_tsdb_head_series)
  kill $vp; wait $vp 2>/dev/null || true
  echo "WAL replay after kill -9 until /-/ready: vigil ${vr}s ($vs series, WAL $((walv / 1048576)) MiB, RSS after $((vrss2 / 1024)) MiB), prometheus ${pr}s ($ps series, WAL+head chunks $((walp / 1048576)) MiB, RSS after $((prss2 / 1024)) MiB), ratio $(ratio "$vr" "$pr")" | tee -a "$f"
  rm -rf "$tmp/hv" "$tmp/hp"
}
