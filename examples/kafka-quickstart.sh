#!/usr/bin/env bash
# The Kafka quick start: a broker on 127.0.0.1, three topics, the example messages produced,
# a worker mapping them, its outputs, dead letters and metrics printed; everything stopped by
# process id at the end, whatever happens. Run from anywhere:
#
#     examples/kafka-quickstart.sh
#
# The broker is Tansu (Apache Kafka's protocol, in memory), installed by .ci/tansu into the
# target directory unless TANSU names one. PORT (default 19092) and METRICS_PORT (default
# 19464) choose the ports.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${PORT:-19092}"
metrics_port="${METRICS_PORT:-19464}"
brokers="127.0.0.1:$port"
tansu="${TANSU:-$(.ci/tansu)}"
work="$(mktemp -d)"
broker_pid=""
worker_pid=""
stop_all() {
    [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null && wait "$worker_pid" 2>/dev/null
    [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
    rm -rf "$work"
}
trap stop_all EXIT

say() { printf '\n== %s\n' "$*"; }

say "Building the worker and the quick start's Kafka client"
cargo build --quiet -p pinterest-kafka -p kafka-broker --bin pinterest-kafka --bin kafka-client
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
worker="$target/debug/pinterest-kafka"
client="$target/debug/kafka-client"

say "Starting a broker on $brokers (Tansu, in memory)"
"$tansu" broker --listener-url "tcp://$brokers" --advertised-listener-url "tcp://$brokers" \
    --storage-engine memory://tansu/ >"$work/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

say "Creating the topics (the worker creates none)"
for topic in segment-events:4 pinterest-calls:4 pinterest-dead-letters:1; do
    "$tansu" topic create "${topic%%:*}" --broker "tcp://$brokers" --partitions "${topic##*:}" >/dev/null
    echo "${topic%%:*}: ${topic##*:} partitions"
done

say "Producing examples/events.ndjson, and one message that is not JSON"
messages=$(($(grep -c . examples/events.ndjson) + 1))
{ cat examples/events.ndjson; echo 'not a Segment message'; } \
    | "$client" produce "$brokers" segment-events

say "Running a worker of the group 'quickstart' (metrics on 127.0.0.1:$metrics_port)"
"$worker" --brokers "$brokers" --group quickstart \
    --input-topic segment-events --output-topic pinterest-calls \
    --dead-letter-topic pinterest-dead-letters \
    --settings examples/settings.json \
    --consumer-kafka session.timeout.ms=6000 \
    --metrics "127.0.0.1:$metrics_port" --progress 0 2>"$work/worker.log" &
worker_pid=$!

say "The outputs: one line of Tag calls for each valid message (key, then value)"
"$client" read "$brokers" pinterest-calls $((messages - 1)) | cut -c1-160

say "The dead letter: the message as it came, with its origin and reason in headers"
"$client" read "$brokers" pinterest-dead-letters 1

say "The worker's metrics (once its offsets are committed)"
metrics=""
for _ in $(seq 100); do
    metrics="$(python3 - "$metrics_port" <<'PYTHON'
import sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=2) as answer:
        print(answer.read().decode())
except OSError:
    pass
PYTHON
)"
    committed=$(printf '%s\n' "$metrics" | awk '/^pinterest_kafka_committed_offset/ {sum += $2} END {print sum + 0}')
    [ "$committed" -eq "$messages" ] && break
    sleep 0.2
done
printf '%s\n' "$metrics" | grep -E '^pinterest_kafka_(messages_consumed|outputs_acknowledged|dead_letters|committed_offset|partitions_assigned)'

say "Stopping the worker (SIGTERM: what is in flight is delivered and committed)"
kill -TERM "$worker_pid"
wait "$worker_pid" && status=0 || status=$?
worker_pid=""
tail -n 3 "$work/worker.log"
echo "the worker's exit status: $status"
[ "$status" -eq 0 ] && [ "$committed" -eq "$messages" ]
