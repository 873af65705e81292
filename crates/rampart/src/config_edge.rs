//! The edge's settings of `rampart.toml` (`[edge]`), environment and flags: where it listens
//! (the private listener with the VPC endpoint and VPC ids it stands for) and the offline
//! databases behind the WAF's GeoMatch (`geoip_path`) and AsnMatch (`asn_path`) statements,
//! and the directory standing for S3 under mutual TLS truststores (`truststore_dir`).

use rampart_module::PrivateEdgeSettings;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Edge settings of `rampart.toml` (`[edge]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeFileConfig {
    /// Where API Gateway's edge data plane listens (`127.0.0.1:4510`); no edge listener when
    /// unset.
    pub listen: Option<std::net::SocketAddr>,
    /// Where the edge listens over HTTPS (`127.0.0.1:4443`); none when unset.
    pub tls_listen: Option<std::net::SocketAddr>,
    /// Where the private edge listens over plain HTTP (`127.0.0.1:4520`): Rampart's
    /// interface VPC endpoint, with `private_tls_listen` the only listeners PRIVATE REST APIs
    /// answer on; none when unset.
    pub private_listen: Option<std::net::SocketAddr>,
    /// Where the private edge listens over HTTPS (`127.0.0.1:4521`), as an interface VPC
    /// endpoint answers, with the certificates of `tls_listen`; none when unset.
    pub private_tls_listen: Option<std::net::SocketAddr>,
    /// The VPC endpoint id of the private listener (`vpce-` and 8 or 17 hex digits), given
    /// to resource policies as `aws:SourceVpce`. Default: derived from the data directory.
    pub private_vpce_id: Option<String>,
    /// The VPC id of the private listener (`vpc-` and 8 or 17 hex digits), given to
    /// resource policies as `aws:SourceVpc`. Default: derived from the data directory.
    pub private_vpc_id: Option<String>,
    /// Country database files (Tor's `geoip`/`geoip6` format or ip-location-db's country CSV):
    /// one path or a list; `[]` for none. Default: Debian's `tor-geoipdb` files when installed.
    pub geoip_path: Option<PathList>,
    /// AS number database files (ip-location-db's `asn-ipv4.csv`/`asn-ipv6.csv`): one path or
    /// a list. Default: none.
    pub asn_path: Option<PathList>,
    /// Where custom domain names' mutual TLS truststores are read (`s3://<bucket>/<key>` is
    /// `<truststore_dir>/<bucket>/<key>`). Default: `<data_dir>/truststores`.
    pub truststore_dir: Option<PathBuf>,
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

/// The private listener's flags (`serve`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PrivateEdgeArgs {
    /// Where the private edge listens over plain HTTP: Rampart's interface VPC endpoint,
    /// with the HTTPS one the only listeners PRIVATE REST APIs answer on; none when unset.
    /// Default: `[edge] private_listen`.
    #[arg(long, env = "RAMPART_EDGE_PRIVATE_LISTEN")]
    pub edge_private_listen: Option<std::net::SocketAddr>,
    /// Where the private edge listens over HTTPS (the certificates of the HTTPS edge
    /// listener); none when unset. Default: `[edge] private_tls_listen`.
    #[arg(long, env = "RAMPART_EDGE_PRIVATE_TLS_LISTEN")]
    pub edge_private_tls_listen: Option<std::net::SocketAddr>,
    /// The private listener's VPC endpoint id (`aws:SourceVpce`). Default: `[edge]
    /// private_vpce_id`, else derived from the data directory.
    #[arg(long, env = "RAMPART_EDGE_PRIVATE_VPCE_ID", value_name = "VPCE_ID")]
    pub edge_private_vpce_id: Option<String>,
    /// The private listener's VPC id (`aws:SourceVpc`). Default: `[edge] private_vpc_id`,
    /// else derived from the data directory.
    #[arg(long, env = "RAMPART_EDGE_PRIVATE_VPC_ID", value_name = "VPC_ID")]
    pub edge_private_vpc_id: Option<String>,
}

