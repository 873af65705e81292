#!/usr/bin/env bash
# ACM PCA IssueCertificate (EC P-256 leaf, SHORT_LIVED_CERTIFICATE CA) against the release build,
# beside `openssl ca` issuing the same certificates (bench/acmpca_bench.py). Installs wrk and
# openssl when absent. BENCH_VENV names the benchmark's virtualenv (default .venv-bench).
#   bench/acmpca.sh --seconds 8 --conns 1,16
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${BENCH_VENV:-.venv-bench}"
command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
command -v openssl >/dev/null || { apt-get update && apt-get install -y openssl; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q boto3 cryptography
cargo build --release -p rampart
"$venv/bin/python" bench/acmpca_bench.py --servers rampart "$@"
