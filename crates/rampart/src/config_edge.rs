//! The edge's settings of `rampart.toml` (`[edge]`), environment and flags: where it listens
//! and the offline databases behind the WAF's GeoMatch (`geoip_path`) and AsnMatch
//! (`asn_path`) statements.

use serde::Deserialize;
use std::path::PathBuf;

/// Edge settings of `rampart.toml` (`[edge]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeFileConfig {
    /// Where API Gateway's edge data plane listens (`127.0.0.1:4510`); no edge listener when
    /// unset.
    pub listen: Option<std::net::SocketAddr>,
    /// Where the edge listens over HTTPS (`127.0.0.1:4443`); none when unset.
    pub tls_listen: Option<std::net::SocketAddr>,
    /// Country database files (Tor's `geoip`/`geoip6` format or ip-location-db's country CSV):
    /// one path or a list; `[]` for none. Default: Debian's `tor-geoipdb` files when installed.
    pub geoip_path: Option<PathList>,
    /// AS number database files (ip-location-db's `asn-ipv4.csv`/`asn-ipv6.csv`): one path or
    /// a list. Default: none.
    pub asn_path: Option<PathList>,
}

/// One path or several, as `rampart.toml` writes them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum PathList {
    /// `geoip_path = "/usr/share/tor/geoip"`.
    One(PathBuf),
    /// `geoip_path = ["/usr/share/tor/geoip", "/usr/share/tor/geoip6"]`.
    Many(Vec<PathBuf>),
}

impl PathList {
    fn into_paths(self) -> Vec<PathBuf> {
        let paths = match self {
            PathList::One(path) => vec![path],
            PathList::Many(paths) => paths,
        };
        paths
            .into_iter()
            .filter(|p| !p.as_os_str().is_empty())
            .collect()
    }
}

/// The database flags (`serve` and `edge geoip-lookup`): lists separated by `:` as in `PATH`,
/// an empty value for none.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GeoArgs {
    /// Country database files, `:`-separated (Tor's geoip/geoip6 format or ip-location-db's
    /// country CSV); empty for none. Default: `[edge] geoip_path`, else Debian's
    /// /usr/share/tor/geoip and geoip6 when the tor-geoipdb package is installed.
    #[arg(long, env = "RAMPART_EDGE_GEOIP", value_name = "PATHS")]
    pub edge_geoip: Option<String>,
    /// AS number database files, `:`-separated (ip-location-db's asn-ipv4.csv/asn-ipv6.csv);
    /// empty for none. Default: `[edge] asn_path`, else none.
    #[arg(long, env = "RAMPART_EDGE_ASN", value_name = "PATHS")]
    pub edge_asn: Option<String>,
}

/// The database files in effect: (country files, AS number files). An empty list means no
/// data: GeoMatch (or AsnMatch) then matches no address.
pub fn geo_paths(args: &GeoArgs, file: Option<&EdgeFileConfig>) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let from_file = |pick: fn(&EdgeFileConfig) -> &Option<PathList>| {
        file.and_then(|f| pick(f).clone()).map(PathList::into_paths)
    };
    let geoip = args
        .edge_geoip
        .as_deref()
        .map(split)
        .or_else(|| from_file(|f| &f.geoip_path))
        .unwrap_or_else(rampart_geoip::default_geo_paths);
    let asn = args
        .edge_asn
        .as_deref()
        .map(split)
        .or_else(|| from_file(|f| &f.asn_path))
        .unwrap_or_default();
    (geoip, asn)
}

/// A `:`-separated list of paths, empty entries dropped.
fn split(list: &str) -> Vec<PathBuf> {
    std::env::split_paths(list)
        .filter(|p| !p.as_os_str().is_empty())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn file(text: &str) -> EdgeFileConfig {
        toml::from_str(text).unwrap()
    }

    fn args(geoip: Option<&str>, asn: Option<&str>) -> GeoArgs {
        GeoArgs {
            edge_geoip: geoip.map(str::to_owned),
            edge_asn: asn.map(str::to_owned),
        }
    }

    #[test]
    fn flags_override_the_file_and_lists_split_on_colons() {
        let config = file("geoip_path = \"/f/geoip\"\nasn_path = [\"/f/a4\", \"/f/a6\"]\n");
        let (geo, asn) = geo_paths(&args(None, None), Some(&config));
        assert_eq!(geo, [PathBuf::from("/f/geoip")]);
        assert_eq!(asn, [PathBuf::from("/f/a4"), PathBuf::from("/f/a6")]);
        let flagged = args(Some("/x/geoip:/x/geoip6"), Some(""));
        let (geo, asn) = geo_paths(&flagged, Some(&config));
        assert_eq!(geo, [PathBuf::from("/x/geoip"), PathBuf::from("/x/geoip6")]);
        assert!(asn.is_empty(), "an empty flag turns the database off");
    }

    #[test]
    fn defaults_are_the_debian_files_that_exist_and_no_asn() {
        let (geo, asn) = geo_paths(&args(None, None), None);
        assert_eq!(geo, rampart_geoip::default_geo_paths());
        assert!(asn.is_empty());
        let (geo, _) = geo_paths(&args(None, None), Some(&file("geoip_path = []\n")));
        assert!(geo.is_empty(), "an empty list turns the default off");
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<EdgeFileConfig>("geoip = \"/x\"\n").is_err());
        assert!(toml::from_str::<EdgeFileConfig>("geoip_path = 3\n").is_err());
    }
}