/// The private listeners in effect, if one is set: its ids given, else derived from
/// `data_dir` (the same on every start of this node, different between nodes).
pub fn private_edge(
    args: &PrivateEdgeArgs,
    file: Option<&EdgeFileConfig>,
    data_dir: &Path,
) -> Result<Option<PrivateEdgeSettings>, String> {
    let listen = args
        .edge_private_listen
        .or(file.and_then(|f| f.private_listen));
    let tls_listen = args
        .edge_private_tls_listen
        .or(file.and_then(|f| f.private_tls_listen));
    if listen.is_none() && tls_listen.is_none() {
        return Ok(None);
    }
    let given = |flag: &Option<String>, pick: fn(&EdgeFileConfig) -> &Option<String>| {
        flag.clone().or_else(|| file.and_then(|f| pick(f).clone()))
    };
    let derived = derived_ids(data_dir);
    let vpce_id = given(&args.edge_private_vpce_id, |f| &f.private_vpce_id)
        .unwrap_or_else(|| format!("vpce-{}", &derived[..17]));
    let vpc_id = given(&args.edge_private_vpc_id, |f| &f.private_vpc_id)
        .unwrap_or_else(|| format!("vpc-{}", &derived[17..34]));
    check_id(&vpce_id, "vpce-", "private_vpce_id")?;
    check_id(&vpc_id, "vpc-", "private_vpc_id")?;
    Ok(Some(PrivateEdgeSettings {
        listen,
        tls_listen,
        vpce_id,
        vpc_id,
    }))
}

/// 64 hex digits that depend only on `data_dir`.
fn derived_ids(data_dir: &Path) -> String {
    let seed = format!("rampart private edge {}", data_dir.display());
    hex::encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        seed.as_bytes(),
    ))
}

/// Refuses an id that is not `prefix` and 8 or 17 lower-case hex digits, as AWS makes them.
fn check_id(id: &str, prefix: &str, setting: &str) -> Result<(), String> {
    let digits = id.strip_prefix(prefix).unwrap_or_default();
    let hex = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if hex && matches!(digits.len(), 8 | 17) {
        return Ok(());
    }
    Err(format!(
        "[edge] {setting} must be {prefix} and 8 or 17 lower-case hex digits, got {id:?}"
    ))
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
    fn the_private_listener_takes_given_ids_or_stable_derived_ones() {
        let none = PrivateEdgeArgs::default();
        assert_eq!(private_edge(&none, None, Path::new("/d")), Ok(None));
        let config = file("private_listen = \"127.0.0.1:4520\"\n");
        let derived = private_edge(&none, Some(&config), Path::new("/d"))
            .unwrap()
            .unwrap();
        assert_eq!(derived.listen, Some("127.0.0.1:4520".parse().unwrap()));
        assert_eq!(derived.tls_listen, None);
        assert!(check_id(&derived.vpce_id, "vpce-", "x").is_ok());
        assert_eq!(derived.vpce_id.len(), 22);
        assert!(check_id(&derived.vpc_id, "vpc-", "x").is_ok());
        let again = private_edge(&none, Some(&config), Path::new("/d"));
        assert_eq!(again.unwrap().unwrap(), derived);
        let other = private_edge(&none, Some(&config), Path::new("/e"));
        assert_ne!(other.unwrap().unwrap().vpce_id, derived.vpce_id);
        let flagged = PrivateEdgeArgs {
            edge_private_listen: None,
            edge_private_tls_listen: None,
            edge_private_vpce_id: Some("vpce-0123456789abcdef0".into()),
            edge_private_vpc_id: Some("vpc-0123abcd".into()),
        };
        let given = private_edge(&flagged, Some(&config), Path::new("/d"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (given.vpce_id.as_str(), given.vpc_id.as_str()),
            ("vpce-0123456789abcdef0", "vpc-0123abcd")
        );
        let bad = file("private_listen = \"127.0.0.1:1\"\nprivate_vpce_id = \"vpce-XYZ\"\n");
        let refused = private_edge(&none, Some(&bad), Path::new("/d")).unwrap_err();
        assert!(refused.contains("private_vpce_id"), "{refused}");
    }

    #[test]
    fn the_private_edge_may_listen_over_https_alone_or_both() {
        let tls_only = file("private_tls_listen = \"127.0.0.1:4521\"\n");
        let none = PrivateEdgeArgs::default();
        let settings = private_edge(&none, Some(&tls_only), Path::new("/d"))
            .unwrap()
            .unwrap();
        assert_eq!(settings.listen, None);
        assert_eq!(settings.tls_listen, Some("127.0.0.1:4521".parse().unwrap()));
        let flagged = PrivateEdgeArgs {
            edge_private_listen: Some("127.0.0.1:4530".parse().unwrap()),
            edge_private_tls_listen: Some("127.0.0.1:4531".parse().unwrap()),
            ..PrivateEdgeArgs::default()
        };
        let both = private_edge(&flagged, Some(&tls_only), Path::new("/d"))
            .unwrap()
            .unwrap();
        assert_eq!(both.listen, Some("127.0.0.1:4530".parse().unwrap()));
        assert_eq!(both.tls_listen, Some("127.0.0.1:4531".parse().unwrap()));
        assert_eq!(both.vpce_id, settings.vpce_id);
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<EdgeFileConfig>("geoip = \"/x\"\n").is_err());
        assert!(toml::from_str::<EdgeFileConfig>("geoip_path = 3\n").is_err());
    }
}
