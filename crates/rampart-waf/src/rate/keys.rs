//! Aggregation keys of rate-based rules: IP, FORWARDED_IP, CONSTANT and CUSTOM_KEYS.

use crate::error::{CompileError, Result};
use crate::eval::Ctx;
use crate::ipset::ForwardedIp;
use crate::json;
use crate::request::query_args;
use crate::transform::Transforms;
use serde_json::{Map, Value};
use std::net::IpAddr;

/// How the requests are grouped.
#[derive(Debug)]
pub(super) enum KeySpec {
    Ip,
    ForwardedIp(ForwardedIp),
    Constant,
    Custom {
        keys: Vec<CustomKey>,
        forwarded: Option<ForwardedIp>,
    },
}

/// One of CUSTOM_KEYS.
#[derive(Debug)]
pub(super) enum CustomKey {
    Header(String, Transforms),
    Cookie(String, Transforms),
    QueryArgument(String, Transforms),
    QueryString(Transforms),
    UriPath(Transforms),
    Method,
    Ip,
    ForwardedIp,
    LabelNamespace(String),
    Ja3,
    Ja4,
    Asn,
}

impl KeySpec {
    pub(super) fn parse(
        obj: &Map<String, Value>,
        forwarded: Option<ForwardedIp>,
        what: &str,
    ) -> Result<KeySpec> {
        let kind = json::req_str(obj, "AggregateKeyType", what)?;
        let custom = json::opt_array(obj, "CustomKeys", what)?;
        if kind != "CUSTOM_KEYS" && !custom.is_empty() {
            return Err(CompileError::invalid(format!(
                "{what}.CustomKeys are only valid with AggregateKeyType CUSTOM_KEYS"
            )));
        }
        match kind {
            "IP" => Ok(KeySpec::Ip),
            "CONSTANT" => Ok(KeySpec::Constant),
            "FORWARDED_IP" => forwarded.map(KeySpec::ForwardedIp).ok_or_else(|| {
                CompileError::invalid(format!(
                    "{what}.ForwardedIPConfig is required with AggregateKeyType FORWARDED_IP"
                ))
            }),
            "CUSTOM_KEYS" => custom_keys(custom, forwarded, what),
            other => Err(CompileError::invalid(format!(
                "{what}.AggregateKeyType has an invalid value: {other}"
            ))),
        }
    }

    /// The request's key: `Ok(None)` when a component is missing (not counted), `Err(m)` when
    /// a forwarded IP is missing (the fallback: `m` is whether the rule matches).
    pub(super) fn build(&self, ctx: &Ctx) -> std::result::Result<Option<Vec<u8>>, bool> {
        match self {
            KeySpec::Ip => Ok(Some(ip_key("ip", ctx.req.client_ip))),
            KeySpec::Constant => Ok(Some(b"constant".to_vec())),
            KeySpec::ForwardedIp(f) => f
                .first(ctx.req)
                .map(|ip| Some(ip_key("forwarded-ip", ip)))
                .ok_or(f.fallback_match()),
            KeySpec::Custom { keys, forwarded } => {
                let mut out = Vec::new();
                for (i, key) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(b';');
                    }
                    if !key.append(ctx, forwarded.as_ref(), &mut out)? {
                        return Ok(None);
                    }
                }
                Ok(Some(out))
            }
        }
    }
}

fn ip_key(name: &str, ip: IpAddr) -> Vec<u8> {
    format!("{name}={}", ip.to_canonical()).into_bytes()
}

fn custom_keys(items: &[Value], forwarded: Option<ForwardedIp>, what: &str) -> Result<KeySpec> {
    if items.is_empty() || items.len() > 5 {
        return Err(CompileError::invalid(format!(
            "{what}.CustomKeys must have 1 to 5 keys"
        )));
    }
    let keys: Vec<CustomKey> = items
        .iter()
        .map(|k| CustomKey::parse(k, what))
        .collect::<Result<_>>()?;
    let ips = keys
        .iter()
        .filter(|k| matches!(k, CustomKey::Ip | CustomKey::ForwardedIp))
        .count();
    if ips > 0 && keys.len() == 1 {
        return Err(CompileError::invalid(format!(
            "{what}.CustomKeys: an IP or forwarded IP key needs at least one other key (use AggregateKeyType IP or FORWARDED_IP alone)"
        )));
    }
    if keys.iter().any(|k| matches!(k, CustomKey::ForwardedIp)) && forwarded.is_none() {
        return Err(CompileError::invalid(format!(
            "{what}.ForwardedIPConfig is required with a ForwardedIP custom key"
        )));
    }
    Ok(KeySpec::Custom { keys, forwarded })
}

