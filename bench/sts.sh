#!/usr/bin/env bash
# STS AssumeRoleWithWebIdentity (RS256 JWT, pinned JWKS) against the release build
# (bench/sts_web_identity_bench.py). Installs wrk when absent. BENCH_VENV names the benchmark's
# virtualenv (default .venv-bench).
#   bench/sts.sh --seconds 8 --conns 1,16
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${BENCH_VENV:-.venv-bench}"
command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q boto3 cryptography
cargo build --release -p rampart
"$venv/bin/python" bench/sts_web_identity_bench.py --servers rampart "$@"
