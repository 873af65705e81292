#!/usr/bin/env python3
"""ACM PCA IssueCertificate benchmark (issue 14's target: an EC P-256 leaf from a
SHORT_LIVED_CERTIFICATE CA, end to end, >= 1,000 per second), beside `openssl ca` issuing the same
certificates from an EC P-256 CA in the same run.

Rampart: the release binary in secure mode (TLS, SigV4 verified, audit on, SQLite durable); a root
CA made through the API (CreateCertificateAuthority, its CSR issued with RootCACertificate/V1 and
imported), then wrk replays one signed IssueCertificate request (awsJson 1.1; no idempotency token,
so every request signs, stores and audits a new certificate) at each connection count. Server CPU
per request is read from /proc as in kms_bench.py.

openssl: `openssl ca -batch` with its own index and serial files, one process per certificate (as
a script issuing certificates runs it), sequentially and with one worker (own CA directory) per
core; CPU per certificate is the children's user+system time.
"""
import base64
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kms_bench import REGION, signed as signed_json
from side_by_side import arguments, measure
from kms_bench import make_servers, start

CA_CONFIG = {
    "KeyAlgorithm": "EC_prime256v1",
    "SigningAlgorithm": "SHA256WITHECDSA",
    "Subject": {"CommonName": "Rampart bench root"},
}
LEAF_TEMPLATE = "arn:aws:acm-pca:::template/EndEntityCertificate/V1"
ROOT_TEMPLATE = "arn:aws:acm-pca:::template/RootCACertificate/V1"


def leaf_csr_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench.example.com")])
    csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM)


def pca_client(server):
    return boto3.client("acm-pca", endpoint_url=server.endpoint, region_name=REGION,
                        aws_access_key_id=server.creds[0], aws_secret_access_key=server.creds[1],
                        verify=server.verify or False, config=Config(retries={"max_attempts": 0}))


def active_root_ca(pca) -> str:
    """A SHORT_LIVED_CERTIFICATE root CA, installed and ACTIVE."""
    arn = pca.create_certificate_authority(
        CertificateAuthorityConfiguration=CA_CONFIG, CertificateAuthorityType="ROOT",
        UsageMode="SHORT_LIVED_CERTIFICATE")["CertificateAuthorityArn"]
    csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=arn)["Csr"]
    cert_arn = pca.issue_certificate(
        CertificateAuthorityArn=arn, Csr=csr.encode(), SigningAlgorithm="SHA256WITHECDSA",
        TemplateArn=ROOT_TEMPLATE, Validity={"Type": "YEARS", "Value": 10})["CertificateArn"]
    for _ in range(100):
        try:
            cert = pca.get_certificate(CertificateAuthorityArn=arn, CertificateArn=cert_arn)
            break
        except pca.exceptions.RequestInProgressException:
            time.sleep(0.1)
    pca.import_certificate_authority_certificate(CertificateAuthorityArn=arn,
                                                 Certificate=cert["Certificate"].encode())
    return arn


def workloads(server):
    arn = active_root_ca(pca_client(server))
    body = json.dumps({
        "CertificateAuthorityArn": arn,
        "Csr": base64.b64encode(leaf_csr_pem()).decode(),
        "SigningAlgorithm": "SHA256WITHECDSA",
        "TemplateArn": LEAF_TEMPLATE,
        "Validity": {"Type": "DAYS", "Value": 1},
    })
    request = signed_json(server, "IssueCertificate", body, service="acm-pca",
                          prefix="ACMPrivateCA")
    return {"IssueCertificate (EC P-256 leaf, SHORT_LIVED CA)": request}


OPENSSL_CNF = """[ca]
default_ca = bench
[bench]
dir = {dir}
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir/certs
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
x509_extensions = leaf
[anything]
commonName = supplied
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def openssl_ca_dir(root: str, csr: bytes) -> str:
    os.makedirs(os.path.join(root, "certs"))
    open(os.path.join(root, "index.txt"), "w").close()
    with open(os.path.join(root, "serial"), "w") as f:
        f.write("1000\n")
    with open(os.path.join(root, "openssl.cnf"), "w") as f:
        f.write(OPENSSL_CNF.format(dir=root))
    with open(os.path.join(root, "leaf.csr"), "wb") as f:
        f.write(csr)
    run = lambda *a: subprocess.run(a, check=True, capture_output=True, cwd=root)  # noqa: E731
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key")
    run("openssl", "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=openssl bench root",
        "-days", "3650", "-sha256", "-out", "ca.pem")
    return root


def openssl_issue(root: str, count: int):
    for _ in range(count):
        subprocess.run(["openssl", "ca", "-batch", "-config", "openssl.cnf", "-in", "leaf.csr",
                        "-out", "/dev/null", "-days", "1", "-notext"],
                       check=True, capture_output=True, cwd=root)


def openssl_rows(seconds: float):
    """certs/s and CPU µs per certificate of `openssl ca`, sequential and one worker per core."""
    rows = []
    csr = leaf_csr_pem()
    with tempfile.TemporaryDirectory() as work:
        for workers in (1, os.cpu_count() or 1):
            dirs = [openssl_ca_dir(os.path.join(work, f"w{workers}-{i}"), csr)
                    for i in range(workers)]
            per_worker = 20
            start_t, cpu0 = time.time(), resource.getrusage(resource.RUSAGE_CHILDREN)
            issued = 0
            while time.time() - start_t < seconds:
                with ThreadPoolExecutor(workers) as pool:
                    list(pool.map(lambda d: openssl_issue(d, per_worker), dirs))
                issued += per_worker * workers
            elapsed = time.time() - start_t
            cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
            rows.append({"workers": workers, "rate": issued / elapsed,
                         "cpu_us": cpu / issued * 1e6, "issued": issued})
            print(f"openssl ca workers={workers} {issued / elapsed:.0f} certs/s "
                  f"cpu={cpu / issued * 1e6:.0f}µs", file=sys.stderr)
    return rows


def main():
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
    ssl = openssl_rows(args.seconds)
    print("| issuer | concurrency | certificates/s | p50 | p99 | CPU µs per certificate | non-2xx |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['server']} IssueCertificate | {r['conns']} connections | {r['rps']:.0f} "
              f"| {r['p50']} | {r['p99']} | {r['cpu_us']:.1f} | {r['errors']} |")
    for r in ssl:
        print(f"| `openssl ca`, a process per certificate | {r['workers']} worker(s) "
              f"| {r['rate']:.0f} | | | {r['cpu_us']:.0f} | |")


if __name__ == "__main__":
    main()
