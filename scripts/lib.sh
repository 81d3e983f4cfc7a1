# Sourced by the benchmark scripts: what every one of them needs once. (The older
# bench-*.sh still carry their own copies; they move here as they are next changed.)

# wrk's summary as "req/s p50 p99 non-2xx", for: FILE (wrk's --latency output).
wrk_numbers() {
  local file=$1 rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$file")
  p50=$(awk '$1=="50%" {print $2}' "$file")
  p99=$(awk '$1=="99%" {print $2}' "$file")
  errors=$(awk '/Non-2xx/ {print $5}' "$file")
  echo "$rps $p50 $p99 ${errors:-0}"
}
