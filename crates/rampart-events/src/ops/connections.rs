//! Connections: CreateConnection, DescribeConnection, UpdateConnection, DeleteConnection,
//! ListConnections and DeauthorizeConnection. Secrets are sealed in the record
//! ([`crate::connection`]) and never answered.

use crate::EventsService;
use crate::connection::{self, CONNECTIONS, ConnectionRecord, SecretParts, build};
use crate::delivery::now_ms;
use crate::generated::errors::{
    access_denied_exception, concurrent_modification_exception, internal_exception,
    resource_already_exists_exception, resource_not_found_exception,
};
use crate::generated::*;
use rampart_core::RequestContext;
use rampart_store::{Expect, StoreError, Versioned, decode_record, encode_record};

/// Checks `events:<action>` on `resource` against the caller's policies.
pub(super) fn authorize(
    ctx: &RequestContext,
    action: &str,
    resource: &str,
) -> Result<(), ServiceError> {
    ctx.authorize_own(&format!("events:{action}"), resource, &ctx.policy_context())
        .map_err(|denied| access_denied_exception(denied.message))
}

/// A store failure as the InternalException AWS answers (details logged, not answered).
pub(super) fn internal(error: StoreError) -> ServiceError {
    tracing::error!(%error, "EventBridge store failure");
    internal_exception("An internal error occurred.")
}

/// `ms` as a wire timestamp.
pub(super) fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_epoch_millis(ms)
}

/// The IAM resource ARN of a connection (`connection/<name>`).
fn resource(ctx: &RequestContext, name: &str) -> String {
    format!(
        "arn:aws:events:{}:{}:connection/{name}",
        ctx.region.as_str(),
        ctx.account().as_str()
    )
}

fn not_found(name: &str) -> ServiceError {
    resource_not_found_exception(format!(
        "Failed to describe the connection(s). Connection '{name}' does not exist."
    ))
}

