#!/usr/bin/env bash
# Runs the side-by-side Parameter Store benchmark (Rampart vs moto_server). Installs wrk and
# moto[server] when absent. BENCH_VENV names the benchmark's virtualenv (default .venv-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${BENCH_VENV:-.venv-bench}"
command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q boto3 'moto[server]'
cargo build --release -p rampart
PATH="$(cd "$venv" && pwd)/bin:$PATH" "$venv/bin/python" bench/ssm_bench.py "$@"
