# Suite `http`: request throughput, idle and connection memory, slowloris. Sourced by run.sh.
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

