"""`rampart edge geoip-lookup IP` on the crate's database excerpts: flags, environment and the
`[edge]` table of rampart.toml choose the files; bad files and addresses are refused."""

from __future__ import annotations

from harness import REPO, run_rampart

DATA = REPO / "crates" / "rampart-geoip" / "tests" / "data"
TOR = f"{DATA / 'tor' / 'geoip'}:{DATA / 'tor' / 'geoip6'}"
ASN = f"{DATA / 'ip-location-db' / 'asn-ipv4.csv'}:{DATA / 'ip-location-db' / 'asn-ipv6.csv'}"


def lookup(ip: str, *args: str, env: dict[str, str] | None = None, check: bool = True):
    return run_rampart("edge", "geoip-lookup", ip, *args, env=env, check=check)


def test_country_and_asn_from_flags():
    out = lookup("8.8.4.4", "--edge-geoip", TOR, "--edge-asn", ASN).stdout
    assert "address: 8.8.4.4\n" in out
    assert "country: US (label awswaf:clientip:geo:country:US)\n" in out
    assert "asn: 15169\n" in out
    v6 = lookup("2a00:1450:4807:100::1", "--edge-geoip", TOR).stdout
    assert "country: RU (label awswaf:clientip:geo:country:RU)\n" in v6
    assert "asn" not in v6
    unknown = lookup("2001:2:1::", "--edge-geoip", TOR).stdout
    assert "country: unknown (GeoMatch matches no country)\n" in unknown


def test_environment_and_config_file(tmp_path):
    from_env = lookup("1.0.1.0", env={"RAMPART_EDGE_GEOIP": TOR}).stdout
    assert "country: CN" in from_env
    config = tmp_path / "rampart.toml"
    config.write_text(
        "[edge]\n"
        f"geoip_path = [\"{DATA / 'tor' / 'geoip'}\"]\n"
        f"asn_path = \"{DATA / 'ip-location-db' / 'asn-ipv4.csv'}\"\n"
    )
    out = lookup("1.0.0.1", "--config", str(config)).stdout
    assert "country: AU" in out and "asn: 13335\n" in out
    # An empty flag turns the configured database off.
    off = lookup("1.0.0.1", "--config", str(config), "--edge-geoip", "").stdout
    assert "country: no database" in off


def test_bad_files_and_addresses_are_refused(tmp_path):
    bad = tmp_path / "geoip"
    bad.write_text("# a header\n1.0.0.0,1.0.0.255,AUS\n")
    proc = lookup("1.0.0.1", "--edge-geoip", str(bad), check=False)
    assert proc.returncode == 1
    assert f"{bad} line 2: \"AUS\" is not a two-letter country code" in proc.stderr
    proc = lookup("1.0.0.1", "--edge-geoip", str(tmp_path / "missing"), check=False)
    assert proc.returncode == 1 and "missing" in proc.stderr
    proc = lookup("1.0.0.256", "--edge-geoip", TOR, check=False)
    assert proc.returncode == 2 and "invalid value '1.0.0.256'" in proc.stderr
    config = tmp_path / "rampart.toml"
    config.write_text("[edge]\ngeoip = \"/x\"\n")
    proc = lookup("1.0.0.1", "--config", str(config), check=False)
    assert proc.returncode == 1 and "unknown field `geoip`" in proc.stderr
