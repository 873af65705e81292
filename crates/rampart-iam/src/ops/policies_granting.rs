//! ListPoliciesGrantingServiceAccess: for each service namespace asked about, the permissions
//! policies of a user (its own and its groups'), group or role that allow some action of the
//! service (`access_advisor::grants`). Inline policies name the entity they are embedded in
//! (`EntityType`, `EntityName`); managed ones carry their ARN instead. Namespaces are
//! answered in the order given, paged by Marker (100 per page).

use super::access_advisor::entity_arn_parts;
use super::common::{page, required, store_failure};
use super::entity::Keys;
use crate::IamService;
use crate::access_advisor::grants::Grants;
use crate::generated::ListPoliciesGrantingServiceAccess;
use crate::generated::enums::{PolicyOwnerEntityType, PolicyType};
use crate::generated::shapes::*;
use crate::records::{GroupRecord, InlinePolicies, RoleRecord, UserRecord};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;

const ACTION: &str = "iam:ListPoliciesGrantingServiceAccess";

/// One policy that may grant access, with what it grants.
struct Candidate {
    out: PolicyGrantingServiceAccess,
    grants: Grants,
}

impl ListPoliciesGrantingServiceAccess for IamService {
    async fn list_policies_granting_service_access(
        &self,
        ctx: &RequestContext,
        input: ListPoliciesGrantingServiceAccessRequest,
    ) -> Result<ListPoliciesGrantingServiceAccessResponse, ServiceError> {
        let arn = required(input.arn, "arn")?;
        let namespaces = required(input.service_namespaces, "serviceNamespaces")?;
        let candidates = self.granting_candidates(ctx, &arn).await?;
        let entries: Vec<(String, ListPoliciesGrantingServiceAccessEntry)> = namespaces
            .into_iter()
            .enumerate()
            .map(|(i, ns)| (format!("{i:04}"), entry(&candidates, ns)))
            .collect();
        let paged = page(entries, input.marker.as_deref(), None, |e| e.0.clone())?;
        Ok(ListPoliciesGrantingServiceAccessResponse {
            policies_granting_service_access: Some(paged.items.into_iter().map(|e| e.1).collect()),
            is_truncated: Some(paged.is_truncated),
            marker: paged.marker,
        })
    }
}

impl IamService {
    /// The policies of the user, group or role `arn`, after authorizing the caller.
    async fn granting_candidates(
        &self,
        ctx: &RequestContext,
        arn: &str,
    ) -> Result<Vec<Candidate>, ServiceError> {
        let (kind, name) = entity_arn_parts(ctx.account().as_str(), arn, false)?;
        match kind {
            "user" => {
                let user = self.existing::<UserRecord>(ctx, ACTION, name, Keys::Plain);
                let user = user.await?.value;
                let mut out = inline_candidates(&user.inline_policies, "USER", &user.name);
                out.extend(self.managed_candidates(&user.attached_policies).await?);
                for group in &user.groups {
                    if let Some(g) = self.find::<GroupRecord>(ctx, group).await? {
                        out.extend(self.group_candidates(&g.value).await?);
                    }
                }
                Ok(out)
            }
            "group" => {
                let group = self.existing::<GroupRecord>(ctx, ACTION, name, Keys::Plain);
                self.group_candidates(&group.await?.value).await
            }
            _ => {
                let role = self.existing::<RoleRecord>(ctx, ACTION, name, Keys::Plain);
                let role = role.await?.value;
                let mut out = inline_candidates(&role.inline_policies, "ROLE", &role.name);
                out.extend(self.managed_candidates(&role.attached_policies).await?);
                Ok(out)
            }
        }
    }

    async fn group_candidates(&self, group: &GroupRecord) -> Result<Vec<Candidate>, ServiceError> {
        let mut out = inline_candidates(&group.inline_policies, "GROUP", &group.name);
        out.extend(self.managed_candidates(&group.attached_policies).await?);
        Ok(out)
    }

    /// The attached managed policies (one that no longer exists is skipped).
    async fn managed_candidates(&self, arns: &[String]) -> Result<Vec<Candidate>, ServiceError> {
        let mut out = Vec::with_capacity(arns.len());
        for arn in arns {
            let found = self.dir.managed_document(arn).await;
            let Some(doc) = found.map_err(store_failure)? else {
                continue;
            };
            out.push(Candidate {
                out: PolicyGrantingServiceAccess {
                    policy_name: arn.rsplit('/').next().map(str::to_owned),
                    policy_type: Some(PolicyType::Managed),
                    policy_arn: Some(arn.clone()),
                    entity_type: None,
                    entity_name: None,
                },
                grants: Grants::of([doc.as_str()]),
            });
        }
        Ok(out)
    }
}

fn inline_candidates(policies: &InlinePolicies, kind: &str, entity: &str) -> Vec<Candidate> {
    policies
        .iter()
        .map(|(name, doc)| Candidate {
            out: PolicyGrantingServiceAccess {
                policy_name: Some(name.clone()),
                policy_type: Some(PolicyType::Inline),
                policy_arn: None,
                entity_type: Some(PolicyOwnerEntityType::from(kind)),
                entity_name: Some(entity.to_owned()),
            },
            grants: Grants::of([doc.as_str()]),
        })
        .collect()
}

/// The entry of one namespace: every candidate granting it.
fn entry(candidates: &[Candidate], namespace: String) -> ListPoliciesGrantingServiceAccessEntry {
    let policies = candidates
        .iter()
        .filter(|c| c.grants.grants_service(&namespace))
        .map(|c| c.out.clone())
        .collect();
    ListPoliciesGrantingServiceAccessEntry {
        service_namespace: Some(namespace),
        policies: Some(policies),
    }
}