impl EventsService {
    /// The connection `name` of the caller's account and Region, with its version.
    pub(crate) async fn read_connection(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Result<Versioned<ConnectionRecord>, ServiceError> {
        let key = connection::key(ctx.account().as_str(), ctx.region.as_str(), name);
        let record = self.store.get(CONNECTIONS, &key).await.map_err(internal)?;
        let record = record.ok_or_else(|| not_found(name))?;
        let value = decode_record(&record.value).map_err(internal)?;
        Ok(Versioned {
            value,
            version: record.version,
        })
    }

    fn secrets_of(&self, record: &ConnectionRecord) -> Result<SecretParts, ServiceError> {
        connection::unseal(&self.outbound.key, &record.arn, &record.sealed).ok_or_else(|| {
            tracing::error!(connection = %record.arn, "connection secrets do not open");
            internal_exception("An internal error occurred.")
        })
    }

    /// Stores `record` (sealing `secrets`) if it is still at `version` (`None`: new).
    async fn write_connection(
        &self,
        ctx: &RequestContext,
        mut record: ConnectionRecord,
        secrets: &SecretParts,
        version: Option<u64>,
    ) -> Result<ConnectionRecord, ServiceError> {
        record.sealed = connection::seal(&self.outbound.key, &record.arn, secrets);
        let key = connection::key(ctx.account().as_str(), ctx.region.as_str(), &record.name);
        let expect = version.map_or(Expect::Absent, Expect::Version);
        let value = encode_record(&record).map_err(internal)?;
        let write = rampart_store::Write::Put {
            table: CONNECTIONS,
            key: key.clone(),
            value,
            expect,
        };
        match self.store.transact(vec![write]).await {
            Ok(()) if record.state == "AUTHORIZING" => {
                self.authorize_soon(key);
                Ok(record)
            }
            Ok(()) => Ok(record),
            Err(e) if e.is_conflict() && version.is_none() => {
                Err(resource_already_exists_exception(format!(
                    "Connection {} already exists.",
                    record.name
                )))
            }
            Err(e) if e.is_conflict() => Err(concurrent_modification_exception(format!(
                "Connection {} was modified concurrently; try again.",
                record.name
            ))),
            Err(e) => Err(internal(e)),
        }
    }
}

/// The state new authorization parameters put a connection in at `now`: API_KEY and BASIC are
/// AUTHORIZED at once; OAUTH_CLIENT_CREDENTIALS is AUTHORIZING until a token request answers
/// (AWS: "OAuth connections will be in the AUTHORIZING state and transition to AUTHORIZED once
/// the OAuth token exchange completes successfully").
fn start_authorizing(record: &mut ConnectionRecord, now: i64) {
    record.state_reason = None;
    if record.authorization_type == "OAUTH_CLIENT_CREDENTIALS" {
        record.state = "AUTHORIZING".into();
    } else {
        record.state = "AUTHORIZED".into();
        record.authorized_ms = Some(now);
    }
}

/// A new connection record for a CreateConnection.
fn new_record(ctx: &RequestContext, input: &CreateConnectionRequest, now: i64) -> ConnectionRecord {
    let name = input.name.clone().unwrap_or_default();
    let id = uuid::Uuid::new_v4();
    let (region, account) = (ctx.region.as_str(), ctx.account().as_str());
    ConnectionRecord {
        arn: format!("arn:aws:events:{region}:{account}:connection/{name}/{id}"),
        secret_arn: format!(
            "arn:aws:secretsmanager:{region}:{account}:secret:events!connection/{name}/{id}"
        ),
        name,
        description: input.description.clone(),
        authorization_type: input
            .authorization_type
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        state: String::new(),
        state_reason: None,
        created_ms: now,
        modified_ms: now,
        authorized_ms: None,
        api_key_name: None,
        username: None,
        oauth: None,
        kms_key_identifier: input.kms_key_identifier.clone(),
        sealed: String::new(),
    }
}

impl CreateConnection for EventsService {
    /// API_KEY and BASIC connections are AUTHORIZED at once. An OAuth connection is
    /// AUTHORIZING until its first token request: AUTHORIZED once the authorization endpoint
    /// gives a token, DEAUTHORIZED (with a StateReason) when it refuses (see
    /// `connection::state`). This node's next delivery pass makes that request (else the
    /// connection's first invocation does).
    async fn create_connection(
        &self,
        ctx: &RequestContext,
        input: CreateConnectionRequest,
    ) -> Result<CreateConnectionResponse, ServiceError> {
        let name = input.name.clone().unwrap_or_default();
        authorize(ctx, "CreateConnection", &resource(ctx, &name))?;
        if input.invocation_connectivity_parameters.is_some() {
            return Err(ServiceError::validation(
                "InvocationConnectivityParameters (private APIs through VPC Lattice) are not supported by Rampart.",
            ));
        }
        super::paging::check_region_quota(&self.store, CONNECTIONS, ctx).await?;
        let mut record = new_record(ctx, &input, now_ms(self.clock.as_ref()));
        let kind = record.authorization_type.clone();
        let params = input.auth_parameters.unwrap_or_default();
        let secrets = build::create_parts(&kind, params, &mut record)?;
        let created = record.created_ms;
        start_authorizing(&mut record, created);
        let record = self.write_connection(ctx, record, &secrets, None).await?;
        Ok(CreateConnectionResponse {
            connection_arn: Some(record.arn),
            connection_state: Some(record.state.as_str().into()),
            creation_time: Some(timestamp(record.created_ms)),
            last_modified_time: Some(timestamp(record.modified_ms)),
        })
    }
}

impl DescribeConnection for EventsService {
    async fn describe_connection(
        &self,
        ctx: &RequestContext,
        input: DescribeConnectionRequest,
    ) -> Result<DescribeConnectionResponse, ServiceError> {
        let name = input.name.unwrap_or_default();
        authorize(ctx, "DescribeConnection", &resource(ctx, &name))?;
        let record = self.read_connection(ctx, &name).await?.value;
        let secrets = self.secrets_of(&record)?;
        Ok(DescribeConnectionResponse {
            auth_parameters: Some(build::auth_response(&record, &secrets)),
            authorization_type: Some(record.authorization_type.as_str().into()),
            connection_arn: Some(record.arn.clone()),
            connection_state: Some(record.state.as_str().into()),
            creation_time: Some(timestamp(record.created_ms)),
            description: record.description.clone(),
            invocation_connectivity_parameters: None,
            kms_key_identifier: record.kms_key_identifier.clone(),
            last_authorized_time: record.authorized_ms.map(timestamp),
            last_modified_time: Some(timestamp(record.modified_ms)),
            name: Some(record.name.clone()),
            secret_arn: Some(record.secret_arn.clone()),
            state_reason: record.state_reason.clone(),
        })
    }
}

impl UpdateConnection for EventsService {
    async fn update_connection(
        &self,
        ctx: &RequestContext,
        input: UpdateConnectionRequest,
    ) -> Result<UpdateConnectionResponse, ServiceError> {
        let name = input.name.clone().unwrap_or_default();
        authorize(ctx, "UpdateConnection", &resource(ctx, &name))?;
        if input.invocation_connectivity_parameters.is_some() {
            return Err(ServiceError::validation(
                "InvocationConnectivityParameters (private APIs through VPC Lattice) are not supported by Rampart.",
            ));
        }
        let stored = self.read_connection(ctx, &name).await?;
        let mut record = stored.value;
        let mut secrets = self.secrets_of(&record)?;
        let now = now_ms(self.clock.as_ref());
        apply_update(input, &mut record, &mut secrets, now)?;
        let record = self
            .write_connection(ctx, record, &secrets, Some(stored.version))
            .await?;
        Ok(UpdateConnectionResponse {
            connection_arn: Some(record.arn),
            connection_state: Some(record.state.as_str().into()),
            creation_time: Some(timestamp(record.created_ms)),
            last_authorized_time: record.authorized_ms.map(timestamp),
            last_modified_time: Some(timestamp(record.modified_ms)),
        })
    }
}

/// Applies an UpdateConnection to the record and its secrets at `now`: new auth parameters
/// (re)authorize the connection.
fn apply_update(
    input: UpdateConnectionRequest,
    record: &mut ConnectionRecord,
    secrets: &mut SecretParts,
    now: i64,
) -> Result<(), ServiceError> {
    let kind_changed = apply_kind(record, secrets, input.authorization_type.as_ref());
    let has_auth = input.auth_parameters.is_some();
    if has_auth || kind_changed {
        let params = input.auth_parameters.unwrap_or_default();
        build::update_parts(kind_changed, params, record, secrets)?;
    }
    if input.description.is_some() {
        record.description = input.description;
    }
    if input.kms_key_identifier.is_some() {
        record.kms_key_identifier = input.kms_key_identifier;
    }
    if has_auth {
        start_authorizing(record, now);
    }
    record.modified_ms = now;
    Ok(())
}

/// Switches the record to `kind` if it names another type, dropping the old type's parts;
/// whether it did.
fn apply_kind(
    record: &mut ConnectionRecord,
    secrets: &mut SecretParts,
    kind: Option<&ConnectionAuthorizationType>,
) -> bool {
    let Some(kind) = kind.map(ToString::to_string) else {
        return false;
    };
    if kind == record.authorization_type {
        return false;
    }
    record.authorization_type = kind;
    (record.api_key_name, record.username, record.oauth) = (None, None, None);
    secrets.api_key_value = None;
    secrets.password = None;
    secrets.client_secret = None;
    secrets.oauth_http = None;
    true
}

impl DeleteConnection for EventsService {
    async fn delete_connection(
        &self,
        ctx: &RequestContext,
        input: DeleteConnectionRequest,
    ) -> Result<DeleteConnectionResponse, ServiceError> {
        let name = input.name.unwrap_or_default();
        authorize(ctx, "DeleteConnection", &resource(ctx, &name))?;
        let stored = self.read_connection(ctx, &name).await?;
        let key = connection::key(ctx.account().as_str(), ctx.region.as_str(), &name);
        let write = rampart_store::Write::Delete {
            table: CONNECTIONS,
            key,
            expect: Expect::Version(stored.version),
        };
        match self.store.transact(vec![write]).await {
            Ok(()) => {}
            Err(e) if e.is_conflict() => return Err(not_found(&name)),
            Err(e) => return Err(internal(e)),
        }
        let record = stored.value;
        Ok(DeleteConnectionResponse {
            connection_arn: Some(record.arn),
            connection_state: Some("DELETING".into()),
            creation_time: Some(timestamp(record.created_ms)),
            last_authorized_time: record.authorized_ms.map(timestamp),
            last_modified_time: Some(timestamp(record.modified_ms)),
        })
    }
}

impl DeauthorizeConnection for EventsService {
    /// Removes the connection's secret authorization parameters (API key value, password,
    /// client secret): the connection is DEAUTHORIZED (answered DEAUTHORIZING, as AWS does)
    /// until an UpdateConnection gives new ones.
    async fn deauthorize_connection(
        &self,
        ctx: &RequestContext,
        input: DeauthorizeConnectionRequest,
    ) -> Result<DeauthorizeConnectionResponse, ServiceError> {
        let name = input.name.unwrap_or_default();
        authorize(ctx, "DeauthorizeConnection", &resource(ctx, &name))?;
        let stored = self.read_connection(ctx, &name).await?;
        let mut record = stored.value;
        let mut secrets = self.secrets_of(&record)?;
        secrets.api_key_value = None;
        secrets.password = None;
        secrets.client_secret = None;
        record.state = "DEAUTHORIZED".into();
        record.state_reason = Some("Deauthorized by DeauthorizeConnection".into());
        record.modified_ms = now_ms(self.clock.as_ref());
        let record = self
            .write_connection(ctx, record, &secrets, Some(stored.version))
            .await?;
        Ok(DeauthorizeConnectionResponse {
            connection_arn: Some(record.arn),
            connection_state: Some("DEAUTHORIZING".into()),
            creation_time: Some(timestamp(record.created_ms)),
            last_authorized_time: record.authorized_ms.map(timestamp),
            last_modified_time: Some(timestamp(record.modified_ms)),
        })
    }
}

impl ListConnections for EventsService {
    async fn list_connections(
        &self,
        ctx: &RequestContext,
        input: ListConnectionsRequest,
    ) -> Result<ListConnectionsResponse, ServiceError> {
        authorize(ctx, "ListConnections", "*")?;
        let scope = connection::key(ctx.account().as_str(), ctx.region.as_str(), "");
        let wanted = input.connection_state.as_ref().map(ToString::to_string);
        let page = super::paging::page(
            &self.store,
            CONNECTIONS,
            &scope,
            input.name_prefix.as_deref(),
            input.next_token.as_deref(),
            input.limit,
            |r: &ConnectionRecord| wanted.as_ref().is_none_or(|s| *s == r.state),
        )
        .await?;
        Ok(ListConnectionsResponse {
            connections: Some(page.items.iter().map(summary).collect()),
            next_token: page.next_token,
        })
    }
}

fn summary(record: &ConnectionRecord) -> Connection {
    Connection {
        authorization_type: Some(record.authorization_type.as_str().into()),
        connection_arn: Some(record.arn.clone()),
        connection_state: Some(record.state.as_str().into()),
        creation_time: Some(timestamp(record.created_ms)),
        last_authorized_time: record.authorized_ms.map(timestamp),
        last_modified_time: Some(timestamp(record.modified_ms)),
        name: Some(record.name.clone()),
        state_reason: record.state_reason.clone(),
    }
}
