//! The whole database of Debian's tor-geoipdb package, when it is on the machine: the folder
//! `RAMPART_TEST_GEOIP_DIR` (holding `geoip` and `geoip6`; scripts/test.sh extracts the package
//! there) or `/usr/share/tor`. Without either the test says so and checks nothing.
#![allow(clippy::unwrap_used)]

use rampart_geoip::GeoDb;
use std::path::PathBuf;

#[test]
fn the_whole_debian_database_loads_and_locates_well_known_addresses() {
    let dir = std::env::var_os("RAMPART_TEST_GEOIP_DIR")
        .map_or_else(|| PathBuf::from("/usr/share/tor"), PathBuf::from);
    let files = [dir.join("geoip"), dir.join("geoip6")];
    if !files.iter().all(|f| f.is_file()) {
        eprintln!("skipped: no tor-geoipdb files in {}", dir.display());
        return;
    }
    let db = GeoDb::load_all(&files).unwrap();
    let (v4, v6) = db.runs();
    assert!(v4 > 100_000 && v6 > 100_000, "{v4} IPv4 and {v6} IPv6 runs");
    let at = |ip: &str| db.country(ip.parse().unwrap());
    assert_eq!(at("8.8.8.8"), Some(*b"US"));
    assert_eq!(at("2001:4860:4860::8888"), Some(*b"US"));
    assert_eq!(at("10.0.0.1"), None, "private addresses are in no country");
    assert_eq!(at("127.0.0.1"), None);
}
