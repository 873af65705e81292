//! The data plane's view of the store: every REST API with its deployed stages (the stage's
//! variables and method settings, the resource tree of its deployment), read in one pass and
//! swapped in whole. `Live` holds the current view; writes of the control plane refresh it at
//! once on their node, and the edge re-reads it periodically for changes made on other nodes.

use crate::record::{
    APIS, ApiRecord, DEPLOYMENTS, DOMAINS, DeploymentRecord, DomainRecord, Map,
    MethodSettingRecord, ResourceRecord, STAGES, StageRecord, child_row,
};
use rampart_store::{Store, StoreError, Table, Versioned};
use serde::{Serialize, de::DeserializeOwned};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

/// Rows read per scan.
const PAGE: usize = 500;

/// One deployed stage.
#[derive(Debug, Clone)]
pub struct StageView {
    pub name: String,
    pub deployment_id: String,
    pub variables: Map,
    /// Method settings by key (`*/*`, `pets/GET`).
    pub settings: BTreeMap<String, MethodSettingRecord>,
    /// The deployment's resource tree.
    pub resources: Vec<ResourceRecord>,
}

/// One REST API as the edge serves it.
#[derive(Debug, Clone)]
pub struct ApiView {
    pub id: String,
    pub account: String,
    pub region: String,
    /// EDGE, REGIONAL or PRIVATE.
    pub endpoint_type: String,
    /// The VPC endpoints a PRIVATE API is associated with (`vpcEndpointIds`).
    pub vpc_endpoint_ids: Vec<String>,
    /// `disableExecuteApiEndpoint`: the default `execute-api` host and path do not answer.
    pub execute_api_disabled: bool,
    /// The resource policy, compiled.
    pub policy: Option<crate::edge::policy::ResourcePolicy>,
    pub stages: HashMap<String, StageView>,
}

/// One custom domain name as the edge serves it.
#[derive(Debug, Clone)]
pub struct DomainView {
    pub name: String,
    /// The ACM certificate it serves.
    pub certificate_arn: Option<String>,
    /// Mutual TLS: the truststore URI and version clients' certificates must chain to.
    pub truststore: Option<(String, Option<String>)>,
    /// Base paths (`""` for `(none)`) with their API and stage (empty: from the path).
    pub mappings: Vec<(String, String, String)>,
}

/// Every API by id, every custom domain name by name (lowercase).
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub apis: HashMap<String, ApiView>,
    /// API keys and usage plans.
    pub keys: crate::edge::keys::KeyIndex,
    pub domains: HashMap<String, DomainView>,
}

impl Snapshot {
    /// The custom domain name `host` (a `Host` header, port ignored) names, if any.
    pub fn domain_for(&self, host: &str) -> Option<&DomainView> {
        let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
        self.domains.get(&name.to_ascii_lowercase())
    }
}

/// The current snapshot and how to rebuild it.
pub struct Live {
    store: Store,
    current: RwLock<Arc<Snapshot>>,
    /// Serializes rebuilds, so the last one stored read the store last.
    rebuilding: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").finish_non_exhaustive()
    }
}

impl Live {
    /// An empty view over `store` (call [`Live::refresh`] to fill it).
    pub fn new(store: Store) -> Live {
        Live {
            store,
            current: RwLock::new(Arc::new(Snapshot::default())),
            rebuilding: tokio::sync::Mutex::new(()),
        }
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Re-reads the store and swaps the new snapshot in.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let _one_at_a_time = self.rebuilding.lock().await;
        let fresh = Arc::new(self.build().await?);
        match self.current.write() {
            Ok(mut guard) => *guard = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }

    async fn build(&self) -> Result<Snapshot, StoreError> {
        let apis: Table<ApiRecord> = Table::new(self.store.clone(), APIS);
        let stages: Table<StageRecord> = Table::new(self.store.clone(), STAGES);
        let deployments: Table<DeploymentRecord> = Table::new(self.store.clone(), DEPLOYMENTS);
        let mut snapshot = Snapshot::default();
        let mut rows_by_key: HashMap<String, String> = HashMap::new();
        for (key, api) in scan_all(&apis).await? {
            let mut parts = key.splitn(3, '/');
            let (Some(account), Some(region)) = (parts.next(), parts.next()) else {
                continue;
            };
            rows_by_key.insert(key.clone(), api.value.id.clone());
            snapshot
                .apis
                .insert(api.value.id.clone(), view_of(account, region, &api.value));
        }
        let domains: Table<DomainRecord> = Table::new(self.store.clone(), DOMAINS);
        for (_, domain) in scan_all(&domains).await? {
            let view = domain_view(domain.value);
            snapshot.domains.insert(view.name.clone(), view);
        }
        let stage_rows = scan_all(&stages).await?;
        let keys: Vec<String> = stage_rows
            .iter()
            .map(|(key, s)| child_row(parent_of(key), &s.value.deployment_id))
            .collect();
        let found = deployments.get_many(&keys).await?;
        for ((key, stage), deployment) in stage_rows.into_iter().zip(found) {
            let (Some(api_id), Some(deployment)) = (rows_by_key.get(parent_of(&key)), deployment)
            else {
                continue;
            };
            if let Some(api) = snapshot.apis.get_mut(api_id) {
                let view = stage_view(stage.value, deployment.value);
                api.stages.insert(view.name.clone(), view);
            }
        }
        snapshot.keys = crate::edge::keys::load(&self.store).await?;
        Ok(snapshot)
    }
}

/// The API row key of a child row key (`<account>/<region>/<api>/<child>`).
fn parent_of(key: &str) -> &str {
    key.rsplit_once('/').map_or(key, |(parent, _)| parent)
}

fn view_of(account: &str, region: &str, api: &ApiRecord) -> ApiView {
    ApiView {
        id: api.id.clone(),
        account: account.to_owned(),
        region: region.to_owned(),
        endpoint_type: api.endpoint_types.first().cloned().unwrap_or_default(),
        vpc_endpoint_ids: api.vpc_endpoint_ids.clone(),
        execute_api_disabled: api.disable_execute_api_endpoint,
        policy: crate::edge::policy::compile(api.policy.as_deref(), region, account, &api.id),
        stages: HashMap::new(),
    }
}

fn domain_view(d: DomainRecord) -> DomainView {
    DomainView {
        certificate_arn: d.serving_certificate().map(str::to_owned),
        truststore: d
            .mutual_tls
            .map(|m| (m.truststore_uri, m.truststore_version)),
        name: d.name,
        mappings: d
            .mappings
            .into_iter()
            .map(|(path, m)| (path, m.rest_api_id, m.stage))
            .collect(),
    }
}

fn stage_view(stage: StageRecord, deployment: DeploymentRecord) -> StageView {
    StageView {
        name: stage.name,
        deployment_id: stage.deployment_id,
        variables: stage.variables,
        settings: stage.method_settings,
        resources: deployment.resources,
    }
}

/// Every row of `table`.
pub(crate) async fn scan_all<T: Serialize + DeserializeOwned>(
    table: &Table<T>,
) -> Result<Vec<(String, Versioned<T>)>, StoreError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let rows = table.scan("", after.as_deref(), PAGE).await?;
        let done = rows.len() < PAGE;
        after = rows.last().map(|(k, _)| k.clone());
        out.extend(rows);
        if done {
            return Ok(out);
        }
    }
}
