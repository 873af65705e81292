"""restJson1 (API Gateway), restXml (Route 53, a subset of S3) and Smithy RPC v2 CBOR / awsJson 1.1
(ACM PCA) against botocore itself.

For every operation of both models a sample input (every member set, nested structures, two
items per list and map, blobs, timestamps with milliseconds, enums, labels that need escaping)
is serialized by botocore's own serializer into an HTTP request, which the generated Rust code
(the `protocol-echo` binary of crates/rampart-conformance) routes and decodes; the decoded input
must equal the sample. The other way, a sample output is encoded by the generated code as an
HTTP response that botocore's own parser must read back to the sample. One modelled error per
protocol must parse to its code and message.

The binary is built with `cargo build -p rampart-conformance` (or given as RAMPART_PROTOCOL_ECHO).
"""

import base64
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

# The models Rampart is generated from (xtask/models), ahead of the installed botocore's own.
os.environ["AWS_DATA_PATH"] = str(Path(__file__).resolve().parents[2] / "xtask" / "models")

import botocore.model
import botocore.parsers
import botocore.serialize
import botocore.session
import pytest
from botocore.awsrequest import create_request_object, prepare_request_dict
from urllib3._collections import HTTPHeaderDict

ROOT = Path(__file__).resolve().parents[2]
# The query protocol's botocore conformance script holds the JSON comparison both use.
sys.path.insert(0, str(ROOT / "tests" / "query_conformance"))
from botocore_query import numbers_equal  # noqa: E402
UTC = datetime.timezone.utc
TEXT = ' <a href="x">&amp;</a> \'q\' \r\nline\ttab ✓ 𝄞 '
# Labels: every character here must be percent-encoded by the client and decoded by the server.
LABEL = "a b/c%d?e#f&g=h+i;j ✓"
# Header values cannot carry CR/LF.
HEADER = "v 'q' ✓ tab\t, comma"

CASES = [
    ("apigateway", "rest-json"),
    # The restJson1 bindings API Gateway lacks: greedy labels, status-code members and header
    # timestamps (mediastore-data), query lists and timestamps (signer-data), header lists
    # (entityresolution), prefix headers and text payloads (dataexchange).
    ("mediastore-data", "rest-json"),
    ("signer-data", "rest-json"),
    ("entityresolution", "rest-json"),
    ("dataexchange", "rest-json"),
    # restXml: XML bodies (structure payloads with namespaces, named list items) under the
    # restJson1 bindings.
    ("route53", "rest-xml"),
    # A subset of S3 (SERVED): flattened lists, xsi:type attributes, streaming payloads.
    ("s3", "rest-xml"),
    ("acm-pca", "smithy-rpc-v2-cbor"),
    ("acm-pca", "json"),
]


# Services whose generated code serves only some operations (the others answer not-served).
SERVED = {
    # Not PutObject: it shares `PUT /{Bucket}/{Key+}` with CopyObject, which S3 tells apart by
    # the `x-amz-copy-source` header; the route table does not (yet).
    "s3": ["CreateBucket", "DeleteObjects", "GetBucketAcl", "GetBucketTagging", "GetObject",
           "HeadObject", "ListBuckets", "ListObjectsV2", "PutBucketAcl", "PutBucketTagging"],
}


def operation_names(service, m):
    return SERVED.get(service, m.operation_names)


