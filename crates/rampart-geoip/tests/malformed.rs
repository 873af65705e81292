//! Bad files: each error names the file and line, and nothing panics on random input.
#![allow(clippy::unwrap_used)]

use rampart_geoip::{AsnDb, GeoDb, LoadError};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

fn geo_err(text: &[u8]) -> String {
    GeoDb::read("db.txt", text).unwrap_err().to_string()
}

#[test]
fn bad_lines_name_the_line() {
    let cases: [(&[u8], &str); 7] = [
        (
            b"# header\n1.0.0.0,1.0.0.255\n",
            "db.txt line 2: expected `start,end,value`",
        ),
        (
            b"1.0.0.0,1.0.0.255,AUS\n",
            "db.txt line 1: \"AUS\" is not a two-letter country code",
        ),
        (
            b"1.0.0.9,1.0.0.0,AU\n",
            "line 1: the range starts at 1.0.0.9, after its end 1.0.0.0",
        ),
        (
            b"1.0.0.0,::1,AU\n",
            "line 1: 1.0.0.0 and ::1 are not of one address family",
        ),
        (
            b"1.0.0.0,1.0.0.255,AU\n1.2.3,1.2.3.4,FR\n",
            "line 2: \"1.2.3\" is not an IP address",
        ),
        (
            b"42540488320432167789079031612388147200,42540488320432167789079031612388147201,JP\n",
            "line 1: 42540488320432167789079031612388147200 is beyond the last IPv4 address",
        ),
        (
            b"1.0.0.0,1.0.0.255,A\xffU\n",
            "db.txt line 1: not UTF-8 text",
        ),
    ];
    for (text, want) in cases {
        let got = geo_err(text);
        assert!(got.contains(want), "{got:?} should contain {want:?}");
    }
}

#[test]
fn files_without_ranges_are_refused() {
    for text in ["", "# only a comment\n\n", "15726992,15726999,??\n"] {
        assert_eq!(
            geo_err(text.as_bytes()),
            "db.txt: no address ranges (expected lines `start,end,value`)"
        );
    }
}

#[test]
fn a_file_of_the_other_kind_is_refused() {
    let asn_line = "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n";
    assert!(geo_err(asn_line.as_bytes()).contains("\"13335\" is not a two-letter country code"));
    let err = AsnDb::read("c.csv", "1.0.0.0,1.0.0.255,AU\n".as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), "c.csv line 1: \"AU\" is not an AS number");
}

#[test]
fn missing_files_directories_and_no_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let err = GeoDb::load(&missing).unwrap_err();
    assert!(matches!(err, LoadError::Io { .. }));
    assert!(err.to_string().starts_with(&missing.display().to_string()));
    let none: [PathBuf; 0] = [];
    assert_eq!(
        GeoDb::load_all(&none).unwrap_err().to_string(),
        "no database file given"
    );
    assert!(
        GeoDb::load(dir.path()).is_err(),
        "a directory is no database"
    );
}

#[test]
fn overlaps_across_files_go_to_the_narrower_range() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| -> PathBuf {
        let path = dir.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        path
    };
    let wide = write("a", "# a\n1.0.0.0,1.0.0.255,AU\n");
    let narrow = write("b", "1.0.0.128,1.0.1.0,FR\n");
    let db = GeoDb::load_all(&[&wide, &narrow]).unwrap();
    let at = |text: &str| db.country(text.parse().unwrap());
    assert_eq!(at("1.0.0.127"), Some(*b"AU"));
    assert_eq!(at("1.0.0.128"), Some(*b"FR"));
    assert_eq!(at("1.0.1.0"), Some(*b"FR"));
    assert_eq!(at("1.0.1.1"), None);
}

/// Random lines made of the characters the format uses, and mutated real lines: loading
/// answers a database or an error, and lookups in any database answer.
#[test]
fn random_input_never_panics() {
    let mut rng = fastrand::Rng::with_seed(0x6e0);
    let real =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/tor/geoip"))
            .unwrap();
    let alphabet = b"0123456789abcdefABCDEF.:,# ?\r\nASUZ\xff\x00-";
    let mut loaded = 0;
    for round in 0..3_000 {
        let text: Vec<u8> = if round % 2 == 0 {
            (0..rng.usize(0..200))
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect()
        } else {
            let mut bytes = real.clone();
            for _ in 0..rng.usize(1..8) {
                let at = rng.usize(..bytes.len());
                bytes[at] = alphabet[rng.usize(..alphabet.len())];
            }
            bytes
        };
        if let Ok(db) = GeoDb::read("random", text.as_slice()) {
            loaded += 1;
            for _ in 0..20 {
                let _ = db.country(IpAddr::V4(Ipv4Addr::from(rng.u32(..))));
                let _ = db.country(IpAddr::V6(Ipv6Addr::from(rng.u128(..))));
            }
        }
        if let Ok(db) = AsnDb::read("random", text.as_slice()) {
            let _ = db.asn(IpAddr::V4(Ipv4Addr::from(rng.u32(..))));
        }
    }
    assert!(loaded > 0, "some mutated files still load");
}
