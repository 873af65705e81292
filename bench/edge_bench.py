#!/usr/bin/env python3
"""Rampart's edge (API Gateway HTTP_PROXY, with and without WAFv2 web ACLs) beside plain nginx and
nginx + ModSecurity + OWASP CRS (paranoia level 1), all in front of the same upstream (issue 16's
performance acceptance). Run through bench/edge.sh.

- upstream: nginx (1 worker) answering a fixed 200 JSON body on every path;
- nginx: reverse proxy to it (worker_processes 2, keep-alive upstream connections, no access log);
- modsec: the same nginx plus ModSecurity v3 (`modsecurity on`) with SecRuleEngine On,
  SecRequestBodyAccess On (JSON and XML body processors), no response body inspection, and the
  Debian CRS 3.3 rules at their default paranoia level 1;
- rampart-*: the release binary in --dev mode (plain HTTP), its edge listener serving one REST API
  `ANY /{proxy+}` HTTP_PROXY to the upstream, deployed to four stages: `plain` (no web ACL),
  `empty` (an empty web ACL), `wcu1500` (~1,500 WCU of many kinds of rules) and `managed`
  (AWSManagedRulesCommonRuleSet + AWSManagedRulesSQLiRuleSet). Tokio uses 2 worker threads.

Mixes: GET with a query string, POST with a 1 KB JSON body (wrk lua). For each round, mix and
configuration in turn (interleaved, so machine noise spreads over all): wrk -t2 -cC -dS --latency;
server CPU = utime+stime deltas from /proc/<pid>/stat (nginx: master + workers; Rampart: its
process), divided by the requests wrk completed. Figures are medians over the rounds.
"""
import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
from botocore.config import Config

from edge_acls import PROBE, web_acls
from edge_nginx import start_nginx

TICK = os.sysconf("SC_CLK_TCK")
HEADERS = {"Host": "shop.example.com", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) bench/1.0", "Accept": "application/json",
           "Accept-Language": "en-US,en;q=0.9"}
QUERY = "/items/42?id=12345&name=widget&category=tools&sort=price&page=2"
STAGES = ["plain", "empty", "wcu1500", "managed"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def json_body() -> bytes:
    """A benign ~1 KB JSON document."""
    items = [{"sku": f"SKU-{i:05d}", "name": f"Garden hose {i} metres", "quantity": i % 7 + 1,
              "price": 12.5 + i} for i in range(9)]
    doc = {"order": {"id": 12345, "customer": "Jane Doe", "email": "jane@example.com",
                     "note": "Please deliver after five in the evening", "items": items}}
    raw = json.dumps(doc)
    return (raw[:-1] + ', "pad": "' + "x" * max(0, 1021 - len(raw) - 10) + '"}').encode()


def lua_scripts(d: str, body: bytes) -> dict[str, str]:
    heads = "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in HEADERS.items())
    body_lua = body.decode().replace("\\", "\\\\").replace('"', '\\"')
    scripts = {"GET": heads + 'wrk.method = "GET"\n',
               "POST": heads + 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
               f'wrk.body = "{body_lua}"\n'}
    paths = {}
    for mix, text in scripts.items():
        paths[mix] = os.path.join(d, f"{mix}.lua")
        with open(paths[mix], "w") as f:
            f.write(text)
    return paths


def cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def request(url: str, method: str, body: bytes | None) -> int:
    headers = dict(HEADERS, **({"Content-Type": "application/json"} if body else {}))
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def start_rampart(binary: str, d: str) -> tuple[subprocess.Popen, str, int]:
    api, edge = free_port(), free_port()
    env = dict(os.environ, RAMPART_EDGE_LISTEN=f"127.0.0.1:{edge}", TOKIO_WORKER_THREADS="2",
               RAMPART_EDGE_GEOIP="", RAMPART_EDGE_ASN="")
    log = open(os.path.join(d, "rampart.log"), "wb")
    proc = subprocess.Popen([binary, "serve", "--dev", "--data-dir", os.path.join(d, "rampart"),
                             "--listen", f"127.0.0.1:{api}"], stdout=log, stderr=log, env=env)
    endpoint = f"http://127.0.0.1:{api}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(endpoint + "/health", timeout=1).status == 200:
                return proc, endpoint, edge
        except OSError:
            time.sleep(0.1)
    raise SystemExit("rampart did not become healthy")


def client(endpoint: str, service: str):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 0}))


