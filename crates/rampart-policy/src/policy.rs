//! Policy documents parsed and validated once (IAM's MalformedPolicyDocument messages) into
//! the compiled form requests are evaluated against.

use crate::condition::{self, Condition};
use crate::error::PolicyError;
use crate::pattern::{self, Pattern};
use crate::principal::{self, Entry};
use crate::size::check_charset;
use crate::template::Template;
use serde_json::{Map, Value};

/// Where a policy is attached; decides which elements it may and must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Attached to a user, group or role (no Principal).
    Identity,
    /// Attached to a resource, e.g. a KMS key policy (Principal required).
    Resource,
    /// A role's trust policy (Principal required, STS actions only, no Resource).
    Trust,
    /// A managed policy used as a permissions boundary (no Principal).
    PermissionsBoundary,
    /// A session policy passed to STS (no Principal).
    Session,
}

impl PolicyKind {
    fn takes_principal(self) -> bool {
        matches!(self, PolicyKind::Resource | PolicyKind::Trust)
    }
}

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The statement grants.
    Allow,
    /// The statement denies (overrides any Allow).
    Deny,
}

/// Action/NotAction or Resource/NotResource.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Clause<T> {
    pub(crate) negated: bool,
    pub(crate) items: Vec<T>,
}

/// A Resource value: fixed pattern, or one holding policy variables.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ResourcePattern {
    Fixed(Pattern),
    Vars(Template),
}

/// Principal or NotPrincipal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PrincipalClause {
    Is(Vec<Entry>),
    Not(Vec<Entry>),
}

/// One compiled statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    pub(crate) principal: Option<PrincipalClause>,
    pub(crate) actions: Clause<Pattern>,
    /// None: no Resource element (trust policies): any resource.
    pub(crate) resources: Option<Clause<ResourcePattern>>,
    pub(crate) conditions: Vec<Condition>,
}

/// A parsed, validated, compiled policy document. Parse once, evaluate many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    kind: PolicyKind,
    id: Option<String>,
    pub(crate) statements: Vec<Statement>,
    /// Whether any statement has a Condition or a policy variable in its Resource: only then
    /// does evaluation read the request's condition keys.
    reads_context: bool,
}

impl Statement {
    fn reads_context(&self) -> bool {
        let variables = self.resources.as_ref().is_some_and(|clause| {
            clause
                .items
                .iter()
                .any(|item| matches!(item, ResourcePattern::Vars(_)))
        });
        !self.conditions.is_empty() || variables
    }
}

const TOP_FIELDS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_FIELDS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

impl Policy {
    /// Parses and validates `json` as a policy of `kind`.
    pub fn parse(json: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
        check_charset(json)?;
        let doc: Value = serde_json::from_str(json).map_err(|_| PolicyError::syntax())?;
        let top = doc.as_object().ok_or_else(PolicyError::syntax)?;
        known_fields(top, &TOP_FIELDS)?;
        let vars = match top.get("Version") {
            None => false,
            Some(Value::String(v)) if v == "2012-10-17" => true,
            Some(Value::String(v)) if v == "2008-10-17" => false,
            Some(_) => return Err(PolicyError::syntax()),
        };
        let id = match top.get("Id") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(PolicyError::syntax()),
        };
        let items = match top.get("Statement") {
            Some(Value::Array(items)) if !items.is_empty() => items.iter().collect(),
            Some(one @ Value::Object(_)) => vec![one],
            Some(Value::Array(_)) | None => {
                return Err(PolicyError::malformed("Missing required field Statement"));
            }
            Some(_) => return Err(PolicyError::syntax()),
        };
        let statements = items
            .into_iter()
            .map(|s| statement(s, kind, vars))
            .collect::<Result<Vec<_>, _>>()?;
        check_sids(&statements, kind)?;
        Ok(Policy {
            kind,
            id,
            reads_context: statements.iter().any(Statement::reads_context),
            statements,
        })
    }

    /// Whether evaluating this policy can read the request's condition keys (it has a
    /// Condition or a policy variable). When no policy of a request does, the request's
    /// context need not be built: every decision is the same with an empty one.
    pub fn reads_context(&self) -> bool {
        self.reads_context
    }

    /// The kind the policy was parsed as.
    pub fn kind(&self) -> PolicyKind {
        self.kind
    }

    /// The document's Id element.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// Number of statements.
    pub fn statement_count(&self) -> usize {
        self.statements.len()
    }

    /// Sid of statement `index`.
    pub fn sid(&self, index: usize) -> Option<&str> {
        self.statements.get(index)?.sid.as_deref()
    }
}

fn known_fields(map: &Map<String, Value>, known: &[&str]) -> Result<(), PolicyError> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(PolicyError::malformed(format!("Unknown field {k}"))),
        None => Ok(()),
    }
}

/// One of two mutually exclusive elements (both present is a syntax error).
fn either<'v>(
    map: &'v Map<String, Value>,
    plain: &str,
    not: &str,
) -> Result<Option<(bool, &'v Value)>, PolicyError> {
    match (map.get(plain), map.get(not)) {
        (Some(_), Some(_)) => Err(PolicyError::syntax()),
        (Some(v), None) => Ok(Some((false, v))),
        (None, Some(v)) => Ok(Some((true, v))),
        (None, None) => Ok(None),
    }
}

