# Suite `query`: query latency: the same OpenMetrics data imported into both (vigil tsdb import / promtool),
# then typical dashboard queries, instant and range, timed with curl (median of 7); wrk on a fixed
# instant and range query; peak RSS; serialization of a ~1M-point matrix.
query_suite() {
  local f="$out/query.txt" SERIES=${BENCH_SERIES:-10000} HOURS=${BENCH_HOURS:-6} STEP=${BENCH_STEP:-60}
  local om="$tmp/data.om"
  "$LOADGEN" openmetrics "$om" "$SERIES" "$HOURS" "$STEP"
  local t0 t1
  t0=$(date +%s.%N); "$VIGIL" tsdb import openmetrics "$om" "$tmp/vq" > /dev/null; t1=$(date +%s.%N)
  local vimport; vimport=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  t0=$(date +%s.%N); promtool tsdb create-blocks-from openmetrics "$om" "$tmp/pq" > /dev/null; t1=$(date +%s.%N)
  local pimport; pimport=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  rm -f "$om"
  printf 'global: {scrape_interval: 1h}\n' > "$tmp/empty.yml"
  "$VIGIL" --config.file="$tmp/empty.yml" --storage.path="$tmp/vq" --storage.retention.time=30d \
    --web.listen-address="127.0.0.1:$VPORT" --log.level=warn >"$tmp/vigil-q.log" 2>&1 & pids+=($!); local vp=$!
  "$PROM" --config.file="$tmp/empty.yml" --storage.tsdb.path="$tmp/pq" --storage.tsdb.retention.time=30d \
    --web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$tmp/prom-q.log" 2>&1 & pids+=($!); local pp=$!
  wait_up $VPORT; wait_up $PPORT; sleep 2
  local end; end=$(( $(date +%s) / STEP * STEP ))
  {
    echo "# Query benchmark $(date -u +%FT%TZ): $SERIES series x ${HOURS}h at ${STEP}s; import: vigil ${vimport}s, promtool ${pimport}s"
    echo "# median of 7 (ms), vigil / prometheus; ratio < 1 means Vigil is faster"
  } | tee "$f"
  local queries=(
    'sum by (job) (rate(http_requests_total[5m]))'
    'sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total[5m]))'
    'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'
    'topk(10, rate(http_requests_total[5m]))'
    'max_over_time(sum by (job) (rate(http_requests_total[5m]))[1h:1m])'
    'avg by (job) (node_cpu_usage_ratio)'
  )
  median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  timeit() { # port, endpoint, extra args...
    local port=$1 ep=$2; shift 2
    for _ in 1 2 3 4 5 6 7; do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/api/v1/$ep" "$@"; done | median
  }
  local q mode vt pt
  for q in "${queries[@]}"; do
    local lstep=60; [ "$HOURS" -gt 6 ] && lstep=300
    for mode in "instant" "range 1h step 15s" "range ${HOURS}h step ${lstep}s"; do
      local args=(--data-urlencode "query=$q")
      case "$mode" in
        instant) args+=(-d "time=$end"); ep=query ;;
        "range 1h step 15s") args+=(-d "start=$((end-3600))" -d "end=$end" -d step=15); ep=query_range ;;
        *) args+=(-d "start=$((end-HOURS*3600))" -d "end=$end" -d step=$lstep); ep=query_range ;;
      esac
      vt=$(timeit $VPORT $ep "${args[@]}"); pt=$(timeit $PPORT $ep "${args[@]}")
      printf '%-8s %-22s vigil %7.2f  prometheus %7.2f  ratio %s  %s\n' "" "$mode" "$(awk -v x="$vt" 'BEGIN{print x*1000}')" \
        "$(awk -v x="$pt" 'BEGIN{print x*1000}')" "$(ratio "$vt" "$pt")" "$q" | tee -a "$f"
    done
  done
  local iq rq
  iq="query=sum%20by%20(job)%20(rate(http_requests_total%5B5m%5D))&time=$end"
  rq="query=node_cpu_usage_ratio%7Bjob%3D%22api-0%22%2Ccpu%3D~%22%5B0-4%5D%22%7D&start=$((end-3600))&end=$end&step=15"
  for spec in "instant:query?$iq" "range-100-series-1h-15s:query_range?$rq"; do
    local name=${spec%%:*} path=${spec#*:}
    wrk -t2 -c8 -d10s --latency "http://127.0.0.1:$VPORT/api/v1/$path" > "$tmp/wv.txt" 2>&1 || true
    wrk -t2 -c8 -d10s --latency "http://127.0.0.1:$PPORT/api/v1/$path" > "$tmp/wp.txt" 2>&1 || true
    local vr pr v99 p99
    vr=$(rps "$tmp/wv.txt"); pr=$(rps "$tmp/wp.txt")
    v99=$(awk '$1=="99%" {print $2}' "$tmp/wv.txt"); p99=$(awk '$1=="99%" {print $2}' "$tmp/wp.txt")
    echo "wrk $name: vigil ${vr} req/s p99 ${v99}, prometheus ${pr} req/s p99 ${p99}, throughput ratio $(ratio "$vr" "$pr")" | tee -a "$f"
  done
  local big="query=node_cpu_usage_ratio&start=$((end-HOURS*3600))&end=$end&step=$(( HOURS*3600*SERIES*3/5/1000000 > 0 ? HOURS*3600*SERIES*3/5/1000000 : 15 ))"
  local stats; stats=$(curl -s -o /dev/null -w '%{size_download} %{time_total}' "http://127.0.0.1:$VPORT/api/v1/query_range?$big")
  echo "serialization: vigil $(awk -v s="$stats" 'BEGIN{split(s,a," "); printf "%.0f MB in %.2fs = %.0f MB/s", a[1]/1e6, a[2], a[1]/1e6/a[2]}')" | tee -a "$f"
  stats=$(curl -s -o /dev/null -w '%{size_download} %{time_total}' "http://127.0.0.1:$PPORT/api/v1/query_range?$big")
  echo "serialization: prometheus $(awk -v s="$stats" 'BEGIN{split(s,a," "); printf "%.0f MB in %.2fs = %.0f MB/s", a[1]/1e6, a[2], a[1]/1e6/a[2]}')" | tee -a "$f"
  echo "peak RSS: vigil $(awk '/^VmHWM/ {print $2}' /proc/$vp/status) KiB, prometheus $(awk '/^VmHWM/ {print $2}' /proc/$pp/status) KiB" | tee -a "$f"
  du -sk "$tmp/vq" "$tmp/pq" | awk '{print "on disk: " $2 " " $1 " KiB"}' | tee -a "$f"
  kill $vp $pp 2>/dev/null || true
}