def sample(shape, seed, location=None):
    """A Python value of `shape` (botocore's native types), varied by `seed`."""
    kind = shape.type_name
    if kind == "structure":
        members = list(shape.members.items())
        return {
            name: sample(m, seed * 3 + i + 1, m.serialization.get("location"))
            for i, (name, m) in enumerate(members)
        }
    if kind == "list":
        return [sample(shape.member, seed + 1, location), sample(shape.member, seed + 2, location)]
    if kind == "map":
        return {
            f"key{seed}a{TEXT if location is None else 'x'}": sample(shape.value, seed + 1, location),
            f"key{seed}b": sample(shape.value, seed + 2, location),
        }
    if kind == "string":
        if shape.enum:
            return shape.enum[seed % len(shape.enum)]
        if location == "uri":
            return f"{LABEL}#{seed}"
        if location in ("header", "headers"):
            return f"{shape.name} {HEADER}#{seed}"
        return f"{shape.name}{TEXT}#{seed}"
    if kind == "integer" and location == "statusCode":
        return 200 + seed % 100
    if kind == "integer":
        return seed * 7 + 1
    if kind == "long":
        return 2**40 + seed
    if kind == "boolean":
        return seed % 2 == 0
    if kind in ("float", "double"):
        return seed + 0.5
    if kind == "timestamp":
        # Whole seconds (headers; every other seed) and milliseconds: both encodings.
        rfc822 = shape.serialization.get("timestampFormat") == "rfc822"
        whole = location in ("header", "headers") or seed % 2 == 0 or rfc822
        millis = 0 if whole else (seed * 37) % 1000 or 1
        return datetime.datetime(2024, 1, 7, 10, 20, 30, millis * 1000, tzinfo=UTC)
    if kind == "blob":
        return bytes([seed % 256, 0, 255, 10, 13]) + b"blob"
    raise ValueError(f"no sample for {shape.name} ({kind})")


def body_key(name, member):
    return member.serialization.get("name", name)


def wire_key(shape, name, member):
    """The member's key in the generated structure's AWS JSON form (xtask `Ctx::json_key`)."""
    location = member.serialization.get("location")
    if location is None:
        return body_key(name, member)
    taken = any(
        o.serialization.get("location") is None and body_key(n, o) == name
        for n, o in shape.members.items()
    )
    return f"{name}@{location}" if taken else name


def to_wire_json(shape, value):
    """AWS JSON as the generated types write it: wire keys, base64 blobs, epoch seconds."""
    kind = shape.type_name
    if kind == "structure":
        return {
            wire_key(shape, k, shape.members[k]): to_wire_json(shape.members[k], v)
            for k, v in value.items()
        }
    if kind == "list":
        return [to_wire_json(shape.member, v) for v in value]
    if kind == "map":
        return {k: to_wire_json(shape.value, v) for k, v in value.items()}
    if kind == "blob":
        return base64.b64encode(value).decode()
    if kind == "timestamp":
        return wire_timestamp(shape, value)
    return value


def wire_timestamp(shape, value):
    """A body timestamp: epoch seconds, or the model's `timestampFormat` as Rust writes it."""
    fmt = shape.serialization.get("timestampFormat")
    if shape.serialization.get("location") is None and fmt == "iso8601":
        millis = value.microsecond // 1000
        return value.strftime("%Y-%m-%dT%H:%M:%S") + (f".{millis:03d}Z" if millis else "Z")
    if shape.serialization.get("location") is None and fmt == "rfc822":
        return value.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return value.timestamp()


def http_request(service, protocol, op, params):
    """The request botocore sends: its serializer, then its request preparation."""
    serializer = botocore.serialize.create_serializer(protocol, include_validation=False)
    request = serializer.serialize_to_request(params, op)
    prepare_request_dict(request, endpoint_url="https://service.example")
    prepared = create_request_object(request).prepare()
    url = urlsplit(prepared.url)
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return {
        "kind": "request",
        "service": service,
        "protocol": protocol,
        "method": prepared.method,
        "path": url.path,
        "query": url.query,
        "headers": [[k, v] for k, v in prepared.headers.items()],
        "body": base64.b64encode(body).decode(),
    }