def deploy(endpoint: str, upstream: int) -> str:
    """The proxy API on the four stages, web ACLs associated; its id."""
    apigw, waf = client(endpoint, "apigateway"), client(endpoint, "wafv2")
    api = apigw.create_rest_api(name="edge-bench")
    proxy = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="{proxy+}")
    apigw.put_method(restApiId=api["id"], resourceId=proxy["id"], httpMethod="ANY", authorizationType="NONE",
                     requestParameters={"method.request.path.proxy": True})
    apigw.put_integration(restApiId=api["id"], resourceId=proxy["id"], httpMethod="ANY", type="HTTP_PROXY",
                          integrationHttpMethod="ANY", uri=f"http://127.0.0.1:{upstream}/{{proxy}}",
                          requestParameters={"integration.request.path.proxy": "method.request.path.proxy"})
    deployment = apigw.create_deployment(restApiId=api["id"], stageName=STAGES[0])["id"]
    for stage in STAGES[1:]:
        apigw.create_stage(restApiId=api["id"], stageName=stage, deploymentId=deployment)
    for stage in STAGES:  # above the benchmark's rate, so no request is throttled
        apigw.update_stage(restApiId=api["id"], stageName=stage, patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "1000000"},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "500000"}])
    for stage, arn in web_acls(waf).items():
        waf.associate_web_acl(WebACLArn=arn, ResourceArn=f"arn:aws:apigateway:us-east-1::/restapis/{api['id']}"
                              f"/stages/{stage}")
    return api["id"]


def wrk(url: str, script: str, seconds: int, conns: int, pids: list[int]) -> dict:
    before, start = cpu_ticks(pids), time.monotonic()
    out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency", "-s", script, url],
                         capture_output=True, text=True, check=True).stdout
    ticks, wall = cpu_ticks(pids) - before, time.monotonic() - start
    count = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad or count == 0:
        raise SystemExit(f"{url}: {bad.group(1) if bad else 0} failed responses\n{out}")
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
    return {"rps": count / wall, "p50_ms": float(p50.group(1)) * scale,
            "cpu_us": ticks / TICK * 1e6 / count}



def arguments():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default="target/release/rampart")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=int, default=6)
    p.add_argument("--conns", type=int, default=16)
    p.add_argument("--configs", default="nginx,modsec," + ",".join(f"rampart-{s}" for s in STAGES))
    p.add_argument("--mixes", default="GET,POST")
    p.add_argument("--keep", help="a directory to keep the configurations and logs in")
    p.add_argument("--perf", metavar="CONFIG:MIX",
                   help="after the rounds, `perf record` the server over one more run of CONFIG:MIX "
                   "into /tmp/edge-<CONFIG>-<MIX>.perf")
    return p.parse_args()


def targets(d: str, args, wanted: list[str]) -> tuple[dict, list]:
    """Config name → (URL base, pid source); the processes to stop."""
    upstream_port = free_port()
    procs = [start_nginx(d, "upstream", upstream_port, workers=1)]
    found = {}
    for name in ("nginx", "modsec"):
        port = free_port()
        procs.append(start_nginx(d, name, port, upstream_port))
        found[name] = (f"http://127.0.0.1:{port}", procs[-1].pid)
    if not any(w.startswith("rampart") for w in wanted):
        return found, procs
    rampart, endpoint, edge = start_rampart(args.bin, d)
    procs.append(rampart)
    api = deploy(endpoint, upstream_port)
    for stage in STAGES:
        found[f"rampart-{stage}"] = (f"http://127.0.0.1:{edge}/restapis/{api}/{stage}/_user_request_", rampart.pid)
    time.sleep(6)  # one snapshot refresh (5 s): the empty ACL blocks nothing, so no probe shows it
    for stage in STAGES[1:]:
        if stage == "empty":
            continue
        base = found[f"rampart-{stage}"][0]
        for _ in range(100):
            if request(base + PROBE, "GET", None) == 403:
                break
            time.sleep(0.1)
        else:
            raise SystemExit(f"the web ACL of {stage} is not enforced")
    return found, procs


