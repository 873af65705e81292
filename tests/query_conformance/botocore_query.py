#!/usr/bin/env python3
"""Checks Rampart's generated query-protocol codecs against botocore's own serializer and parser.

Used by crates/rampart-{iam,sts}/tests/botocore_conformance.rs (with the .venv Python):

  botocore_query.py samples <service>
      prints {"outputs": {op: output as AWS JSON}, "inputs": {op: form body}} with a sample
      value for every operation: every member set, two items per list and map, strings with
      markup, quotes, CR/LF, tabs and non-ASCII text.
  botocore_query.py check <service>   (stdin: {"outputs_xml": {op: xml}, "inputs_json":
      {op: json}, "error_xml": xml, "error_code": code, "error_message": text})
      parses every XML document with botocore's QueryParser and compares it with the sample,
      compares every decoded input with the sample, and checks the error document.
"""

import base64
import datetime
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

# The models Rampart is generated from (xtask/models), ahead of the installed botocore's own.
os.environ["AWS_DATA_PATH"] = str(Path(__file__).resolve().parents[2] / "xtask" / "models")

import botocore.parsers
import botocore.serialize
import botocore.session

UTC = datetime.timezone.utc
TEXT = ' <a href="x">&amp;</a> \'q\' \r\nline\ttab ✓ 𝄞 '


def service_model(name):
    return botocore.session.get_session().get_service_model(name)


def sample(shape, seed):
    """A Python value of `shape` (botocore's native types), varied by `seed`."""
    kind = shape.type_name
    if kind == "structure":
        members = list(shape.members.items())
        if getattr(shape, "is_tagged_union", False):
            members = members[:1]
        return {name: sample(m, seed * 3 + i + 1) for i, (name, m) in enumerate(members)}
    if kind == "list":
        return [sample(shape.member, seed + 1), sample(shape.member, seed + 2)]
    if kind == "map":
        return {
            f"key{seed}a{TEXT}": sample(shape.value, seed + 1),
            f"key{seed}b": sample(shape.value, seed + 2),
        }
    if kind == "string":
        if shape.enum:
            return shape.enum[seed % len(shape.enum)]
        return f"{shape.name}{TEXT}#{seed}"
    if kind == "integer":
        return seed * 7 + 1
    if kind == "long":
        return 2**40 + seed
    if kind == "boolean":
        return seed % 2 == 0
    if kind in ("float", "double"):
        return seed + 0.5
    if kind == "timestamp":
        millis = (seed * 37) % 1000
        return datetime.datetime(2024, 1, 7, 10, 20, 30, millis * 1000, tzinfo=UTC)
    if kind == "blob":
        return bytes([seed % 256, 0, 255, 10, 13]) + b"blob"
    raise ValueError(f"no sample for {shape.name} ({kind})")


def to_aws_json(value):
    """AWS JSON conventions: base64 blobs, epoch-second timestamps."""
    if isinstance(value, dict):
        return {k: to_aws_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_aws_json(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    return value


def form_body(model, op_name, params):
    """The form body botocore sends (QuerySerializer, then AWSRequestPreparer's urlencode)."""
    serializer = botocore.serialize.create_serializer("query", include_validation=False)
    request = serializer.serialize_to_request(params, model.operation_model(op_name))
    items = [(k.encode("utf-8"), v.encode("utf-8") if isinstance(v, str) else v)
             for k, v in request["body"].items()]
    return urlencode(items, doseq=True)


def samples(name):
    model = service_model(name)
    outputs, inputs = {}, {}
    for op_name in model.operation_names:
        op = model.operation_model(op_name)
        out = sample(op.output_shape, 1) if op.output_shape is not None else {}
        outputs[op_name] = to_aws_json(out)
        params = sample(op.input_shape, 2) if op.input_shape is not None else {}
        inputs[op_name] = form_body(model, op_name, params)
    return {"outputs": outputs, "inputs": inputs}


def numbers_equal(a, b):
    """Compares JSON documents, treating 1 and 1.0 alike (epoch seconds)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(numbers_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(numbers_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-6
    return a == b


def check(name, doc):
    model = service_model(name)
    parser = botocore.parsers.create_parser("query")
    failures = []
    # The operations Rampart serves: the model's others have no generated codec.
    served = sorted(doc["outputs_xml"])
    for op_name in served:
        op = model.operation_model(op_name)
        xml = doc["outputs_xml"][op_name].encode()
        response = {"body": xml, "headers": {}, "status_code": 200}
        parsed = parser.parse(response, op.output_shape)
        meta = parsed.pop("ResponseMetadata", {})
        if meta.get("RequestId") != f"req-{op_name}":
            failures.append(f"{op_name}: RequestId {meta.get('RequestId')!r}")
        expected = sample(op.output_shape, 1) if op.output_shape is not None else {}
        if parsed != expected:
            failures.append(f"{op_name} output: botocore parsed {parsed!r}\n  expected {expected!r}")
        got = doc["inputs_json"][op_name]
        want = to_aws_json(sample(op.input_shape, 2) if op.input_shape is not None else {})
        if not numbers_equal(got, want):
            failures.append(f"{op_name} input: decoded {got!r}\n  expected {want!r}")
    error = {"body": doc["error_xml"].encode(), "headers": {}, "status_code": doc["error_status"]}
    parsed = parser.parse(error, None)
    want = {"Type": "Sender", "Code": doc["error_code"], "Message": doc["error_message"]}
    if parsed.get("Error") != want or parsed["ResponseMetadata"].get("RequestId") != "req-error":
        failures.append(f"error document: botocore parsed {parsed!r}")
    for f in failures:
        print(f)
    print(f"{name}: {len(served)} of {len(model.operation_names)} operations, {len(failures)} failures")
    return not failures


def main(argv):
    if len(argv) != 3 or argv[1] not in ("samples", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "samples":
        json.dump(samples(argv[2]), sys.stdout)
        return 0
    return 0 if check(argv[2], json.load(sys.stdin)) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
