"""The `rampart` command line: flags, config file, restarts on the same data dir, bad settings."""

from __future__ import annotations

import socket
import subprocess

from harness import BINARY, DEV_SQLITE, SECURE_SQLITE, clean_env, run_rampart


def test_version_and_help():
    assert run_rampart("--version").stdout.startswith("rampart ")
    for args in (("--help",), ("serve", "--help"), ("operator", "init", "--help"), ("audit", "tail", "--help")):
        assert run_rampart(*args).stdout.strip()


def test_default_account_flag(make_server):
    server = make_server(DEV_SQLITE, extra_args=["--default-account", "123456789012"])
    meta = server.client().create_key()["KeyMetadata"]
    assert meta["AWSAccountId"] == "123456789012", meta["Arn"]


def test_bad_default_account_is_refused(tmp_path):
    proc = run_rampart("serve", "--dev", "--data-dir", str(tmp_path / "d"), "--listen", "127.0.0.1:0",
                       "--default-account", "12345", check=False, timeout=30)
    assert proc.returncode != 0
    assert "12 digits" in proc.stderr


def test_config_file(make_server, tmp_path):
    config = tmp_path / "rampart.toml"
    config.write_text('dev = true\ndefault_account = "222233334444"\n')
    server = make_server(DEV_SQLITE, start=False, extra_args=["--config", str(config)],
                         dev_flag=False)  # no --dev flag: the file turns dev mode on
    server.start()
    assert server.scheme == "http"
    assert server.client().create_key()["KeyMetadata"]["AWSAccountId"] == "222233334444"


def test_unknown_config_key_is_refused(tmp_path):
    config = tmp_path / "rampart.toml"
    config.write_text("no_such_setting = 1\n")
    proc = run_rampart("serve", "--config", str(config), "--data-dir", str(tmp_path / "d"),
                       "--listen", "127.0.0.1:0", check=False, timeout=30)
    assert proc.returncode != 0 and "no_such_setting" in proc.stderr


def test_port_in_use_is_an_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [str(BINARY), "serve", "--dev", "--data-dir", str(tmp_path / "d"), "--listen", f"127.0.0.1:{port}"],
            env=clean_env(), capture_output=True, text=True, timeout=30,
        )
    assert proc.returncode != 0
    assert "cannot listen" in proc.stderr


def test_secure_restart_keeps_credentials_and_ca(make_server):
    server = make_server(SECURE_SQLITE)
    creds = server.admin_credentials()
    ca = server.ca_bundle.read_bytes()
    key = server.client().create_key()["KeyMetadata"]["KeyId"]
    server.restart()
    assert server.admin_credentials() == creds
    assert server.ca_bundle.read_bytes() == ca
    assert server.client().describe_key(KeyId=key)["KeyMetadata"]["KeyId"] == key


def test_deleted_credentials_file_is_rewritten(make_server):
    server = make_server(SECURE_SQLITE)
    creds = server.admin_credentials()
    server.stop()
    (server.data_dir / "credentials").unlink()
    server.start()
    assert server.admin_credentials() == creds
    assert (server.data_dir / "credentials").stat().st_mode & 0o777 == 0o600
    assert server.client().list_keys()["Keys"] == []
