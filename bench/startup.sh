#!/usr/bin/env bash
# Time from exec of `mesosbox serve` until every health and leader endpoint
# answers 200 and the local agent is registered, over N fresh starts (new data dir each: first start includes
# bootstrapping the Raft cluster). Prints the median and the worst run.
# PORT_BASE moves the five ports (default: the standard 5050, 5051, 8080,
# 4400 and 5052) to PORT_BASE..PORT_BASE+4, for machines where they are taken.
set -euo pipefail
bin=${1:-bin/mesosbox}; n=${2:-10}
if [ -n "${PORT_BASE:-}" ]; then
  mp=$PORT_BASE ap=$((PORT_BASE+1)) kp=$((PORT_BASE+2)) cp=$((PORT_BASE+3)) rp=$((PORT_BASE+4))
  ports=(--master-port "$mp" --agent-port "$ap" --marathon-port "$kp" --chronos-port "$cp" --raft-port "$rp")
else
  mp=5050 ap=5051 kp=8080 cp=4400; ports=()
fi
times=()
for i in $(seq 1 "$n"); do
  dir=$(mktemp -d)
  start=$(date +%s%N)
  "$bin" serve --data-dir "$dir" --bind 127.0.0.1 --node-name bench --log-level warn "${ports[@]}" 2>/dev/null &
  pid=$!
  for url in http://127.0.0.1:$mp/master/health http://127.0.0.1:$ap/health http://127.0.0.1:$kp/ping \
             http://127.0.0.1:$cp/ping http://127.0.0.1:$kp/v2/leader http://127.0.0.1:$cp/v1/scheduler/leader; do
    until curl -fsS -o /dev/null "$url" 2>/dev/null; do sleep 0.005; done
  done
  # ... and the local agent registered, its resources offered to frameworks.
  until curl -fsS "http://127.0.0.1:$mp/metrics/snapshot" 2>/dev/null | grep -q '"master/slaves_active":1'; do sleep 0.005; done
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "startup to all endpoints answering: median ${sorted[$((n/2))]} ms, worst ${sorted[$((n-1))]} ms over $n fresh starts"
