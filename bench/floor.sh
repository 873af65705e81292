#!/usr/bin/env bash
# The per-request cost floor of Rampart's HTTP stack on this machine, beside Rampart itself:
# one signed Encrypt 4 KiB request replayed by wrk (2 threads, 16 connections, 8 s) against
#   1. rampart serve (secure mode: TLS, SigV4, audit),
#   2. floor_server with the same certificate (crates/rampart-wire/examples/floor_server.rs:
#      the same rustls and hyper setup, reads the body, answers a fixed body of Encrypt's size),
#   3. floor_server over plain HTTP,
# in turn on one port, alternated ROUNDS times (default 2). Server CPU per request from
# `perf stat` task-clock of the server process. Needs perf, wrk, curl and .venv (boto3).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# BIN=/path/to/rampart measures that binary instead of building and measuring the tree's.
if [ -z "${BIN:-}" ]; then cargo build -q --release -p rampart; fi
FLOOR=$ROOT/target/release/examples/floor_server
[ -x "$FLOOR" ] || cargo build -q --release -p rampart-wire --example floor_server
BIN=${BIN:-$ROOT/target/release/rampart}
D=$(mktemp -d)
PORT=47${RANDOM:0:3}
$BIN serve --data-dir $D/data --listen 127.0.0.1:$PORT >/dev/null 2>&1 &
PID=$!
for i in $(seq 1 100); do [ -f $D/data/credentials ] && curl -sk https://localhost:$PORT/health >/dev/null && break; sleep 0.1; done
$ROOT/.venv/bin/python $ROOT/bench/signed_request.py "$D" "$PORT"
kill -TERM $PID; wait $PID 2>/dev/null || true
# The body size of Rampart's Encrypt 4 KiB response: the JSON around a base64 ciphertext.
RESPONSE_BYTES=$(cat $D/size)

measure() { # name scheme pid
  perf stat -e task-clock -p $3 -o $D/stat.txt -- sleep 8 &
  local pp=$!
  local out; out=$(wrk -t2 -c16 -d8s -s $D/enc.lua $2://localhost:$PORT/)
  wait $pp || true
  local req; req=$(echo "$out" | awk '/requests in/ {print $1}')
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  local ms; ms=$(awk '/task-clock/ {gsub(",", "", $1); print $1}' $D/stat.txt)
  printf "| %s | %s | %.1f | %s |\n" "$1" "$req" "$(echo "$ms * 1000 / $req" | bc -l)" "${non2xx:-0}"
}
wait_up() { for i in $(seq 1 100); do curl -sk "$1://localhost:$PORT/health" -o /dev/null && return; sleep 0.1; done; }

echo "| server | requests in 8 s | server CPU µs/request | non-2xx |"
echo "|---|---:|---:|---:|"
for round in $(seq 1 ${ROUNDS:-2}); do
  $BIN serve --data-dir $D/data --listen 127.0.0.1:$PORT >/dev/null 2>&1 & P=$!; wait_up https
  wrk -t2 -c16 -d2s -s $D/enc.lua https://localhost:$PORT/ >/dev/null
  measure "rampart (TLS, SigV4, audit)" https $P; kill -TERM $P; wait $P 2>/dev/null || true
  $FLOOR 127.0.0.1:$PORT $RESPONSE_BYTES $D/data/tls/server.pem $D/data/tls/server.key & P=$!; wait_up https
  wrk -t2 -c16 -d2s -s $D/enc.lua https://localhost:$PORT/ >/dev/null
  measure "floor_server (TLS)" https $P; kill $P; wait $P 2>/dev/null || true
  $FLOOR 127.0.0.1:$PORT $RESPONSE_BYTES & P=$!; wait_up http
  wrk -t2 -c16 -d2s -s $D/enc.lua http://localhost:$PORT/ >/dev/null
  measure "floor_server (HTTP)" http $P; kill $P; wait $P 2>/dev/null || true
done
rm -rf $D
