//! SimulateCustomPolicy and SimulatePrincipalPolicy on Rampart's own policy engine
//! (`rampart_policy::evaluate_detailed`, the evaluation every request goes through): one
//! EvaluationResult per action and resource (`*` when no ResourceArns), `allowed`,
//! `explicitDeny` or `implicitDeny`, the deciding statement as MatchedStatements (the engine
//! names one statement: the first explicit deny, or the allow that decided), and whether a
//! permissions boundary allows the action. Context entries become condition keys.
//! MissingContextValues is always empty (the engine does not report unresolved keys), and
//! statement positions are not given. Malformed input policies answer InvalidInput with the
//! parser's reason.

use super::common::{page, required, store_failure};
use super::entity::Keys;
use crate::IamService;
use crate::generated::enums::{PolicyEvaluationDecisionType, PolicySourceType};
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{SimulateCustomPolicy, SimulatePrincipalPolicy};
use crate::records::{GroupRecord, RoleRecord, UserRecord};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::{
    Context, Decision, Policy, PolicyKind, PolicySet, PolicySource, Principal, Request,
    evaluate_detailed,
};

/// One identity-based policy of a simulation, with how MatchedStatements names it.
pub(super) struct Source {
    id: String,
    kind: PolicySourceType,
    policy: Policy,
    /// The document as written.
    pub(super) document: String,
}

/// What a simulation evaluates against.
struct Simulation {
    identity: Vec<Source>,
    boundary: Option<Policy>,
    resource: Option<Policy>,
    principal: Principal,
    context: Context,
    owner: String,
}

/// The paging and targets of a request.
struct Targets {
    actions: Vec<String>,
    resources: Vec<String>,
    marker: Option<String>,
    max_items: Option<i32>,
}

impl SimulateCustomPolicy for IamService {
    async fn simulate_custom_policy(
        &self,
        ctx: &RequestContext,
        input: SimulateCustomPolicyRequest,
    ) -> Result<SimulatePolicyResponse, ServiceError> {
        self.authorize(ctx, "iam:SimulateCustomPolicy", "*")?;
        let account = ctx.account().to_string();
        let given = required(input.policy_input_list, "policyInputList")?;
        let identity = input_sources(&given)?;
        let sim = Simulation {
            identity,
            boundary: first_boundary(input.permissions_boundary_policy_input_list)?,
            resource: resource_policy(input.resource_policy)?,
            principal: caller(&account, input.caller_arn.as_deref()),
            context: context_of(input.context_entries),
            owner: owner_of(&account, input.resource_owner.as_deref()),
        };
        let targets = Targets {
            actions: required(input.action_names, "actionNames")?,
            resources: input.resource_arns.unwrap_or_default(),
            marker: input.marker,
            max_items: input.max_items,
        };
        sim.run(targets)
    }
}

impl SimulatePrincipalPolicy for IamService {
    async fn simulate_principal_policy(
        &self,
        ctx: &RequestContext,
        input: SimulatePrincipalPolicyRequest,
    ) -> Result<SimulatePolicyResponse, ServiceError> {
        let arn = required(input.policy_source_arn, "policySourceArn")?;
        let account = ctx.account().to_string();
        let excluded = excluded_ids(input.policy_exclusion_list.unwrap_or_default());
        let (mut identity, boundary, principal) = self
            .principal_sources(ctx, "iam:SimulatePrincipalPolicy", &arn, &excluded)
            .await?;
        identity.extend(input_sources(&input.policy_input_list.unwrap_or_default())?);
        let boundary = match first_boundary(input.permissions_boundary_policy_input_list)? {
            Some(given) => Some(given),
            None => boundary,
        };
        let principal = match input.caller_arn.as_deref() {
            Some(arn) => caller(&account, Some(arn)),
            None => principal,
        };
        let sim = Simulation {
            identity,
            boundary,
            resource: resource_policy(input.resource_policy)?,
            principal,
            context: context_of(input.context_entries),
            owner: owner_of(&account, input.resource_owner.as_deref()),
        };
        let targets = Targets {
            actions: required(input.action_names, "actionNames")?,
            resources: input.resource_arns.unwrap_or_default(),
            marker: input.marker,
            max_items: input.max_items,
        };
        sim.run(targets)
    }
}

