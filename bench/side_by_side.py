"""One side-by-side run shared by the service benchmarks (ssm_bench.py, secretsmanager_bench.py):
start each server in turn on a fresh data dir, set up its workloads, replay each signed request
with wrk at each connection count, and print one Markdown table. A workload is one signed request
(headers, body) or a list of them, which each wrk thread cycles through."""
import argparse, json, shutil, sys, tempfile

from kms_bench import make_servers, run_wrk, start


def cycling_script(requests):
    """A wrk script whose every thread cycles through `requests` from a random start."""
    lines = ["local reqs = {}", "local i = 0", "init = function(args)"]
    for headers, body in requests:
        kept = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length")}
        table = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in kept.items())
        lines.append(f'  reqs[#reqs + 1] = wrk.format("POST", "/", {{{table}}}, {json.dumps(body)})')
    lines += ["  i = math.random(#reqs)", "end",
              "request = function()", "  i = i % #reqs + 1", "  return reqs[i]", "end"]
    return "\n".join(lines) + "\n"


def arguments():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--servers", default="rampart,moto")
    p.add_argument("--moto", default=shutil.which("moto_server") or "moto_server")
    p.add_argument("--rustack", default="")
    p.add_argument("--conns", default="1,16")
    return p.parse_args()


def measure(server, workloads, conns_list, seconds):
    """Rows of one server: every workload at every connection count."""
    rows = []
    for op, request in workloads(server).items():
        many = isinstance(request, list)
        headers, body = request[0] if many else request
        script = cycling_script(request) if many else None
        for conns in conns_list:
            r = run_wrk(server, headers, body, conns, min(conns, 2), seconds, script)
            rows.append({"server": server.name, "op": op, "conns": conns, **r})
            print(f"{server.name:30} {op:48} c={conns:<3} {r['rps']:>9.0f} req/s "
                  f"cpu={r['cpu_us']:.1f}µs err={r['errors']}", file=sys.stderr)
    return rows


def run(workloads):
    """Parses the command line, measures every server with `workloads`, prints the table."""
    args = arguments()
    conns_list = list(map(int, args.conns.split(",")))
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for server in make_servers(args, workdir):
            try:
                start(server)
                results += measure(server, workloads, conns_list, args.seconds)
            finally:
                server.stop()
    print("| server | operation | connections | req/s | p50 | p99 | server CPU µs/req | non-2xx |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['server']} | {r['op']} | {r['conns']} | {r['rps']:.0f} | {r['p50']} | {r['p99']} "
              f"| {r['cpu_us']:.1f} | {r['errors']} |")
