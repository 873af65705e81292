//! CreateDeployment (a snapshot of the API's resource tree, and the stage it names pointed at
//! it; a PRIVATE API needs a resource policy first), GetDeployment, GetDeployments, DeleteDeployment.

use crate::convert::{deployment, map_of};
use crate::generated::errors::{bad_request_exception, not_found_exception};
use crate::generated::{
    CreateDeployment, CreateDeploymentRequest, DeleteDeployment, DeleteDeploymentRequest,
    Deployment, Deployments, GetDeployment, GetDeploymentRequest, GetDeployments,
    GetDeploymentsRequest, MethodSnapshot, ServiceError,
};
use crate::ids::deployment_id;
use crate::ops::apis::page_limit;
use crate::ops::stages::{check_stage_name, check_variables, new_stage};
use crate::record::{ApiRecord, DeploymentRecord, ResourceRecord, child_row};
use crate::service::{ApiGatewayService, authorize, internal};
use rampart_core::RequestContext;
use rampart_store::Expect;
use std::collections::BTreeMap;

/// NotFoundException for a deployment the API does not have.
pub(crate) fn deployment_not_found() -> ServiceError {
    not_found_exception("Invalid Deployment identifier specified")
}

/// Refuses to deploy a PRIVATE API without a resource policy, as API Gateway does.
fn check_private_policy(api: &ApiRecord) -> Result<(), ServiceError> {
    let private = api.endpoint_types.iter().any(|t| t == "PRIVATE");
    if private && api.policy.as_deref().is_none_or(|p| p.trim().is_empty()) {
        return Err(bad_request_exception(
            "Private REST API doesn't have a resource policy attached to it",
        ));
    }
    Ok(())
}

/// The API's resources as a deployment keeps them: there is a method, and each has an
/// integration.
fn snapshot(api: &ApiRecord) -> Result<Vec<ResourceRecord>, ServiceError> {
    let methods = api.resources.values().flat_map(|r| r.methods.values());
    if methods.clone().next().is_none() {
        return Err(bad_request_exception(
            "The REST API doesn't contain any methods",
        ));
    }
    if methods.clone().any(|m| m.integration.is_none()) {
        return Err(bad_request_exception("No integration defined for method"));
    }
    let mut resources: Vec<ResourceRecord> = api.resources.values().cloned().collect();
    resources.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(resources)
}

impl CreateDeployment for ApiGatewayService {
    async fn create_deployment(
        &self,
        ctx: &RequestContext,
        input: CreateDeploymentRequest,
    ) -> Result<Deployment, ServiceError> {
        let id = input.rest_api_id.clone().unwrap_or_default();
        authorize(ctx, "POST", &format!("/restapis/{id}/deployments"))?;
        let variables = map_of(input.variables.clone());
        check_variables(&variables)?;
        if let Some(name) = &input.stage_name {
            check_stage_name(name)?;
        }
        let api = self.load_api(ctx, &id).await?.value;
        check_private_policy(&api)?;
        let now = self.now_ms();
        let record = DeploymentRecord {
            id: deployment_id(),
            description: input.description.clone(),
            created_ms: now,
            resources: snapshot(&api)?,
        };
        let api_key = Self::api_key(ctx, &id);
        let put = self
            .deployments
            .put(&child_row(&api_key, &record.id), &record, Expect::Absent);
        let mut writes = vec![put.map_err(internal)?];
        if let Some(name) = input.stage_name.filter(|n| !n.is_empty()) {
            let key = child_row(&api_key, &name);
            let existing = self.stages.get(&key).await.map_err(internal)?;
            let (mut stage, expect) = match existing {
                Some(found) => (found.value, Expect::Version(found.version)),
                None => (new_stage(&name, &record.id, now), Expect::Absent),
            };
            stage.deployment_id = record.id.clone();
            stage.updated_ms = now;
            stage.variables.extend(variables);
            if input.stage_description.is_some() {
                stage.description = input.stage_description.clone();
            }
            writes.push(self.stages.put(&key, &stage, expect).map_err(internal)?);
        }
        self.commit(writes, || {
            bad_request_exception("The stage changed during the deployment; retry.")
        })
        .await?;
        self.refresh_edge().await;
        Ok(deployment(&record))
    }
}