impl CustomKey {
    fn parse(value: &Value, what: &str) -> Result<CustomKey> {
        let what = format!("{what}.CustomKeys");
        let (name, spec) = json::union(value, &what)?;
        let inner = format!("{what}.{name}");
        let obj = json::object(spec, &inner)?;
        let tts =
            || Transforms::parse(json::opt_array(obj, "TextTransformations", &inner)?, &inner);
        let named = || json::req_str(obj, "Name", &inner).map(str::to_owned);
        Ok(match name {
            "Header" => CustomKey::Header(named()?, tts()?),
            "Cookie" => CustomKey::Cookie(named()?, tts()?),
            "QueryArgument" => CustomKey::QueryArgument(named()?, tts()?),
            "QueryString" => CustomKey::QueryString(tts()?),
            "UriPath" => CustomKey::UriPath(tts()?),
            "HTTPMethod" => CustomKey::Method,
            "IP" => CustomKey::Ip,
            "ForwardedIP" => CustomKey::ForwardedIp,
            "LabelNamespace" => {
                CustomKey::LabelNamespace(json::req_str(obj, "Namespace", &inner)?.to_owned())
            }
            "JA3Fingerprint" => CustomKey::Ja3,
            "JA4Fingerprint" => CustomKey::Ja4,
            "ASN" => CustomKey::Asn,
            other => {
                return Err(CompileError::invalid(format!(
                    "{what}.{other} is not a valid key"
                )));
            }
        })
    }

    /// Appends `name=value`; `Ok(false)` when the request lacks the component.
    fn append(
        &self,
        ctx: &Ctx,
        forwarded: Option<&ForwardedIp>,
        out: &mut Vec<u8>,
    ) -> std::result::Result<bool, bool> {
        let req = ctx.req;
        let mut put = |name: &str, value: &[u8]| {
            out.extend_from_slice(name.as_bytes());
            out.push(b'=');
            out.extend_from_slice(value);
            true
        };
        Ok(match self {
            CustomKey::Header(n, t) => req
                .first_header(n)
                .is_some_and(|v| put(&format!("header:{n}"), &t.apply(v))),
            CustomKey::Cookie(n, t) => req
                .cookies()
                .find(|(k, _)| *k == n.as_bytes())
                .is_some_and(|(_, v)| put(&format!("cookie:{n}"), &t.apply(v))),
            CustomKey::QueryArgument(n, t) => query_args(req.query.as_bytes())
                .find(|(k, _)| k.eq_ignore_ascii_case(n.as_bytes()))
                .is_some_and(|(_, v)| put(&format!("query:{n}"), &t.apply(v))),
            CustomKey::QueryString(t) => {
                !req.query.is_empty() && put("querystring", &t.apply(req.query.as_bytes()))
            }
            CustomKey::UriPath(t) => put("uripath", &t.apply(req.uri_path.as_bytes())),
            CustomKey::Method => put("method", req.method.as_bytes()),
            CustomKey::Ip => put("ip", req.client_ip.to_canonical().to_string().as_bytes()),
            CustomKey::ForwardedIp => {
                let Some(f) = forwarded else { return Ok(false) };
                let ip = f.first(req).ok_or(f.fallback_match())?;
                put("forwarded-ip", ip.to_canonical().to_string().as_bytes())
            }
            CustomKey::LabelNamespace(ns) => {
                labels_in(ctx, ns).is_some_and(|names| put(&format!("labels:{ns}"), &names))
            }
            CustomKey::Ja3 => req.ja3.as_ref().is_some_and(|v| put("ja3", v.as_bytes())),
            CustomKey::Ja4 => req.ja4.as_ref().is_some_and(|v| put("ja4", v.as_bytes())),
            CustomKey::Asn => {
                // The forwarded address when the statement names a header, as AWS documents.
                let ip = forwarded
                    .and_then(|f| f.first(req))
                    .unwrap_or(req.client_ip);
                ctx.env
                    .asn
                    .asn(ip)
                    .is_some_and(|a| put("asn", a.to_string().as_bytes()))
            }
        })
    }
}

/// The labels added so far in namespace `ns`, sorted and joined with `,`; `None` without any.
fn labels_in(ctx: &Ctx, ns: &str) -> Option<Vec<u8>> {
    let labels = ctx.labels.borrow();
    let mut names: Vec<&str> = labels
        .iter()
        .filter(|l| l.starts_with(ns))
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    (!names.is_empty()).then(|| names.join(",").into_bytes())
}
