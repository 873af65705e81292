#!/usr/bin/env bash
# Server CPU per request for one Encrypt 4 KiB replayed by wrk (16 connections, 8 s) against a
# secure-mode (TLS, SigV4, audit) server: `perf stat` task-clock of the server process divided
# by the requests served. For A/B runs of two binaries: BIN=/path/to/rampart bench/cpu_per_request.sh
# (alternate the binaries; this machine's noise is large). MODE=record writes /tmp/perf.data instead;
# OP=GenerateDataKey replays that instead of Encrypt. MODE=strace counts the server's system calls per request. PLAIN=1 serves plain HTTP (no TLS).
# Needs perf, wrk, curl and the black-box venv (.venv with boto3).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/target/release/rampart}
D=$(mktemp -d)
PORT=45${RANDOM:0:3}
SCHEME=https; FLAGS=()
if [ "${PLAIN:-0}" = 1 ]; then SCHEME=http; FLAGS=(--plain-http); fi
$BIN serve --data-dir $D/data --listen 127.0.0.1:$PORT "${FLAGS[@]}" >/dev/null 2>&1 &
PID=$!
for i in $(seq 1 100); do [ -f $D/data/credentials ] && curl -sk $SCHEME://localhost:$PORT/health >/dev/null && break; sleep 0.1; done
$ROOT/.venv/bin/python $ROOT/bench/signed_request.py "$D" "$PORT" "$SCHEME"
wrk -t2 -c16 -d3s -s $D/enc.lua $SCHEME://localhost:$PORT/ >/dev/null
MODE=${MODE:-stat}
if [ "$MODE" = record ]; then
  perf record -F 499 --call-graph dwarf,32768 -p $PID -o /tmp/perf.data -- sleep 8 >/dev/null 2>&1 &
  PP=$!
  wrk -t2 -c16 -d8s -s $D/enc.lua $SCHEME://localhost:$PORT/ | grep -E "Requests/sec|requests in"
  wait $PP || true
elif [ "$MODE" = strace ]; then
  timeout -s INT 8 strace -c -f -p $PID -o /tmp/strace.txt &
  PP=$!
  wrk -t2 -c16 -d8s -s $D/enc.lua $SCHEME://localhost:$PORT/ | grep -E "Requests/sec|requests in"
  wait $PP || true
  head -20 /tmp/strace.txt
else
  perf stat -e ${EVENTS:-instructions,task-clock} -p $PID -o /tmp/perfstat.txt -- sleep 8 &
  PP=$!
  wrk -t2 -c16 -d8s -s $D/enc.lua $SCHEME://localhost:$PORT/ | grep -E "Requests/sec|requests in"
  wait $PP || true
  cat /tmp/perfstat.txt | grep -E "instructions|task-clock|probe"
fi
kill -TERM $PID; wait $PID 2>/dev/null || true
rm -rf $D
