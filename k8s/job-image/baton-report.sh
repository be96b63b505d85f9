#!/bin/sh
# Runs a job's command, then publishes its completion to Baton with kcat, from the BATON_*
# variables Baton gives every pod. Use it as the image's entrypoint wrapper
# (BATON_K8S_WRAPPER=/usr/local/bin/baton-report on the dispatcher), or call it from your own.
# Outputs: the job writes key=value lines or a JSON object to $BATON_OUTPUTS.
# Artifacts: when the dispatcher hands the pod BATON_ARTIFACT_URLS (presigned URLs, one line per
# artifact), this fetches each input to $BATON_ARTIFACTS/in/NAME before the command and checks its
# SHA-256, and uploads each declared $BATON_ARTIFACTS/out/PATH after a success (curl, sha256sum).

json_escape() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | tr '\n\t' '  '; }

tab=$(printf '\t')
failure=''
stored=''

# Input artifacts, before the command: a missing or altered one fails the attempt unrun.
if [ -n "$BATON_ARTIFACT_URLS" ]; then
  mkdir -p "$BATON_ARTIFACTS/in" "$BATON_ARTIFACTS/out"
  while IFS="$tab" read -r side name size sum url; do
    [ "$side" = in ] || continue
    mkdir -p "$(dirname "$BATON_ARTIFACTS/in/$name")"   # a fan-in's files: in/NAME/00000, ...
    if ! curl -fsS --retry 3 -o "$BATON_ARTIFACTS/in/$name" "$url" 2>"$BATON_ARTIFACTS/.curl"; then
      failure="input artifact '$name' cannot be fetched: $(cat "$BATON_ARTIFACTS/.curl")"
      break
    fi
    got=$(sha256sum "$BATON_ARTIFACTS/in/$name" | cut -c1-64)
    if [ "$got" != "$sum" ]; then
      failure="input artifact '$name' is not what its producer stored (sha256 $got)"
      break
    fi
  done <<EOF
$BATON_ARTIFACT_URLS
EOF
fi

if [ -z "$failure" ]; then
  "$@"
  code=$?
else
  code=0
fi

# Output artifacts, after a success: every declared file is checked before any is stored.
if [ -z "$failure" ] && [ "$code" -eq 0 ] && [ -n "$BATON_ARTIFACT_URLS" ]; then
  out=$(cd "$BATON_ARTIFACTS/out" && pwd -P)
  while IFS="$tab" read -r side name path uri url; do
    [ "$side" = out ] || continue
    file="$BATON_ARTIFACTS/out/$path"
    declared="declared artifact '$name' (\$BATON_ARTIFACTS/out/$path)"
    if [ ! -e "$file" ] && [ ! -L "$file" ]; then
      failure="$declared was not written"; break
    fi
    real=$(cd "$(dirname "$file")" 2>/dev/null && pwd -P)
    if [ -L "$file" ] || [ ! -f "$file" ] || case "$real/" in "$out"/*) false ;; *) true ;; esac; then
      failure="$declared is not a regular file inside \$BATON_ARTIFACTS/out (a link is refused)"; break
    fi
  done <<EOF
$BATON_ARTIFACT_URLS
EOF
  if [ -z "$failure" ]; then
    while IFS="$tab" read -r side name path uri url; do
      [ "$side" = out ] || continue
      file="$BATON_ARTIFACTS/out/$path"
      size=$(wc -c < "$file" | tr -d ' ')
      sum=$(sha256sum "$file" | cut -c1-64)
      if ! curl -fsS --retry 3 -X PUT -H 'Content-Type: application/octet-stream' -T "$file" "$url" >/dev/null 2>"$BATON_ARTIFACTS/.curl"; then
        failure="cannot store artifact '$name' as $uri: $(cat "$BATON_ARTIFACTS/.curl")"; break
      fi
      record=$(printf '{"uri":"%s","size":%s,"sha256":"%s","attempt":"%s"}' \
        "$uri" "$size" "$sum" "$BATON_ATTEMPT_ID" | json_escape)
      stored="$stored\"artifact:$name\":\"$record\","
    done <<EOF
$BATON_ARTIFACT_URLS
EOF
  fi
fi

outputs='{}'
if [ -z "$failure" ] && [ -s "$BATON_OUTPUTS" ]; then
  if [ "$(head -c 1 "$BATON_OUTPUTS")" = "{" ]; then
    outputs=$(tr -d '\n' < "$BATON_OUTPUTS")
  else
    outputs="{$(grep -v -e '^#' -e '^$' "$BATON_OUTPUTS" | while IFS='=' read -r key value; do
      printf '"%s":"%s",' "$key" "$(printf '%s' "$value" | json_escape)"
    done | sed 's/,$//')}"
  fi
fi
if [ -n "$stored" ]; then
  if [ "$outputs" = '{}' ]; then
    outputs="{${stored%,}}"
  else
    outputs="{$stored${outputs#\{}"
  fi
fi
status=SUCCEEDED
[ "$code" -eq 0 ] || status=FAILED
error=''
if [ -n "$failure" ]; then
  status=FAILED
  outputs='{}'
  echo "baton-report: $failure" >&2
  error=$(printf ',"errorTail":"%s"' "$(printf '%s' "$failure" | json_escape)")
fi
item=null
[ -n "$BATON_ITEM_INDEX" ] && item=$BATON_ITEM_INDEX

# BATON_ATTEMPT_TOKEN proves the report comes from this attempt's job; the engine refuses one without it.
printf '{"runId":"%s","job":"%s","attempt":%s,"item":%s,"status":"%s","exitCode":%s,"outputs":%s,"reporter":"job","token":"%s"%s}\n' \
  "$BATON_RUN_ID" "$BATON_JOB" "$BATON_ATTEMPT" "$item" "$status" "$code" "$outputs" "$BATON_ATTEMPT_TOKEN" "$error" \
  | kcat -P -b "$BATON_BOOTSTRAP_SERVERS" -t "$BATON_COMPLETIONS_TOPIC" -k "$BATON_RUN_ID" \
      -X partitioner=murmur2_random
# murmur2_random is Java's partitioner: the report lands on its run's partition at once. (The
# engine sends on a record that lands elsewhere, at the cost of one more hop.)
[ -z "$failure" ] || exit 1
exit "$code"
