//! Which API, stage, resource and method a request invokes. The API comes from the host
//! (`<api-id>.execute-api.<region>.<domain>`, the stage the first path segment) or from the
//! path (`/restapis/<api-id>/<stage>/_user_request_/<path>`); the resource is the one whose
//! path matches most specifically, segment by segment literal before `{param}` before
//! `{param+}`; the method the request's, else `ANY`.

use crate::edge::snapshot::DomainView;
use crate::record::{MethodRecord, ResourceRecord};

/// Where a request goes before resource matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub api_id: String,
    pub stage: String,
    /// The resource path asked for, starting with `/`.
    pub path: String,
    /// Whether a custom domain name's base path mapping chose it.
    pub custom: bool,
}

/// A matched resource and method with the path parameters.
#[derive(Debug)]
pub struct Matched<'a> {
    pub resource: &'a ResourceRecord,
    pub method: &'a MethodRecord,
    pub path_params: Params,
}

/// The target named by `host` and `path`, if any.
pub fn target(host: Option<&str>, path: &str) -> Option<Target> {
    if let Some(rest) = path.strip_prefix("/restapis/") {
        let (api_id, rest) = rest.split_once('/')?;
        let (stage, rest) = rest.split_once('/')?;
        let user = rest.strip_prefix("_user_request_")?;
        if !user.is_empty() && !user.starts_with('/') {
            return None;
        }
        return Some(Target {
            api_id: api_id.to_owned(),
            stage: stage.to_owned(),
            path: if user.is_empty() {
                "/".into()
            } else {
                user.to_owned()
            },
            custom: false,
        });
    }
    stage_target(execute_api_label(host?)?, path)
}

/// The first label of an `execute-api` host (`<label>.execute-api.<region>.<domain>`).
pub fn execute_api_label(host: &str) -> Option<&str> {
    let name = host.split(':').next()?;
    let (label, rest) = name.split_once('.')?;
    rest.starts_with("execute-api.").then_some(label)
}

/// The target of API `api_id` at `path`, whose first segment names the stage.
pub fn stage_target(api_id: &str, path: &str) -> Option<Target> {
    let trimmed = path.trim_start_matches('/');
    let (stage, user) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    (!stage.is_empty() && !api_id.is_empty()).then(|| Target {
        api_id: api_id.to_ascii_lowercase(),
        stage: stage.to_owned(),
        path: format!("/{user}"),
        custom: false,
    })
}

/// The target a request to custom domain `domain` at `path` invokes: the mapping whose base
/// path is the longest whole-segment prefix of the path (`(none)` matching any), the stage
/// the mapping's, else the first remaining segment.
pub fn custom_target(domain: &DomainView, path: &str) -> Option<Target> {
    let trimmed = path.trim_start_matches('/');
    let (_, api, stage, rest) = domain
        .mappings
        .iter()
        .filter_map(|(base, api, stage)| {
            let rest = if base.is_empty() {
                trimmed
            } else {
                let rest = trimmed.strip_prefix(base.as_str())?;
                if !rest.is_empty() && !rest.starts_with('/') {
                    return None;
                }
                rest.trim_start_matches('/')
            };
            Some((base, api, stage, rest))
        })
        .max_by_key(|(base, ..)| base.len())?;
    let (stage, user) = if stage.is_empty() {
        let (s, u) = rest.split_once('/').unwrap_or((rest, ""));
        (s.to_owned(), u)
    } else {
        (stage.clone(), rest)
    };
    (!stage.is_empty()).then(|| Target {
        api_id: api.clone(),
        stage,
        path: format!("/{user}"),
        custom: true,
    })
}

/// Path parameters by name, in path order.
type Params = Vec<(String, String)>;

/// How specifically a resource path part matched a segment (lower is more specific).
fn rank(part: &str) -> u8 {
    if part.starts_with('{') && part.ends_with("+}") {
        2
    } else if part.starts_with('{') && part.ends_with('}') {
        1
    } else {
        0
    }
}

/// The ranks and parameters of `resource` matching `segments`, if it does.
fn try_match(resource: &ResourceRecord, segments: &[&str]) -> Option<(Vec<u8>, Params)> {
    let parts: Vec<&str> = resource.path.split('/').filter(|p| !p.is_empty()).collect();
    let mut ranks = Vec::with_capacity(parts.len());
    let mut params = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let r = rank(part);
        ranks.push(r);
        match r {
            2 => {
                let rest = segments.get(i..).filter(|s| !s.is_empty())?;
                let name = &part[1..part.len() - 2];
                params.push((name.to_owned(), rest.join("/")));
                return (i + 1 == parts.len()).then_some((ranks, params));
            }
            1 => {
                let seg = segments.get(i).filter(|s| !s.is_empty())?;
                params.push((part[1..part.len() - 1].to_owned(), (*seg).to_owned()));
            }
            _ => {
                if segments.get(i) != Some(part) {
                    return None;
                }
            }
        }
    }
    (parts.len() == segments.len()).then_some((ranks, params))
}