fn string_list(v: &Value) -> Result<Vec<&str>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().ok_or_else(PolicyError::syntax))
            .collect(),
        _ => Err(PolicyError::syntax()),
    }
}

fn statement(v: &Value, kind: PolicyKind, vars: bool) -> Result<Statement, PolicyError> {
    let map = v.as_object().ok_or_else(PolicyError::syntax)?;
    known_fields(map, &STATEMENT_FIELDS)?;
    let sid = match map.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(PolicyError::syntax()),
    };
    let effect = match map.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(_) => return Err(PolicyError::malformed("The policy failed legacy parsing")),
        None => return Err(PolicyError::malformed("Missing required field Effect")),
    };
    Ok(Statement {
        sid,
        effect,
        principal: principal_clause(map, kind)?,
        actions: actions(map, kind)?,
        resources: resources(map, kind, vars)?,
        conditions: match map.get("Condition") {
            Some(c) => condition::parse_block(c, vars)?,
            None => Vec::new(),
        },
    })
}

fn principal_clause(
    map: &Map<String, Value>,
    kind: PolicyKind,
) -> Result<Option<PrincipalClause>, PolicyError> {
    let found = either(map, "Principal", "NotPrincipal")?;
    match (found, kind.takes_principal()) {
        (Some(_), false) => Err(PolicyError::malformed(
            "Policy document should not specify a principal.",
        )),
        (None, true) => Err(PolicyError::malformed("Missing required field Principal")),
        (None, false) => Ok(None),
        (Some((false, v)), true) => Ok(Some(PrincipalClause::Is(principal::parse(v)?))),
        (Some((true, v)), true) => Ok(Some(PrincipalClause::Not(principal::parse(v)?))),
    }
}

fn actions(map: &Map<String, Value>, kind: PolicyKind) -> Result<Clause<Pattern>, PolicyError> {
    let missing = || PolicyError::malformed("Policy statement must contain actions.");
    let (negated, v) = either(map, "Action", "NotAction")?.ok_or_else(missing)?;
    let list = string_list(v)?;
    if list.is_empty() {
        return Err(missing());
    }
    let mut items = Vec::with_capacity(list.len());
    for a in list {
        check_action(a)?;
        let sts = a == "*" || a.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("sts:"));
        if kind == PolicyKind::Trust && !sts {
            return Err(PolicyError::malformed(
                "AssumeRole policy may only specify STS AssumeRole actions.",
            ));
        }
        items.push(Pattern::parse(a));
    }
    Ok(Clause { negated, items })
}

fn check_action(a: &str) -> Result<(), PolicyError> {
    if a == "*" {
        return Ok(());
    }
    match a.split_once(':') {
        Some((vendor, name)) if !vendor.is_empty() && !name.is_empty() => {
            if name.contains(':') {
                Err(PolicyError::malformed(
                    "Actions/Condition can contain only one colon.",
                ))
            } else {
                Ok(())
            }
        }
        _ => Err(PolicyError::malformed(
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        )),
    }
}

fn resources(
    map: &Map<String, Value>,
    kind: PolicyKind,
    vars: bool,
) -> Result<Option<Clause<ResourcePattern>>, PolicyError> {
    let missing = || PolicyError::malformed("Policy statement must contain resources.");
    let found = either(map, "Resource", "NotResource")?;
    let (negated, v) = match (found, kind) {
        (Some((negated, _)), PolicyKind::Trust) => {
            let field = if negated { "NotResource" } else { "Resource" };
            return Err(PolicyError::malformed(format!(
                "Has prohibited field {field}"
            )));
        }
        (None, PolicyKind::Trust) => return Ok(None),
        (None, _) => return Err(missing()),
        (Some(found), _) => found,
    };
    let list = string_list(v)?;
    if list.is_empty() {
        return Err(missing());
    }
    let items = list
        .into_iter()
        .map(|r| resource_pattern(r, vars))
        .collect::<Result<_, _>>()?;
    Ok(Some(Clause { negated, items }))
}

fn resource_pattern(r: &str, vars: bool) -> Result<ResourcePattern, PolicyError> {
    let arn_like = r.starts_with("arn:") && (r.matches(':').count() >= 5 || r.contains('*'));
    if r != "*" && !arn_like {
        return Err(PolicyError::malformed(format!(
            "Resource {r} must be in ARN format or \"*\"."
        )));
    }
    if let Some(t) = vars.then(|| Template::parse(r)).flatten() {
        return Ok(ResourcePattern::Vars(t));
    }
    let mut toks = Vec::with_capacity(r.len());
    pattern::tokens(r, &mut toks);
    pattern::restrict_to_segments(&mut toks);
    Ok(ResourcePattern::Fixed(Pattern::from_tokens(toks)))
}

/// IAM's Sid rules for identity-side policies: alphanumeric and unique.
fn check_sids(statements: &[Statement], kind: PolicyKind) -> Result<(), PolicyError> {
    if kind.takes_principal() {
        return Ok(());
    }
    let sids: Vec<&str> = statements.iter().filter_map(|s| s.sid.as_deref()).collect();
    if sids
        .iter()
        .any(|s| !s.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(PolicyError::malformed(
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the \
             regular expression [0-9A-Za-z]*",
        ));
    }
    let mut sorted: Vec<&str> = sids.into_iter().filter(|s| !s.is_empty()).collect();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(PolicyError::malformed(
            "Statement IDs (SID) in a single policy must be unique.",
        ));
    }
    Ok(())
}