def parse_response(protocol, answer, shape):
    headers = HTTPHeaderDict()
    for k, v in answer["headers"]:
        headers[k] = v
    response = {
        "status_code": answer["status"],
        "headers": headers,
        "body": base64.b64decode(answer["body"]),
    }
    parsed = botocore.parsers.create_parser(protocol).parse(response, shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


def xml_outline(body):
    """The element and attribute names of an XML document without its root's name or any
    text, children sorted: what a reader checking names sees (botocore's parser does not
    check list item names)."""

    def outline(el):
        attrs = sorted(a.split("}")[-1] for a in el.attrib)
        return (el.tag.split("}")[-1], tuple(attrs), tuple(sorted(outline(c) for c in el)))

    return outline(ElementTree.fromstring(body))[1:]


def botocore_xml(shape, out):
    """The XML botocore's restXml serializer writes for the body of `out` (of `shape`), or
    None when the body is not XML."""
    payload = shape.serialization.get("payload")
    if payload:
        member = shape.members[payload]
        if member.type_name != "structure" or payload not in out:
            return None
        value, body_shape = out[payload], member
    else:
        value = {k: v for k, v in out.items()
                 if shape.members[k].serialization.get("location") is None}
        body_shape = shape
    if not value:
        return None
    serializer = botocore.serialize.create_serializer("rest-xml", include_validation=False)
    root = ElementTree.Element("")
    serializer._serialize(body_shape, value, root, "Root")
    return ElementTree.tostring(list(root)[0])


class Echo:
    """The protocol-echo binary, one JSON line per request."""

    def __init__(self, path):
        self.proc = subprocess.Popen(
            [str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def ask(self, req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def echo():
    path = os.environ.get("RAMPART_PROTOCOL_ECHO")
    if not path:
        subprocess.run(
            ["cargo", "build", "-q", "-p", "rampart-conformance", "--bin", "protocol-echo"],
            cwd=ROOT,
            check=True,
        )
        target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
        path = target / "debug" / "protocol-echo"
    e = Echo(path)
    yield e
    e.close()


def model(service):
    """The pinned model the generator read (xtask/models): botocore's session would merge its
    client customizations (S3's sdk-extras make the `Expires` header a timestamp)."""
    if service == "s3":
        (path,) = (ROOT / "xtask" / "models" / "s3").glob("*/service-2.json")
        return botocore.model.ServiceModel(json.loads(path.read_text()), "s3")
    return botocore.session.get_session().get_service_model(service)


def input_failures(echo, service, protocol):
    m = model(service)
    failures = []
    for name in operation_names(service, m):
        op = m.operation_model(name)
        params = sample(op.input_shape, 2) if op.input_shape is not None else {}
        got = echo.ask(http_request(service, protocol, op, params))
        want = to_wire_json(op.input_shape, params) if op.input_shape is not None else {}
        if got.get("operation") != name or not numbers_equal(got.get("input"), want):
            failures.append(f"{name} input: decoded {got!r}\n  expected {want!r}")
    return len(operation_names(service, m)), failures


def output_failures(echo, service, protocol):
    m = model(service)
    failures = []
    for name in operation_names(service, m):
        op = m.operation_model(name)
        out = sample(op.output_shape, 1) if op.output_shape is not None else {}
        expected = dict(out)
        payload = op.output_shape.serialization.get("payload") if op.output_shape else None
        if payload and op.output_shape.members[payload].type_name == "blob":
            # A non-streaming blob payload: botocore hands back the body decoded as UTF-8 text.
            out[payload] = f"payload {TEXT}".encode()
            expected[payload] = out[payload].decode()
        wire = to_wire_json(op.output_shape, out) if op.output_shape is not None else {}
        answer = echo.ask({"kind": "response", "service": service, "protocol": protocol,
                           "operation": name, "output": wire})
        if "error" in answer:
            failures.append(f"{name} output: {answer['error']}")
            continue
        status = next((out[n] for n, m in (op.output_shape.members.items() if op.output_shape else [])
                       if m.serialization.get("location") == "statusCode"),
                      op.http.get("responseCode", 200))
        if answer["status"] != status and protocol in ("rest-json", "rest-xml"):
            failures.append(f"{name} output: status {answer['status']}")
        parsed = parse_response(protocol, answer, op.output_shape)
        if parsed != expected:
            failures.append(f"{name} output: botocore parsed {parsed!r}\n  expected {expected!r}")
        xml = protocol == "rest-xml" and op.output_shape is not None
        reference = botocore_xml(op.output_shape, out) if xml else None
        if reference is not None:
            ours = xml_outline(base64.b64decode(answer["body"]))
            if ours != xml_outline(reference):
                failures.append(f"{name} output: element names {ours!r}\n  "
                                f"expected {xml_outline(reference)!r}")
    return len(operation_names(service, m)), failures


@pytest.mark.parametrize("service,protocol", CASES)
def test_every_input_round_trips(echo, service, protocol):
    count, failures = input_failures(echo, service, protocol)
    assert not failures, "\n".join(failures)
    print(f"{service} {protocol}: {count} inputs decoded as botocore serialized them")


@pytest.mark.parametrize("service,protocol", CASES)
def test_every_output_round_trips(echo, service, protocol):
    count, failures = output_failures(echo, service, protocol)
    assert not failures, "\n".join(failures)
    print(f"{service} {protocol}: {count} outputs parsed by botocore")


@pytest.mark.parametrize(
    "service,protocol,code,status",
    [
        ("apigateway", "rest-json", "NotFoundException", 404),
        ("route53", "rest-xml", "NoSuchHostedZone", 404),
        ("acm-pca", "smithy-rpc-v2-cbor", "ResourceNotFoundException", 400),
        ("acm-pca", "json", "ResourceNotFoundException", 400),
    ],
)
def test_modelled_errors_parse_to_their_code(echo, service, protocol, code, status):
    assert code in model(service).shape_for(code).name
    message = f"no such thing {TEXT}"
    answer = echo.ask({"kind": "error", "protocol": protocol, "code": code, "status": status,
                       "message": message})
    assert answer["status"] == status
    parsed = botocore.parsers.create_parser(protocol).parse(
        {"status_code": answer["status"], "headers": HTTPHeaderDict(answer["headers"]),
         "body": base64.b64decode(answer["body"])},
        None,
    )
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == message


@pytest.mark.parametrize(
    "code", ["LimitExceededException", "ServiceUnavailableException", "TooManyRequestsException"]
)
def test_header_bound_error_members_parse_from_headers(echo, code):
    """API Gateway's throttling errors bind `retryAfterSeconds` to `Retry-After`: botocore reads
    the member from that header when it parses the modelled error."""
    shape = model("apigateway").shape_for(code)
    assert shape.members["retryAfterSeconds"].serialization["location"] == "header"
    answer = echo.ask({"kind": "error", "service": "apigateway", "protocol": "rest-json",
                       "code": code, "message": "slow down", "members": {"retryAfterSeconds": "7"}})
    response = {"status_code": answer["status"], "headers": HTTPHeaderDict(answer["headers"]),
                "body": base64.b64decode(answer["body"])}
    parsed = botocore.parsers.create_parser("rest-json").parse(response, shape)
    assert parsed["retryAfterSeconds"] == "7", parsed
    assert parsed["message"] == "slow down", parsed


def test_a_wrong_label_is_caught(echo):
    """The comparison can fail: a request whose label differs from the sample decodes to a
    different input, and the round trip reports it."""
    m = model("apigateway")
    op = m.operation_model("GetRestApi")
    params = sample(op.input_shape, 2)
    req = http_request("apigateway", "rest-json", op, params)
    req["path"] = req["path"].replace("%20", "%21", 1)
    got = echo.ask(req)
    assert got["operation"] == "GetRestApi"
    assert not numbers_equal(got["input"], to_wire_json(op.input_shape, params))


def test_a_wrong_xml_element_is_caught(echo):
    """The restXml comparison can fail: a request whose XML body differs from the sample in one
    element decodes to a different input, and the round trip reports it."""
    m = model("route53")
    op = m.operation_model("ChangeResourceRecordSets")
    params = sample(op.input_shape, 2)
    req = http_request("route53", "rest-xml", op, params)
    body = base64.b64decode(req["body"])
    assert b"<TTL>" in body
    req["body"] = base64.b64encode(body.replace(b"<TTL>", b"<TTL>9", 1)).decode()
    got = echo.ask(req)
    assert got["operation"] == "ChangeResourceRecordSets"
    assert not numbers_equal(got["input"], to_wire_json(op.input_shape, params))
