"""The nginx instances of bench/edge_bench.py: the upstream, the plain reverse proxy and the proxy
with ModSecurity v3 + OWASP CRS (Debian's libnginx-mod-http-modsecurity and modsecurity-crs)."""
import os
import subprocess
import time

MODULE = "/usr/lib/nginx/modules/ngx_http_modsecurity_module.so"
CRS_SETUP = "/etc/modsecurity/crs/crs-setup.conf"
CRS_RULES = "/usr/share/modsecurity-crs/rules"

# ModSecurity's recommended base configuration (modsecurity.conf-recommended, v3) with the rule
# engine On instead of DetectionOnly; response bodies are not inspected (Rampart does not either).
MODSEC_BASE = """SecRuleEngine On
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "^(?:application(?:/soap\\+|/)|text/)xml" \\
  "id:'200000',phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule REQUEST_HEADERS:Content-Type "^application/json" \\
  "id:'200001',phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 131072
SecRequestBodyLimitAction Reject
SecRule REQBODY_ERROR "!@eq 0" \\
  "id:'200002', phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body.'"
SecPcreMatchLimit 1000
SecPcreMatchLimitRecursion 1000
SecResponseBodyAccess Off
SecTmpDir {dir}
SecDataDir {dir}
SecAuditEngine RelevantOnly
SecAuditLogRelevantStatus "^(?:5|4(?!04))"
SecAuditLogParts ABIJDEFHZ
SecAuditLogType Serial
SecAuditLog {dir}/modsec_audit.log
SecArgumentSeparator &
SecCookieFormat 0
SecStatusEngine Off
Include {setup}
Include {rules}/*.conf
"""

UPSTREAM = """worker_processes 1;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  server {{
    listen 127.0.0.1:{port} reuseport;
    keepalive_requests 1000000;
    location / {{ default_type application/json; return 200 '{{"ok":true,"from":"upstream"}}'; }}
  }}
}}
"""

PROXY = """{load}
worker_processes {workers};
events {{ worker_connections 1024; }}
http {{
  access_log off;
  {modsec}
  upstream origin {{ server 127.0.0.1:{upstream}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    keepalive_requests 1000000;
    location / {{
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }}
  }}
}}
"""


def config(d: str, name: str, port: int, upstream: int, workers: int) -> str:
    if name == "upstream":
        return UPSTREAM.format(port=port)
    load, modsec = "", ""
    if name == "modsec":
        rules = os.path.join(d, "modsec.conf")
        with open(rules, "w") as f:
            f.write(MODSEC_BASE.format(dir=d, setup=CRS_SETUP, rules=CRS_RULES))
        load = f"load_module {MODULE};"
        modsec = f"modsecurity on; modsecurity_rules_file {rules};"
    return PROXY.format(load=load, workers=workers, modsec=modsec, upstream=upstream, port=port)


def start_nginx(d: str, name: str, port: int, upstream: int = 0, workers: int = 2) -> subprocess.Popen:
    """nginx in the foreground (the Popen is its master) with its own prefix under `d`."""
    prefix = os.path.join(d, name)
    os.makedirs(os.path.join(prefix, "logs"), exist_ok=True)
    conf = os.path.join(prefix, "nginx.conf")
    text = config(prefix, name, port, upstream, workers)
    with open(conf, "w") as f:
        f.write("user root;\npid " + os.path.join(prefix, "nginx.pid") + ";\n"
                "error_log " + os.path.join(prefix, "logs", "error.log") + " warn;\n" + text)
    proc = subprocess.Popen(["nginx", "-p", prefix, "-c", conf, "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0 if name == "modsec" else 0.3)
    if proc.poll() is not None:
        with open(os.path.join(prefix, "logs", "error.log")) as f:
            raise SystemExit(f"nginx {name} did not start:\n{f.read()}")
    return proc
