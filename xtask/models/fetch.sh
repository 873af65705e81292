#!/usr/bin/env bash
# Re-extracts service models from the pinned botocore wheel into xtask/models/.
#
#   xtask/models/fetch.sh kms ssm secretsmanager acm
#
# For each service, the newest API version directory in botocore/data/<service>/ is taken
# (or pass service/version, e.g. kms/2014-11-01). Documentation strings are stripped and the JSON
# is written with one-space indents and sorted keys, so diffs between pins stay reviewable.
# Then run `cargo run -p xtask -- codegen`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pin="$(sed -n 's/^botocore==//p' "$here/PINNED")"
[ -n "$pin" ] || { echo "fetch.sh: no botocore==<version> in $here/PINNED" >&2; exit 1; }
[ "$#" -gt 0 ] || { echo "usage: $0 <service>[/<api-version>]..." >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" "botocore==$pin"
wheel="$(ls "$work"/botocore-"$pin"-*.whl)"

python3 - "$wheel" "$here" "$@" <<'PY'
import gzip, json, os, re, sys, zipfile

wheel, out_root, wanted = sys.argv[1], sys.argv[2], sys.argv[3:]
STRIP = {"documentation", "documentationUrl"}

def strip(node, key=None):
    # botocore requires `documentation` on client context parameters: those keep theirs.
    if isinstance(node, dict) and key != "clientContextParams":
        return {k: strip(v, k) for k, v in node.items() if k not in STRIP}
    if isinstance(node, dict):
        return node
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node

with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    for want in wanted:
        service, _, version = want.partition("/")
        pat = re.compile(r"botocore/data/%s/([^/]+)/service-2\.json(\.gz)?$" % re.escape(service))
        found = {m.group(1): n for n in names for m in [pat.match(n)] if m}
        if not found:
            sys.exit("fetch.sh: botocore %s has no model for %r" % (wheel, service))
        version = version or max(found)
        if version not in found:
            sys.exit("fetch.sh: %s has versions %s, not %s" % (service, sorted(found), version))
        raw = z.read(found[version])
        if found[version].endswith(".gz"):
            raw = gzip.decompress(raw)
        model = strip(json.loads(raw))
        dest = os.path.join(out_root, service, version)
        os.makedirs(dest, exist_ok=True)
        with open(os.path.join(dest, "service-2.json"), "w") as f:
            json.dump(model, f, indent=1, sort_keys=True)
        print("%s/%s/service-2.json (%d operations, %d shapes)"
              % (service, version, len(model["operations"]), len(model["shapes"])))
PY