pub(super) type Sources = (Vec<Source>, Option<Policy>, Principal);

impl IamService {
    /// The policies of the user, group or role `arn` (a user's groups' policies too), its
    /// boundary and the principal it acts as, after authorizing `action` on it.
    pub(super) async fn principal_sources(
        &self,
        ctx: &RequestContext,
        action: &str,
        arn: &str,
        excluded: &[String],
    ) -> Result<Sources, ServiceError> {
        let resource = arn.split_once(":user/").map(|_| "user");
        let kind = resource
            .or_else(|| arn.split_once(":group/").map(|_| "group"))
            .or_else(|| arn.split_once(":role/").map(|_| "role"))
            .ok_or_else(|| invalid(format!("Invalid ARN {arn}: not a user, group or role.")))?;
        let name = arn.rsplit('/').next().unwrap_or_default();
        match kind {
            "user" => {
                let user = self.existing::<UserRecord>(ctx, action, name, Keys::Plain);
                self.user_sources(ctx, &user.await?.value, excluded).await
            }
            "group" => {
                let group = self.existing::<GroupRecord>(ctx, action, name, Keys::Plain);
                let out = self.group_sources(&group.await?.value, excluded).await?;
                Ok((out, None, Principal::user(ctx.account().as_str(), "", "")))
            }
            _ => {
                let role = self.existing::<RoleRecord>(ctx, action, name, Keys::Plain);
                self.role_sources(ctx, &role.await?.value, excluded).await
            }
        }
    }

    /// A user's own and groups' policies, its boundary, and the user as principal.
    async fn user_sources(
        &self,
        ctx: &RequestContext,
        user: &UserRecord,
        excluded: &[String],
    ) -> Result<Sources, ServiceError> {
        let mut out = self.entity_sources(&user.inline_policies, "user", excluded);
        let attached = self.managed_sources(&user.attached_policies, excluded);
        out.extend(attached.await?);
        for group in &user.groups {
            if let Some(g) = self.find::<GroupRecord>(ctx, group).await? {
                out.extend(self.group_sources(&g.value, excluded).await?);
            }
        }
        let boundary = self.simulated_boundary(user.boundary_arn.as_deref());
        let boundary = boundary.await?;
        let account = ctx.account().as_str();
        let mut principal = Principal::user(account, &user.name, &user.user_id);
        principal.arn = user.arn();
        principal.tags = tag_map(&user.tags);
        Ok((out, boundary, principal))
    }

    /// A role's policies, its boundary, and a session of the role as principal.
    async fn role_sources(
        &self,
        ctx: &RequestContext,
        role: &RoleRecord,
        excluded: &[String],
    ) -> Result<Sources, ServiceError> {
        let mut out = self.entity_sources(&role.inline_policies, "role", excluded);
        let attached = self.managed_sources(&role.attached_policies, excluded);
        out.extend(attached.await?);
        let boundary = self.simulated_boundary(role.boundary_arn.as_deref());
        let boundary = boundary.await?;
        let session = "SimulatePrincipalPolicy";
        let account = ctx.account().as_str();
        let mut principal = Principal::assumed_role(account, &role.name, session, &role.role_id);
        principal.tags = tag_map(&role.tags);
        Ok((out, boundary, principal))
    }

    fn entity_sources(
        &self,
        inline: &crate::records::InlinePolicies,
        kind: &str,
        excluded: &[String],
    ) -> Vec<Source> {
        let kind = PolicySourceType::from(kind);
        inline
            .iter()
            .filter(|(name, _)| !excluded.contains(name))
            .filter_map(|(name, doc)| {
                let policy = Policy::parse(doc, PolicyKind::Identity).ok()?;
                Some(Source {
                    id: name.clone(),
                    kind: kind.clone(),
                    policy,
                    document: doc.clone(),
                })
            })
            .collect()
    }

