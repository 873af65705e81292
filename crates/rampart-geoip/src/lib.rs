//! Offline IP-to-country and IP-to-ASN databases for the WAF's `GeoMatchStatement` and
//! `AsnMatchStatement`: text files of inclusive address ranges, `start,end,value` per line,
//! loaded into sorted range tables (IPv4 as `u32`, IPv6 as `u128`) searched by bisection.
//!
//! - [`GeoDb`] (countries) reads Tor's `geoip`/`geoip6` files — Debian's `tor-geoipdb`
//!   package installs them as [`DEBIAN_GEOIP_PATHS`], the IPFire Location database (CC BY-SA
//!   4.0) — and ip-location-db's country CSV files; it implements
//!   [`rampart_waf::GeoLookup`] (countries only: neither source has regions).
//! - [`AsnDb`] (AS numbers) reads ip-location-db's `asn-ipv4.csv`/`asn-ipv6.csv` (`start,end,
//!   asn,organisation`) and implements [`rampart_waf::AsnLookup`].
//!
//! Where ranges overlap (ip-location-db nests geofeed ranges inside registry ranges), the
//! narrower range wins. Loading never panics on a bad file: [`LoadError`] names the file and
//! line.

mod db;
mod error;
mod parse;
mod table;

pub use error::LoadError;

use std::io::BufRead;
use std::net::IpAddr;
use std::num::{NonZeroU16, NonZeroU32};
use std::path::{Path, PathBuf};

/// Where Debian's `tor-geoipdb` package installs its IPv4 and IPv6 country files.
pub const DEBIAN_GEOIP_PATHS: [&str; 2] = ["/usr/share/tor/geoip", "/usr/share/tor/geoip6"];

/// The country files used when none is configured: those of [`DEBIAN_GEOIP_PATHS`] that exist
/// (none when the package is not installed: GeoMatch then matches no address).
pub fn default_geo_paths() -> Vec<PathBuf> {
    DEBIAN_GEOIP_PATHS
        .iter()
        .map(PathBuf::from)
        .filter(|path| path.is_file())
        .collect()
}

/// IP address → ISO 3166-1 alpha-2 country code.
#[derive(Debug, Clone, Default)]
pub struct GeoDb(db::Db<NonZeroU16>);

impl GeoDb {
    /// Loads one file (IPv4 and IPv6 lines may be mixed).
    pub fn load(path: impl AsRef<Path>) -> Result<GeoDb, LoadError> {
        GeoDb::load_all(&[path])
    }

    /// Loads several files into one database (Tor's `geoip` and `geoip6`).
    pub fn load_all(paths: &[impl AsRef<Path>]) -> Result<GeoDb, LoadError> {
        let mut loader = db::Loader::new(parse::country);
        for path in paths {
            loader.add_file(path.as_ref())?;
        }
        loader.build().map(GeoDb)
    }

    /// Reads one source already open, named `name` in errors.
    pub fn read(name: &str, reader: impl BufRead) -> Result<GeoDb, LoadError> {
        let mut loader = db::Loader::new(parse::country);
        loader.add_reader(Path::new(name), reader)?;
        loader.build().map(GeoDb)
    }

    /// The country of `ip` (upper case), if a range holds it.
    pub fn country(&self, ip: IpAddr) -> Option<[u8; 2]> {
        self.0.get(ip).map(parse::country_letters)
    }

    /// Runs of addresses held (IPv4, IPv6), adjacent ranges of one country counted once.
    pub fn runs(&self) -> (usize, usize) {
        self.0.runs()
    }

    /// Memory the tables take, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.0.heap_bytes()
    }
}

impl rampart_waf::GeoLookup for GeoDb {
    fn country(&self, ip: IpAddr) -> Option<[u8; 2]> {
        GeoDb::country(self, ip)
    }
}

/// IP address → autonomous system number.
#[derive(Debug, Clone, Default)]
pub struct AsnDb(db::Db<NonZeroU32>);

impl AsnDb {
    /// Loads one file (IPv4 and IPv6 lines may be mixed).
    pub fn load(path: impl AsRef<Path>) -> Result<AsnDb, LoadError> {
        AsnDb::load_all(&[path])
    }

    /// Loads several files into one database.
    pub fn load_all(paths: &[impl AsRef<Path>]) -> Result<AsnDb, LoadError> {
        let mut loader = db::Loader::new(parse::asn);
        for path in paths {
            loader.add_file(path.as_ref())?;
        }
        loader.build().map(AsnDb)
    }

    /// Reads one source already open, named `name` in errors.
    pub fn read(name: &str, reader: impl BufRead) -> Result<AsnDb, LoadError> {
        let mut loader = db::Loader::new(parse::asn);
        loader.add_reader(Path::new(name), reader)?;
        loader.build().map(AsnDb)
    }

    /// The AS number announcing `ip`, if a range holds it.
    pub fn asn(&self, ip: IpAddr) -> Option<u32> {
        self.0.get(ip).map(NonZeroU32::get)
    }

    /// Runs of addresses held (IPv4, IPv6), adjacent ranges of one AS counted once.
    pub fn runs(&self) -> (usize, usize) {
        self.0.runs()
    }

    /// Memory the tables take, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.0.heap_bytes()
    }
}

impl rampart_waf::AsnLookup for AsnDb {
    fn asn(&self, ip: IpAddr) -> Option<u32> {
        AsnDb::asn(self, ip)
    }
}