def server_pids(name: str, pid: int) -> list[int]:
    return [pid] if name.startswith("rampart") else [pid, *children(pid)]


def run(args, found: dict, scripts: dict, body: bytes) -> dict:
    results, runnable = {}, set()
    for name, (base, pid) in found.items():
        for mix in scripts:
            url = base + (QUERY if mix == "GET" else "/items")
            status = request(url, mix, body if mix == "POST" else None)
            if status != 200:  # a false positive: reported, not measured
                print(f"# {name} {mix} answered {status}, not 200: left out", flush=True)
                continue
            runnable.add((name, mix))
            wrk(url, scripts[mix], 1, args.conns, server_pids(name, pid))  # warm-up
    for r in range(args.rounds):
        for mix in scripts:
            for name, (base, pid) in found.items():
                if (name, mix) not in runnable:
                    continue
                url = base + (QUERY if mix == "GET" else "/items")
                row = wrk(url, scripts[mix], args.seconds, args.conns, server_pids(name, pid))
                results.setdefault((name, mix), []).append(row)
                print(f"# round {r + 1} {mix} {name}: {row['rps']:.0f} req/s, p50 {row['p50_ms']:.2f} ms, "
                      f"{row['cpu_us']:.1f} CPU us/request", flush=True)
    if args.perf:
        profile(args, found, scripts, *args.perf.split(":"))
    return results


def profile(args, found: dict, scripts: dict, name: str, mix: str) -> None:
    base, pid = found[name]
    out = f"/tmp/edge-{name}-{mix}.perf"
    perf = subprocess.Popen(["perf", "record", "-F", "999", "-g", "-o", out, "-p",
                             ",".join(map(str, server_pids(name, pid))), "--", "sleep", str(args.seconds)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = base + (QUERY if mix == "GET" else "/items")
    wrk(url, scripts[mix], args.seconds, args.conns, server_pids(name, pid))
    perf.wait()
    print(f"# profile of {name} {mix}: {out}", flush=True)


def table(results: dict, mixes: list[str]) -> None:
    med = {k: {f: statistics.median(r[f] for r in rows) for f in rows[0]} for k, rows in results.items()}
    print("\n| mix | server | req/s | p50 latency | server CPU µs/request | × plain nginx | ModSecurity ÷ this |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for mix in mixes:
        nginx, modsec = med.get(("nginx", mix)), med.get(("modsec", mix))
        for (name, m), row in med.items():
            if m != mix:
                continue
            vs_nginx = f"{row['cpu_us'] / nginx['cpu_us']:.2f}×" if nginx else ""
            vs_modsec = f"{modsec['cpu_us'] / row['cpu_us']:.1f}×" if modsec else ""
            print(f"| {mix} | {name} | {row['rps']:,.0f} | {row['p50_ms']:.2f} ms | {row['cpu_us']:.1f} | "
                  f"{vs_nginx} | {vs_modsec} |")


def main():
    args = arguments()
    body = json_body()
    wanted = args.configs.split(",")
    with tempfile.TemporaryDirectory(prefix="edge-bench-") as tmp:
        d = args.keep or tmp
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
        scripts = {m: p for m, p in lua_scripts(d, body).items() if m in args.mixes.split(",")}
        found, procs = targets(d, args, wanted)
        try:
            found = {k: v for k, v in found.items() if k in wanted}
            load = open("/proc/loadavg").read().split()[:3]
            print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {' '.join(load)}, "
                  f"{os.cpu_count()} CPUs, body {len(body)} bytes", flush=True)
            results = run(args, found, scripts, body)
            table(results, list(scripts))
        finally:
            for proc in reversed(procs):
                proc.terminate()
                proc.wait(10)


if __name__ == "__main__":
    sys.exit(main())
