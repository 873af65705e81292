//! Lookups in excerpts of the real files: range edges, gaps, IPv4 and IPv6, every line checked
//! against a linear scan, and the databases behind the WAF engine's GeoMatch and AsnMatch.
#![allow(clippy::unwrap_used)]

use rampart_geoip::{AsnDb, GeoDb};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn tor() -> GeoDb {
    GeoDb::load_all(&[data("tor/geoip"), data("tor/geoip6")]).unwrap()
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn country(db: &GeoDb, text: &str) -> Option<String> {
    db.country(ip(text))
        .map(|c| String::from_utf8_lossy(&c).into_owned())
}

#[test]
fn ipv4_range_edges() {
    let db = tor();
    // 16777216,16777471,AU / 16777472,16778239,CN / 15726992,15726999,?? (unknown)
    assert_eq!(country(&db, "1.0.0.0").as_deref(), Some("AU"));
    assert_eq!(country(&db, "1.0.0.255").as_deref(), Some("AU"));
    assert_eq!(country(&db, "1.0.1.0").as_deref(), Some("CN"));
    assert_eq!(country(&db, "0.255.255.255"), None);
    assert_eq!(country(&db, "0.239.249.144"), None, "?? is no country");
    assert_eq!(country(&db, "0.0.0.0"), None);
    assert_eq!(country(&db, "255.255.255.255"), None);
    // 100663296,135630591,US holds 8.8.8.8; 3758088192,3758090239,ID
    assert_eq!(country(&db, "8.8.8.8").as_deref(), Some("US"));
    assert_eq!(country(&db, "223.255.224.0").as_deref(), Some("ID"));
    assert_eq!(country(&db, "223.255.231.255").as_deref(), Some("ID"));
    assert_eq!(country(&db, "223.255.232.0").as_deref(), Some("AU"));
}

#[test]
fn ipv6_range_edges_and_mapped_ipv4() {
    let db = tor();
    assert_eq!(country(&db, "2001:2::").as_deref(), Some("JP"));
    assert_eq!(
        country(&db, "2001:2:0:ffff:ffff:ffff:ffff:ffff").as_deref(),
        Some("JP")
    );
    assert_eq!(country(&db, "2001:2:1::"), None, "a gap between ranges");
    assert_eq!(country(&db, "2001::1"), None, "?? is no country");
    assert_eq!(
        country(&db, "2a00:1450:4807:ff:ffff:ffff:ffff:ffff").as_deref(),
        Some("IE")
    );
    assert_eq!(country(&db, "2a00:1450:4807:100::").as_deref(), Some("RU"));
    assert_eq!(country(&db, "::"), None);
    assert_eq!(
        country(&db, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        None
    );
    assert_eq!(country(&db, "::ffff:1.0.0.7").as_deref(), Some("AU"));
}

/// The lines of a range file: (is IPv6, first, last, value), read without the crate's parser.
fn lines(path: &str) -> Vec<(bool, u128, u128, String)> {
    let text = std::fs::read_to_string(data(path)).unwrap();
    let num = |field: &str| -> (bool, u128) {
        match field.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => (false, u32::from(v4).into()),
            Ok(IpAddr::V6(v6)) => (true, u128::from(v6)),
            Err(_) => (false, field.parse::<u32>().unwrap().into()),
        }
    };
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.splitn(4, ',').collect();
            let (v6, first) = num(f[0]);
            (v6, first, num(f[1]).1, f[2].to_owned())
        })
        .collect()
}

fn addr(v6: bool, n: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(n))
    } else {
        IpAddr::V4(Ipv4Addr::from(n as u32))
    }
}

/// What a linear scan of the file's lines says about an address: the narrowest range holding
/// it, the later line among equally narrow ones.
fn scan(lines: &[(bool, u128, u128, String)], v6: bool, n: u128) -> Option<String> {
    lines
        .iter()
        .filter(|(f, first, last, _)| *f == v6 && *first <= n && n <= *last)
        .filter(|l| l.3 != "??" && l.3 != "0")
        .min_by_key(|(_, first, last, _)| last - first)
        .map(|l| l.3.clone())
}

#[test]
fn every_line_agrees_with_a_linear_scan() {
    let db = tor();
    let mut all = lines("tor/geoip");
    all.extend(lines("tor/geoip6"));
    let mut rng = fastrand::Rng::with_seed(7);
    for (v6, first, last, _) in &all {
        let mut probes = vec![*first, *last, first.wrapping_sub(1), last.wrapping_add(1)];
        probes.push(rng.u128(*first..=*last));
        for n in probes {
            let n = if *v6 { n } else { n & u128::from(u32::MAX) };
            let got = db
                .country(addr(*v6, n))
                .map(|c| String::from_utf8_lossy(&c).into_owned());
            assert_eq!(got, scan(&all, *v6, n), "{}", addr(*v6, n));
        }
    }
}

