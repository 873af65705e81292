#!/usr/bin/env bash
# EventBridge delivery throughput: EVENTS deliveries (default 20,000) enqueued in the outbox of a
# durable SQLite store (WAL, synchronous=FULL), then drained by one delivery worker to a local
# HTTP receiver (in the same process) over keep-alive connections. Prints events per second.
# Runs the ignored test crates/rampart-events/tests/throughput.rs; PROFILE=dev for a debug build
# (much slower: the HTTP client and the receiver are unoptimised too).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROFILE=${PROFILE:-release}
cd "$ROOT"
EVENTS=${EVENTS:-20000} cargo test -q --profile "$PROFILE" -p rampart-events --test throughput \
  -- --ignored --nocapture 2>&1 | grep -E "^events_delivery:"
