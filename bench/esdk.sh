#!/usr/bin/env bash
# Streams one file through `rampart encrypt` / `rampart decrypt` and through the official Python
# AWS Encryption SDK, side by side in one run, under the same raw AES key (no KMS in the way):
# the committing suite without and with the ECDSA P-384 signature. Prints wall time, CPU time
# (user+sys), throughput per CPU second and peak RSS of each, from GNU time.
#
#   bench/esdk.sh                 # 1 GiB file
#   ESDK_MIB=256 bench/esdk.sh    # smaller file
#
# Env: RAMPART_BIN (default target/release/rampart), PYTHON (a python with aws-encryption-sdk;
# default .venv/bin/python), ESDK_MIB (file size, default 1024), ESDK_DIR (scratch directory).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${RAMPART_BIN:-$ROOT/target/release/rampart}
PY=${PYTHON:-$ROOT/.venv/bin/python}
MIB=${ESDK_MIB:-1024}
DIR=${ESDK_DIR:-$(mktemp -d)}
mkdir -p "$DIR"
trap 'rm -rf "$DIR"' EXIT
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }
head -c 32 /dev/urandom > "$DIR/key"
head -c $((MIB * 1024 * 1024)) /dev/urandom > "$DIR/plain"
KEYS=(--raw-aes-key "$DIR/key" --key-namespace rampart --key-name raw-key -q)

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$DIR/t" "$@" >/dev/null 2>"$DIR/err" || { cat "$DIR/err"; exit 1; }
  read -r wall user sys rss < "$DIR/t"
  awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v mib="$MIB" 'BEGIN {
    cpu = u + s; printf "%-44s wall %7.2f s  cpu %7.2f s  %8.1f MiB/s per CPU s  peak RSS %6.1f MiB\n",
      l, w, cpu, mib / (cpu > 0 ? cpu : 0.001), r / 1024 }'
}

echo "file: $MIB MiB; rampart: $BIN; python: $($PY -c 'import aws_encryption_sdk as a; print(a.__version__)')"
for suite in AES_256_GCM_HKDF_SHA512_COMMIT_KEY AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384; do
  echo "== $suite"
  measure "rampart encrypt" "$BIN" encrypt -i "$DIR/plain" -o "$DIR/r.enc" --algorithm "$suite" "${KEYS[@]}"
  measure "python  encrypt" "$PY" "$ROOT/bench/esdk_python.py" encrypt "$DIR/key" "$suite" "$DIR/plain" "$DIR/p.enc"
  measure "rampart decrypt (python's message)" "$BIN" decrypt -i "$DIR/p.enc" -o "$DIR/r.out" "${KEYS[@]}"
  measure "python  decrypt (rampart's message)" "$PY" "$ROOT/bench/esdk_python.py" decrypt "$DIR/key" "$suite" "$DIR/r.enc" "$DIR/p.out"
  cmp -s "$DIR/plain" "$DIR/r.out" && cmp -s "$DIR/plain" "$DIR/p.out" || { echo "round trip differs"; exit 1; }
  rm -f "$DIR"/*.enc "$DIR"/*.out
done
