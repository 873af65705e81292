#!/usr/bin/env bash
# Runs the side-by-side KMS benchmark. Installs wrk, moto[server] and Rustack when absent.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
[ -x .venv-bench/bin/python ] || python3 -m venv .venv-bench
.venv-bench/bin/pip install -q boto3 'moto[server]'
[ -x /opt/rustack/bin/rustack ] || cargo install rustack-cli --no-default-features \
    --features kms,ssm,secretsmanager --root /opt/rustack
cargo build --release -p rampart
PATH="$PWD/.venv-bench/bin:$PATH" .venv-bench/bin/python bench/kms_bench.py "$@"