    async fn group_sources(
        &self,
        group: &GroupRecord,
        excluded: &[String],
    ) -> Result<Vec<Source>, ServiceError> {
        let mut out = self.entity_sources(&group.inline_policies, "group", excluded);
        out.extend(
            self.managed_sources(&group.attached_policies, excluded)
                .await?,
        );
        Ok(out)
    }

    /// The attached managed policies not in `excluded` (by ARN).
    async fn managed_sources(
        &self,
        arns: &[String],
        excluded: &[String],
    ) -> Result<Vec<Source>, ServiceError> {
        let mut out = Vec::new();
        for arn in arns.iter().filter(|a| !excluded.contains(a)) {
            let doc = self
                .dir
                .managed_document(arn)
                .await
                .map_err(store_failure)?;
            let Some(doc) = doc else { continue };
            let Ok(policy) = Policy::parse(&doc, PolicyKind::Identity) else {
                continue;
            };
            let aws = arn.starts_with("arn:aws:iam::aws:policy");
            out.push(Source {
                id: arn.rsplit('/').next().unwrap_or_default().to_owned(),
                kind: PolicySourceType::from(if aws { "aws-managed" } else { "user-managed" }),
                policy,
                document: doc,
            });
        }
        Ok(out)
    }

    async fn simulated_boundary(&self, arn: Option<&str>) -> Result<Option<Policy>, ServiceError> {
        let Some(arn) = arn else { return Ok(None) };
        let doc = self
            .dir
            .managed_document(arn)
            .await
            .map_err(store_failure)?;
        Ok(doc.and_then(|d| Policy::parse(&d, PolicyKind::PermissionsBoundary).ok()))
    }
}

impl Simulation {
    /// One result per action and resource, paged.
    fn run(&self, targets: Targets) -> Result<SimulatePolicyResponse, ServiceError> {
        let resources = if targets.resources.is_empty() {
            vec![String::from("*")]
        } else {
            targets.resources
        };
        let mut results = Vec::new();
        for action in &targets.actions {
            for resource in &resources {
                results.push(self.evaluate(action, resource));
            }
        }
        let keyed: Vec<(String, EvaluationResult)> = results
            .into_iter()
            .enumerate()
            .map(|(i, r)| (format!("{i:08}"), r))
            .collect();
        let out = page(
            keyed,
            targets.marker.as_deref(),
            targets.max_items,
            |(k, _)| k.clone(),
        )?;
        Ok(SimulatePolicyResponse {
            evaluation_results: Some(out.items.into_iter().map(|(_, r)| r).collect()),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }

    fn evaluate(&self, action: &str, resource: &str) -> EvaluationResult {
        let identity: Vec<&Policy> = self.identity.iter().map(|s| &s.policy).collect();
        let set = PolicySet {
            identity: &identity,
            resource: self.resource.as_ref(),
            boundary: self.boundary.as_ref(),
            session: &[],
            require_resource_allow: false,
        };
        let req = Request {
            principal: &self.principal,
            action,
            resource,
            resource_account: &self.owner,
            context: &self.context,
        };
        let eval = evaluate_detailed(&req, &set);
        let matched = eval.statement.map(|s| match s.source {
            PolicySource::Identity(i) => {
                statement(&self.identity[i].id, self.identity[i].kind.clone())
            }
            PolicySource::Resource => statement("ResourcePolicy", PolicySourceType::Resource),
            PolicySource::PermissionsBoundary => {
                statement("PermissionsBoundaryPolicy", PolicySourceType::None)
            }
            PolicySource::Session(_) => statement("SessionPolicy", PolicySourceType::None),
        });
        let boundary = self.boundary.as_ref().map(|b| {
            let only = [b];
            let alone = PolicySet {
                identity: &only,
                ..PolicySet::default()
            };
            PermissionsBoundaryDecisionDetail {
                allowed_by_permissions_boundary: Some(
                    evaluate_detailed(&req, &alone).decision == Decision::Allow,
                ),
            }
        });
        EvaluationResult {
            eval_action_name: Some(action.to_owned()),
            eval_resource_name: Some(resource.to_owned()),
            eval_decision: Some(decision_out(eval.decision)),
            matched_statements: Some(matched.into_iter().collect()),
            missing_context_values: Some(Vec::new()),
            permissions_boundary_decision_detail: boundary,
            ..EvaluationResult::default()
        }
    }
}

fn statement(id: &str, kind: PolicySourceType) -> Statement {
    Statement {
        source_policy_id: Some(id.to_owned()),
        source_policy_type: Some(kind),
        ..Statement::default()
    }
}

fn decision_out(decision: Decision) -> PolicyEvaluationDecisionType {
    match decision {
        Decision::Allow => PolicyEvaluationDecisionType::Allowed,
        Decision::ExplicitDeny => PolicyEvaluationDecisionType::ExplicitDeny,
        Decision::ImplicitDeny => PolicyEvaluationDecisionType::ImplicitDeny,
    }
}

fn invalid(message: String) -> ServiceError {
    errors::invalid_input_exception(message)
}

fn parse(doc: &str, kind: PolicyKind) -> Result<Policy, ServiceError> {
    Policy::parse(doc, kind).map_err(|e| invalid(e.message))
}

/// The request's PolicyInputList, named `PolicyInputList.<n>` as AWS names them.
pub(super) fn input_sources(given: &[String]) -> Result<Vec<Source>, ServiceError> {
    given
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            Ok(Source {
                id: format!("PolicyInputList.{}", i + 1),
                kind: PolicySourceType::None,
                policy: parse(doc, PolicyKind::Identity)?,
                document: doc.clone(),
            })
        })
        .collect()
}

