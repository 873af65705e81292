#!/usr/bin/env bash
# Rampart's edge (API Gateway HTTP_PROXY; no web ACL, an empty one, ~1,500 WCU, Core + SQLi
# managed groups) beside plain nginx and nginx + ModSecurity + OWASP CRS PL1, all proxying the
# same nginx upstream: req/s, median latency and server CPU µs per request for a GET with a query
# string and a 1 KB JSON POST, configurations interleaved (bench/edge_bench.py). Installs nginx,
# its ModSecurity connector, the CRS and wrk when absent (Debian). BENCH_VENV names a virtualenv
# with boto3 (default .venv-bench). BIN overrides the binary (default: the release build).
#   bench/edge.sh --rounds 3 --seconds 6 --conns 16
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${BENCH_VENV:-.venv-bench}"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx)
[ -f /usr/lib/nginx/modules/ngx_http_modsecurity_module.so ] || need+=(libnginx-mod-http-modsecurity)
[ -d /usr/share/modsecurity-crs/rules ] || need+=(modsecurity-crs)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import boto3" 2>/dev/null || "$venv/bin/pip" install -q boto3
if [ -z "${BIN:-}" ]; then
  cargo build --release -p rampart
  BIN="${CARGO_TARGET_DIR:-target}/release/rampart"
fi
BIN=$(realpath "$BIN"); py=$(realpath "$venv/bin/python")
cd bench && exec "$py" edge_bench.py --bin "$BIN" "$@"
