//! `rampart edge geoip-lookup IP`: the country and AS number the configured offline databases
//! give an address — what the WAF's GeoMatch and AsnMatch statements see for it.

use crate::config_edge::{GeoArgs, geo_paths};
use clap::{Args, Subcommand};
use rampart_geoip::{AsnDb, GeoDb};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum EdgeCommand {
    /// Print the country (and AS number, with an ASN database) of an address, from the
    /// databases `serve` would use (`[edge] geoip_path`/`asn_path`, RAMPART_EDGE_GEOIP/ASN).
    GeoipLookup(GeoipLookupArgs),
}

#[derive(Debug, Args)]
pub struct GeoipLookupArgs {
    /// The IPv4 or IPv6 address.
    pub ip: IpAddr,
    /// Configuration file (TOML) whose `[edge]` table names the databases.
    #[arg(long, env = "RAMPART_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub geo: GeoArgs,
}

/// Runs one `edge` command.
pub fn run(command: EdgeCommand) -> Result<(), String> {
    match command {
        EdgeCommand::GeoipLookup(args) => geoip_lookup(&args),
    }
}

fn geoip_lookup(args: &GeoipLookupArgs) -> Result<(), String> {
    let file = crate::config::read_file_config(args.config.as_deref())?;
    let (geo_files, asn_files) = geo_paths(&args.geo, file.edge.as_ref());
    let geo = load(&geo_files, GeoDb::load_all)?;
    let asn = load(&asn_files, AsnDb::load_all)?;
    let lookup = Lookup {
        geo: geo.as_ref().map(|db| (db, geo_files.as_slice())),
        asn: asn.as_ref().map(|db| (db, asn_files.as_slice())),
    };
    print!("{}", lookup.report(args.ip));
    Ok(())
}

/// Loads a database from its files; `None` when there are none.
fn load<D>(
    files: &[PathBuf],
    load_all: fn(&[PathBuf]) -> Result<D, rampart_geoip::LoadError>,
) -> Result<Option<D>, String> {
    if files.is_empty() {
        return Ok(None);
    }
    load_all(files).map(Some).map_err(|e| e.to_string())
}

/// The loaded databases with the files they came from.
struct Lookup<'a> {
    geo: Option<(&'a GeoDb, &'a [PathBuf])>,
    asn: Option<(&'a AsnDb, &'a [PathBuf])>,
}

impl Lookup<'_> {
    /// The lines printed for `ip`.
    fn report(&self, ip: IpAddr) -> String {
        let mut out = format!("address: {ip}\n");
        match self.geo {
            None => out.push_str(
                "country: no database (set [edge] geoip_path or RAMPART_EDGE_GEOIP, or install \
                 Debian's tor-geoipdb); GeoMatch matches no address\n",
            ),
            Some((db, files)) => {
                out.push_str(&match db.country(ip) {
                    Some(code) => {
                        let code = String::from_utf8_lossy(&code).into_owned();
                        format!("country: {code} (label awswaf:clientip:geo:country:{code})\n")
                    }
                    None => "country: unknown (GeoMatch matches no country)\n".to_owned(),
                });
                let (v4, v6) = db.runs();
                out.push_str(&format!(
                    "country database: {} ({v4} IPv4 + {v6} IPv6 runs, {} KiB)\n",
                    joined(files),
                    db.heap_bytes() / 1024
                ));
            }
        }
        if let Some((db, files)) = self.asn {
            match db.asn(ip) {
                Some(asn) => out.push_str(&format!("asn: {asn}\n")),
                None => out.push_str("asn: unknown (AsnMatch matches no AS number)\n"),
            }
            let (v4, v6) = db.runs();
            out.push_str(&format!(
                "asn database: {} ({v4} IPv4 + {v6} IPv6 runs, {} KiB)\n",
                joined(files),
                db.heap_bytes() / 1024
            ));
        }
        out
    }
}

fn joined(files: &[PathBuf]) -> String {
    let names: Vec<_> = files.iter().map(|p| Path::display(p).to_string()).collect();
    names.join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn reports_country_asn_and_their_files() {
        let geo = GeoDb::read(
            "g",
            "1.0.0.0,1.0.0.255,AU\n2001:2::,2001:2::ff,JP\n".as_bytes(),
        )
        .unwrap();
        let asn = AsnDb::read(
            "a",
            "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n".as_bytes(),
        )
        .unwrap();
        let (geo_files, asn_files) = (vec![PathBuf::from("/g4"), PathBuf::from("/g6")], vec![]);
        let lookup = Lookup {
            geo: Some((&geo, &geo_files)),
            asn: Some((&asn, &asn_files)),
        };
        let report = lookup.report(ip("1.0.0.9"));
        assert!(report.contains("country: AU (label awswaf:clientip:geo:country:AU)\n"));
        assert!(report.contains("country database: /g4, /g6 (2 IPv4 + 2 IPv6 runs, 0 KiB)\n"));
        assert!(report.contains("asn: 13335\n"));
        let v6 = lookup.report(ip("2001:2::1"));
        assert!(v6.contains("country: JP") && v6.contains("asn: unknown"));
        assert!(lookup.report(ip("9.9.9.9")).contains("country: unknown"));
    }

    #[test]
    fn says_when_there_is_no_database() {
        let lookup = Lookup {
            geo: None,
            asn: None,
        };
        let report = lookup.report(ip("1.0.0.9"));
        assert!(report.contains("country: no database"));
        assert!(!report.contains("asn"));
    }

    #[test]
    fn a_bad_database_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("geoip");
        std::fs::write(&bad, "1,2\n").unwrap();
        let err = load(std::slice::from_ref(&bad), GeoDb::load_all).unwrap_err();
        assert_eq!(
            err,
            format!("{} line 1: expected `start,end,value`", bad.display())
        );
        assert!(load(&[], GeoDb::load_all).unwrap().is_none());
    }
}
