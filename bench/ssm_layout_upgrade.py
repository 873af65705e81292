#!/usr/bin/env python3
"""Parameter Store across a storage-layout change: `OLD_BIN` (a build from before the version
rows, every version inline in the parameter row) writes parameters with SecureString values,
labels, tags and a full 100-version history; `NEW_BIN`, started on the same data directory,
reads them all, adds versions (dropping the oldest), pages the history and deletes them.

    bench/ssm_layout_upgrade.py OLD_BIN NEW_BIN     (run from the repository; needs boto3)
"""
import os, sys, tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ssm_bench
from kms_bench import Server, free_port, start

work = tempfile.mkdtemp()
data = os.path.join(work, "r")

def run(binary, body):
    port = free_port()
    cmd = [binary, "serve", "--data-dir", data, "--listen", f"127.0.0.1:{port}", "--plain-http"]
    s = Server("r", cmd, f"http://localhost:{port}", None, env={"RAMPART_LOG": "warn"}, health="/health")
    s.data = data
    try:
        start(s)
        body(ssm_bench.ssm_client(s))
    finally:
        s.stop()

def old(ssm):
    for i in range(1, 4):
        ssm.put_parameter(Name="/m/sec", Value=f"secret-{i}", Type="SecureString", Overwrite=i > 1)
    ssm.label_parameter_version(Name="/m/sec", ParameterVersion=1, Labels=["a"])
    for i in range(1, 101):
        ssm.put_parameter(Name="/m/str", Value=f"s{i}", Type="String", Overwrite=i > 1)
    ssm.label_parameter_version(Name="/m/str", ParameterVersion=2, Labels=["keep"])
    ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId="/m/str", Tags=[{"Key": "k", "Value": "v"}])

def new(ssm):
    g = lambda n, d=False: ssm.get_parameter(Name=n, WithDecryption=d)["Parameter"]["Value"]
    assert g("/m/sec", True) == "secret-3"
    assert g("/m/sec:1", True) == "secret-1"
    assert g("/m/sec:a", True) == "secret-1"
    assert g("/m/str:keep") == "s2"
    h = ssm.get_parameter_history(Name="/m/sec", WithDecryption=True)["Parameters"]
    assert [(p["Value"], p["Labels"]) for p in h] == [("secret-1", ["a"]), ("secret-2", []), ("secret-3", [])], h
    ssm.put_parameter(Name="/m/str", Value="s101", Overwrite=True)
    pages, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        out = ssm.get_parameter_history(Name="/m/str", MaxResults=50, **kw)
        pages.append(out["Parameters"])
        token = out.get("NextToken")
        if not token:
            break
    versions = [p["Version"] for page in pages for p in page]
    assert versions == list(range(2, 102)), versions
    assert pages[0][0]["Labels"] == ["keep"]
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/m/str")["TagList"]
    assert tags == [{"Key": "k", "Value": "v"}], tags
    ssm.put_parameter(Name="/m/sec", Value="secret-4", Overwrite=True)
    assert g("/m/sec:a", True) == "secret-1"
    ssm.delete_parameters(Names=["/m/sec", "/m/str"])
    assert ssm.describe_parameters()["Parameters"] == []
    print("upgrade ok")

run(sys.argv[1], old)
run(sys.argv[2], new)
