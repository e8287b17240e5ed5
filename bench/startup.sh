#!/usr/bin/env bash
# Time from exec of `mesosbox serve` until every health and leader endpoint
# answers 200, over N fresh starts (new data dir each: first start includes
# bootstrapping the Raft cluster). Prints the median and the worst run.
set -euo pipefail
bin=${1:-bin/mesosbox}; n=${2:-10}
times=()
for i in $(seq 1 "$n"); do
  dir=$(mktemp -d)
  start=$(date +%s%N)
  "$bin" serve --data-dir "$dir" --bind 127.0.0.1 --node-name bench --log-level warn 2>/dev/null &
  pid=$!
  for url in http://127.0.0.1:5050/master/health http://127.0.0.1:5051/health http://127.0.0.1:8080/ping \
             http://127.0.0.1:4400/ping http://127.0.0.1:8080/v2/leader http://127.0.0.1:4400/v1/scheduler/leader; do
    until curl -fsS -o /dev/null "$url" 2>/dev/null; do sleep 0.005; done
  done
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "startup to all endpoints answering: median ${sorted[$((n/2))]} ms, worst ${sorted[$((n-1))]} ms over $n fresh starts"