/// The resource and method `method` of `resources` that `path` invokes.
pub fn find<'a>(resources: &'a [ResourceRecord], method: &str, path: &str) -> Option<Matched<'a>> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (resource, _, params) = resources
        .iter()
        .filter_map(|r| try_match(r, &segments).map(|(ranks, params)| (r, ranks, params)))
        .min_by(|a, b| a.1.cmp(&b.1))?;
    let chosen = resource
        .methods
        .get(method)
        .or_else(|| resource.methods.get("ANY"))?;
    Some(Matched {
        resource,
        method: chosen,
        path_params: params,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn resource(path: &str, methods: &[&str]) -> ResourceRecord {
        let methods = methods
            .iter()
            .map(|m| {
                let record = MethodRecord {
                    http_method: (*m).into(),
                    authorization_type: "NONE".into(),
                    authorizer_id: None,
                    api_key_required: false,
                    operation_name: None,
                    request_validator_id: None,
                    request_parameters: BTreeMap::new(),
                    request_models: BTreeMap::new(),
                    responses: BTreeMap::new(),
                    integration: None,
                };
                ((*m).to_owned(), record)
            })
            .collect();
        ResourceRecord {
            id: path.into(),
            parent_id: None,
            path_part: None,
            path: path.into(),
            methods,
        }
    }

    #[test]
    fn targets_come_from_the_path_or_the_host() {
        let t = target(None, "/restapis/abc123defg/prod/_user_request_/a/b").unwrap();
        assert_eq!(
            (t.api_id.as_str(), t.stage.as_str(), t.path.as_str()),
            ("abc123defg", "prod", "/a/b")
        );
        let t = target(None, "/restapis/abc123defg/prod/_user_request_").unwrap();
        assert_eq!(t.path, "/");
        let t = target(
            Some("abc123defg.execute-api.us-east-1.localhost:4510"),
            "/prod/x",
        )
        .unwrap();
        assert_eq!(
            (t.api_id.as_str(), t.stage.as_str(), t.path.as_str()),
            ("abc123defg", "prod", "/x")
        );
        assert!(target(Some("example.com"), "/prod/x").is_none());
        assert!(target(None, "/restapis/a/b/other/x").is_none());
    }

    #[test]
    fn custom_domains_route_by_the_longest_base_path() {
        let domain = DomainView {
            name: "api.example.test".into(),
            certificate_arn: None,
            truststore: None,
            mappings: vec![
                (String::new(), "rootapi".into(), String::new()),
                ("v1".into(), "v1api".into(), "prod".into()),
                ("v1/admin".into(), "adminapi".into(), "live".into()),
            ],
        };
        let t = custom_target(&domain, "/v1/pets/7").unwrap();
        assert_eq!(
            (t.api_id.as_str(), t.stage.as_str(), t.path.as_str()),
            ("v1api", "prod", "/pets/7")
        );
        assert!(t.custom);
        let t = custom_target(&domain, "/v1/admin").unwrap();
        assert_eq!(
            (t.api_id.as_str(), t.stage.as_str(), t.path.as_str()),
            ("adminapi", "live", "/")
        );
        // `(none)` without a stage: the first segment names it; `v1x` is no `v1` prefix.
        let t = custom_target(&domain, "/v1x/a").unwrap();
        assert_eq!(
            (t.api_id.as_str(), t.stage.as_str(), t.path.as_str()),
            ("rootapi", "v1x", "/a")
        );
        assert!(custom_target(&domain, "/").is_none());
    }

    #[test]
    fn literal_beats_param_beats_greedy() {
        let resources = vec![
            resource("/", &["GET"]),
            resource("/pets", &["GET"]),
            resource("/pets/{id}", &["GET"]),
            resource("/pets/mine", &["ANY"]),
            resource("/{proxy+}", &["ANY"]),
        ];
        assert_eq!(find(&resources, "GET", "/").unwrap().resource.path, "/");
        assert_eq!(
            find(&resources, "GET", "/pets/mine").unwrap().resource.path,
            "/pets/mine"
        );
        let m = find(&resources, "GET", "/pets/7").unwrap();
        assert_eq!(m.resource.path, "/pets/{id}");
        assert_eq!(m.path_params, vec![("id".to_owned(), "7".to_owned())]);
        let m = find(&resources, "POST", "/a/b/c").unwrap();
        assert_eq!(m.resource.path, "/{proxy+}");
        assert_eq!(
            m.path_params,
            vec![("proxy".to_owned(), "a/b/c".to_owned())]
        );
        // The most specific resource has no such method: no fallback to a less specific one.
        assert!(find(&resources, "POST", "/pets").is_none());
    }
}
