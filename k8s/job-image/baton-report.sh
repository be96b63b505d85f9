#!/bin/sh
# Runs a job's command, then publishes its completion to Baton with kcat, from the BATON_*
# variables Baton gives every pod. Use it as the image's entrypoint wrapper
# (BATON_K8S_WRAPPER=/usr/local/bin/baton-report on the dispatcher), or call it from your own.
# Outputs: the job writes key=value lines or a JSON object to $BATON_OUTPUTS.
"$@"
code=$?

json_escape() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }

outputs='{}'
if [ -s "$BATON_OUTPUTS" ]; then
  if [ "$(head -c 1 "$BATON_OUTPUTS")" = "{" ]; then
    outputs=$(tr -d '\n' < "$BATON_OUTPUTS")
  else
    outputs="{$(grep -v -e '^#' -e '^$' "$BATON_OUTPUTS" | while IFS='=' read -r key value; do
      printf '"%s":"%s",' "$key" "$(printf '%s' "$value" | json_escape)"
    done | sed 's/,$//')}"
  fi
fi
status=SUCCEEDED
[ "$code" -eq 0 ] || status=FAILED
item=null
[ -n "$BATON_ITEM_INDEX" ] && item=$BATON_ITEM_INDEX

# BATON_ATTEMPT_TOKEN proves the report comes from this attempt's job; the engine refuses one without it.
printf '{"runId":"%s","job":"%s","attempt":%s,"item":%s,"status":"%s","exitCode":%s,"outputs":%s,"reporter":"job","token":"%s"}\n' \
  "$BATON_RUN_ID" "$BATON_JOB" "$BATON_ATTEMPT" "$item" "$status" "$code" "$outputs" "$BATON_ATTEMPT_TOKEN" \
  | kcat -P -b "$BATON_BOOTSTRAP_SERVERS" -t "$BATON_COMPLETIONS_TOPIC" -k "$BATON_RUN_ID" \
      -X partitioner=murmur2_random
# murmur2_random is Java's partitioner: the report lands on its run's partition at once. (The
# engine sends on a record that lands elsewhere, at the cost of one more hop.)
exit "$code"
