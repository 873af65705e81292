#!/usr/bin/env bash
# Runs the side-by-side Secrets Manager benchmark (Rampart vs moto_server). Installs wrk and
# moto[server] when absent.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
[ -x .venv-bench/bin/python ] || python3 -m venv .venv-bench
.venv-bench/bin/pip install -q boto3 'moto[server]'
cargo build --release -p rampart
PATH="$PWD/.venv-bench/bin:$PATH" .venv-bench/bin/python bench/secretsmanager_bench.py "$@"