#[test]
fn asn_lookups() {
    let db = AsnDb::load_all(&[
        data("ip-location-db/asn-ipv4.csv"),
        data("ip-location-db/asn-ipv6.csv"),
    ])
    .unwrap();
    assert_eq!(db.asn(ip("1.0.0.0")), Some(13335));
    assert_eq!(db.asn(ip("1.0.0.255")), Some(13335));
    assert_eq!(
        db.asn(ip("1.0.1.0")),
        None,
        "no line covers 1.0.1.0-1.0.3.255"
    );
    assert_eq!(db.asn(ip("8.8.4.4")), Some(15169));
    assert_eq!(db.asn(ip("2001:4860:4805::1")), Some(43515));
    assert_eq!(
        db.asn(ip("2001:4860:4804:ffff:ffff:ffff:ffff:ffff")),
        Some(15169)
    );
    assert_eq!(db.asn(ip("::ffff:8.8.4.4")), Some(15169));
    let mut all = lines("ip-location-db/asn-ipv4.csv");
    all.extend(lines("ip-location-db/asn-ipv6.csv"));
    for (v6, first, last, _) in &all {
        for n in [*first, *last, last.wrapping_add(1)] {
            let n = if *v6 { n } else { n & u128::from(u32::MAX) };
            let want = scan(&all, *v6, n).map(|v| v.parse::<u32>().unwrap());
            assert_eq!(db.asn(addr(*v6, n)), want, "{}", addr(*v6, n));
        }
    }
}

#[test]
fn ip_location_db_country_csv() {
    let db = GeoDb::load(data("ip-location-db/geo-whois-asn-country-ipv4.csv")).unwrap();
    assert_eq!(country(&db, "1.0.0.0").as_deref(), Some("AU"));
    assert_eq!(country(&db, "1.0.3.255").as_deref(), Some("CN"));
    let (v4, v6) = db.runs();
    assert!(v4 > 0 && v6 == 0);
    // The geofeed's 2.58.197.15 (BE) is nested in the registry's 2.58.196.0-2.58.197.255 (DE).
    assert_eq!(country(&db, "2.58.197.14").as_deref(), Some("DE"));
    assert_eq!(country(&db, "2.58.197.15").as_deref(), Some("BE"));
    assert_eq!(country(&db, "2.58.197.16").as_deref(), Some("DE"));
    let all = lines("ip-location-db/geo-whois-asn-country-ipv4.csv");
    for (v6, first, last, _) in &all {
        for n in [*first, *last, first.wrapping_sub(1), last.wrapping_add(1)] {
            let n = n & u128::from(u32::MAX);
            let got = db
                .country(addr(*v6, n))
                .map(|c| String::from_utf8_lossy(&c).into_owned());
            assert_eq!(got, scan(&all, *v6, n), "{}", addr(*v6, n));
        }
    }
}

#[test]
fn adjacent_ranges_of_one_country_are_one_run() {
    let text = "1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.1.255,AU\n1.0.2.0,1.0.2.255,CN\n";
    let db = GeoDb::read("three", text.as_bytes()).unwrap();
    assert_eq!(db.runs(), (3, 0)); // AU from 1.0.0.0, CN from 1.0.2.0, gap from 1.0.3.0
    assert!(db.heap_bytes() > 0);
}

mod waf {
    use super::*;
    use rampart_waf::{Environment, InspectedRequest, RateState, Resolver};
    use serde_json::{Value, json};

    struct NoRefs;
    impl Resolver for NoRefs {
        fn ip_set(&self, _: &str) -> Option<Value> {
            None
        }
        fn regex_pattern_set(&self, _: &str) -> Option<Value> {
            None
        }
        fn rule_group(&self, _: &str) -> Option<Value> {
            None
        }
        fn managed_rule_group(&self, _: &str, _: &str, _: Option<&str>) -> Option<Value> {
            None
        }
    }

    fn acl(statement: Value) -> Value {
        let vis = |n: &str| {
            json!({"SampledRequestsEnabled": false,
            "CloudWatchMetricsEnabled": false, "MetricName": n})
        };
        json!({"Name": "acl", "Id": "acl-id",
            "ARN": "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/acl/acl-id",
            "DefaultAction": {"Allow": {}}, "VisibilityConfig": vis("acl"),
            "Rules": [{"Name": "r", "Priority": 0, "Statement": statement,
                "Action": {"Block": {}}, "VisibilityConfig": vis("r")}]})
    }

    #[test]
    fn geo_and_asn_match_through_the_engine() {
        let geo = tor();
        let asn = AsnDb::load(data("ip-location-db/asn-ipv4.csv")).unwrap();
        let env = Environment {
            now: 1,
            geo: &geo,
            asn: &asn,
        };
        let geo_plan = rampart_waf::compile(
            &acl(json!({"GeoMatchStatement": {"CountryCodes": ["AU"]}})),
            &NoRefs,
        )
        .unwrap();
        let from = |addr: &str| InspectedRequest::new("GET", "/", ip(addr));
        let verdict = geo_plan.evaluate(&from("1.0.0.1"), &env, &RateState::default());
        assert!(verdict.terminating_rule.is_some());
        assert_eq!(verdict.labels, ["awswaf:clientip:geo:country:AU"]);
        let verdict = geo_plan.evaluate(&from("1.0.1.1"), &env, &RateState::default());
        assert!(verdict.terminating_rule.is_none());
        assert_eq!(verdict.labels, ["awswaf:clientip:geo:country:CN"]);
        let asn_plan = rampart_waf::compile(
            &acl(json!({"AsnMatchStatement": {"AsnList": [15169]}})),
            &NoRefs,
        )
        .unwrap();
        let hit = asn_plan.evaluate(&from("8.8.4.4"), &env, &RateState::default());
        assert!(hit.terminating_rule.is_some());
        let miss = asn_plan.evaluate(&from("1.0.0.1"), &env, &RateState::default());
        assert!(miss.terminating_rule.is_none());
    }
}