fn first_boundary(given: Option<Vec<String>>) -> Result<Option<Policy>, ServiceError> {
    match given.unwrap_or_default().first() {
        Some(doc) => parse(doc, PolicyKind::PermissionsBoundary).map(Some),
        None => Ok(None),
    }
}

fn resource_policy(given: Option<String>) -> Result<Option<Policy>, ServiceError> {
    given
        .map(|doc| parse(&doc, PolicyKind::Resource))
        .transpose()
}

/// The principal a simulation acts as: the user CallerArn names, else an IAM user of the
/// caller's account without a name.
fn caller(account: &str, arn: Option<&str>) -> Principal {
    let Some(arn) = arn else {
        return Principal::user(account, "", "");
    };
    let owner = arn.split(':').nth(4).unwrap_or(account);
    let name = arn.rsplit('/').next().unwrap_or_default();
    let mut principal = Principal::user(owner, name, "");
    principal.arn = arn.to_owned();
    principal
}

/// The account of ResourceOwner (an account root ARN or an account id), else the caller's.
fn owner_of(account: &str, owner: Option<&str>) -> String {
    match owner {
        Some(o) if o.starts_with("arn:") => o.split(':').nth(4).unwrap_or(account).to_owned(),
        Some(o) => o.to_owned(),
        None => account.to_owned(),
    }
}

fn context_of(entries: Option<Vec<ContextEntry>>) -> Context {
    let mut context = Context::new();
    for entry in entries.unwrap_or_default() {
        if let Some(name) = entry.context_key_name {
            context.set_values(&name, entry.context_key_values.unwrap_or_default());
        }
    }
    context
}

/// PolicyExclusionList as the names (inline) and ARNs (managed) it leaves out.
fn excluded_ids(list: Vec<PolicyIdentifier>) -> Vec<String> {
    list.into_iter()
        .filter_map(|p| {
            p.policy_arn
                .or_else(|| p.inline_policy_identifier.and_then(|i| i.attachment_name))
        })
        .collect()
}

fn tag_map(tags: &[crate::records::TagRecord]) -> std::collections::BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}
