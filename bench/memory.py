#!/usr/bin/env python3
"""Rampart's memory under many keys (issue 18, item 3): RSS after creating --keys KMS keys, then
during --minutes of mixed load (Encrypt 64 B, GenerateDataKey, Decrypt) spread over --touched
distinct keys, more than the key cache holds by default, so the cache's bound is what is measured.

Rampart runs in secure mode (TLS, SigV4, audit on SQLite) from target/release/rampart, started by
this script with `[kms] key_cache_entries` from --cache-entries when given. Keys are created by
--threads boto3 clients; the load is wrk (2 threads, 16 connections) cycling through SigV4-signed
requests, one per touched key. Prints a Markdown table of VmRSS / VmHWM at each phase.
Usage: .venv/bin/python bench/memory.py [--keys 100000] [--touched 25000] [--minutes 10]
"""
import argparse, json, os, random, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kms_bench import ROOT, Server, b64, free_port, signed, start  # noqa: E402


def rss(pid):
    """(VmRSS, VmHWM) of pid in MiB."""
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    return tuple(int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))


def create_keys(server, count, threads):
    """Creates `count` keys with `threads` clients; answers their ids."""
    def batch(n):
        kms = server.client()
        return [kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(n)]
    sizes = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]
    with ThreadPoolExecutor(threads) as pool:
        return [k for ids in pool.map(batch, sizes) for k in ids]


def load_script(server, keys, touched):
    """A wrk script cycling through one signed request per touched key (three operations)."""
    kms = server.client()
    chosen = random.sample(keys, min(touched, len(keys)))
    requests = []
    for i, key in enumerate(chosen):
        if i % 3 == 0:
            target, body = "Encrypt", {"KeyId": key, "Plaintext": b64(os.urandom(64))}
        elif i % 3 == 1:
            target, body = "GenerateDataKey", {"KeyId": key, "KeySpec": "AES_256"}
        else:
            blob = kms.encrypt(KeyId=key, Plaintext=os.urandom(64))["CiphertextBlob"]
            target, body = "Decrypt", {"CiphertextBlob": b64(blob)}
        headers, text = signed(server, target, json.dumps(body))
        # wrk.format at load time adds no Host header: keep the signed one.
        headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
        headers.setdefault("Host", server.endpoint.split("://", 1)[1])
        requests.append(f"wrk.format('POST', '/', {lua_table(headers)}, {json.dumps(text)})")
    return ("local reqs = {\n" + ",\n".join(requests) + "\n}\nlocal i = 0\n"
            "request = function()\n  i = i % #reqs + 1\n  return reqs[i]\nend\n")


def lua_table(headers):
    return "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()) + "}"


def run_load(server, script, minutes, samples):
    """wrk for `minutes`, sampling RSS every 30 s into `samples`."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    wrk = subprocess.Popen(["wrk", "-t2", "-c16", f"-d{int(minutes * 60)}s", "-s", f.name,
                            server.endpoint + "/"], stdout=subprocess.PIPE, text=True)
    started = time.time()
    while wrk.poll() is None:
        time.sleep(min(30, max(1, minutes * 60 - (time.time() - started))))
        samples.append((f"load, {(time.time() - started) / 60:.1f} min", *rss(server.proc.pid)))
    out = wrk.communicate()[0]
    os.unlink(f.name)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--keys", type=int, default=100_000)
    p.add_argument("--touched", type=int, default=25_000)
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--cache-entries", type=int, help="[kms] key_cache_entries (default: Rampart's)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as work:
        data, port = os.path.join(work, "data"), free_port()
        cmd = [os.path.join(ROOT, "target", "release", "rampart"), "serve", "--data-dir", data,
               "--listen", f"127.0.0.1:{port}"]
        if args.cache_entries:
            config = os.path.join(work, "rampart.toml")
            open(config, "w").write(f"[kms]\nkey_cache_entries = {args.cache_entries}\n")
            cmd += ["--config", config]
        server = Server("rampart", cmd, f"https://localhost:{port}", None,
                        env={"RAMPART_LOG": "warn"}, health="/health")
        server.data = data
        samples = []
        try:
            start(server)
            samples.append(("started", *rss(server.proc.pid)))
            began = time.time()
            keys = create_keys(server, args.keys, args.threads)
            took = time.time() - began
            samples.append((f"after creating {len(keys):,} keys ({took:.0f} s)", *rss(server.proc.pid)))
            script = load_script(server, keys, args.touched)
            samples.append(("after signing the load's requests", *rss(server.proc.pid)))
            out = run_load(server, script, args.minutes, samples)
            print(out, file=sys.stderr)
        finally:
            server.stop()
    print("| phase | VmRSS MiB | VmHWM MiB |")
    print("|---|---:|---:|")
    for phase, now, peak in samples:
        print(f"| {phase} | {now:.1f} | {peak:.1f} |")


if __name__ == "__main__":
    main()