impl GetDeployment for ApiGatewayService {
    async fn get_deployment(
        &self,
        ctx: &RequestContext,
        input: GetDeploymentRequest,
    ) -> Result<Deployment, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let did = input.deployment_id.unwrap_or_default();
        authorize(ctx, "GET", &format!("/restapis/{id}/deployments/{did}"))?;
        self.load_api(ctx, &id).await?;
        let key = child_row(&Self::api_key(ctx, &id), &did);
        let found = self.deployments.get(&key).await.map_err(internal)?;
        let record = found.ok_or_else(deployment_not_found)?.value;
        let mut out = deployment(&record);
        let embed = input.embed.unwrap_or_default();
        if embed.iter().any(|e| e == "apisummary") {
            out.api_summary = Some(api_summary(&record.resources));
        }
        Ok(out)
    }
}

/// Path → method → its authorization, as GetDeployment's `apisummary` embeds it.
fn api_summary(resources: &[ResourceRecord]) -> BTreeMap<String, BTreeMap<String, MethodSnapshot>> {
    resources
        .iter()
        .filter(|r| !r.methods.is_empty())
        .map(|r| {
            let methods = r
                .methods
                .iter()
                .map(|(k, m)| {
                    let snap = MethodSnapshot {
                        authorization_type: Some(m.authorization_type.clone()),
                        api_key_required: Some(m.api_key_required),
                    };
                    (k.clone(), snap)
                })
                .collect();
            (r.path.clone(), methods)
        })
        .collect()
}

impl GetDeployments for ApiGatewayService {
    async fn get_deployments(
        &self,
        ctx: &RequestContext,
        input: GetDeploymentsRequest,
    ) -> Result<Deployments, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        authorize(ctx, "GET", &format!("/restapis/{id}/deployments"))?;
        let limit = page_limit(input.limit)?;
        self.load_api(ctx, &id).await?;
        let mut all: Vec<DeploymentRecord> = self
            .children(&self.deployments, ctx, &id)
            .await?
            .into_iter()
            .map(|(_, v)| v.value)
            .collect();
        all.sort_by(|a, b| a.created_ms.cmp(&b.created_ms).then(a.id.cmp(&b.id)));
        let start = match &input.position {
            Some(p) => all
                .iter()
                .position(|d| &d.id == p)
                .map_or(all.len(), |i| i + 1),
            None => 0,
        };
        let page: Vec<&DeploymentRecord> = all.iter().skip(start).take(limit).collect();
        let more = start + page.len() < all.len();
        Ok(Deployments {
            position: more.then(|| page.last().map(|d| d.id.clone())).flatten(),
            items: Some(page.into_iter().map(deployment).collect()),
        })
    }
}

impl DeleteDeployment for ApiGatewayService {
    async fn delete_deployment(
        &self,
        ctx: &RequestContext,
        input: DeleteDeploymentRequest,
    ) -> Result<(), ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let did = input.deployment_id.unwrap_or_default();
        authorize(ctx, "DELETE", &format!("/restapis/{id}/deployments/{did}"))?;
        self.load_api(ctx, &id).await?;
        let key = child_row(&Self::api_key(ctx, &id), &did);
        let found = self.deployments.get(&key).await.map_err(internal)?;
        let found = found.ok_or_else(deployment_not_found)?;
        let stages = self.children(&self.stages, ctx, &id).await?;
        if stages.iter().any(|(_, s)| s.value.deployment_id == did) {
            return Err(bad_request_exception(
                "Active stages pointing to this deployment must be moved or deleted",
            ));
        }
        let delete = self
            .deployments
            .delete(&key, Expect::Version(found.version));
        self.commit(vec![delete], deployment_not_found).await
    }
}
