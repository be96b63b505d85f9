#!/bin/sh
# A service on Kafka in a few lines of shell: it reads each request on inventory.requests and
# answers with a reservation. Everything it needs is in the request's headers: the run, the job, the
# attempt, the attempt's token (which signs the answer) and the topic to answer on.
#   examples/inventory-service.sh            # beside ./baton dev; Ctrl-C stops it
bootstrap=${BATON_BOOTSTRAP_SERVERS:-localhost:9092}
kcat -C -b "$bootstrap" -t inventory.requests -o end -u -q -f '%h\t%k\n' |
while IFS="$(printf '\t')" read -r headers key; do
  header() { printf '%s\n' "$headers" | tr ',' '\n' | sed -n "s/^$1=//p"; }
  run=$(header baton-run-id)
  reply='{"runId":"'"$run"'","job":"'"$(header baton-job)"'","attempt":'"$(header baton-attempt)"
  item=$(header baton-item)
  [ -n "$item" ] && reply="$reply"',"item":'"$item"
  reply="$reply"',"status":"SUCCEEDED","reporter":"inventory","outputs":{"reservationId":"res-'"$key"'"}'
  reply="$reply"',"token":"'"$(header baton-attempt-token)"'"}'
  echo "reserved $key for run $run" >&2
  printf '%s|%s\n' "$run" "$reply" |
    kcat -P -b "$bootstrap" -t "$(header baton-reply-topic)" -K'|' -X partitioner=murmur2_random
done
