//! Get/Update/ResetServiceSetting for Parameter Store's two settings: the default parameter
//! tier and high throughput. A setting id is its path (`/ssm/parameter-store/...`) or ARN.

use crate::SsmService;
use crate::generated::UpdateServiceSettingResult;
use crate::generated::errors::service_setting_not_found;
use crate::generated::{GetServiceSetting, GetServiceSettingRequest, GetServiceSettingResult};
use crate::generated::{ResetServiceSetting, ResetServiceSettingRequest};
use crate::generated::{ResetServiceSettingResult, ServiceError, ServiceSetting};
use crate::generated::{UpdateServiceSetting, UpdateServiceSettingRequest};
use crate::names::partition;
use crate::record::{SettingRecord, setting_row};
use crate::service::{authorize, internal};
use rampart_codec::Timestamp;
use rampart_core::RequestContext;
use rampart_store::Expect;

const TIER: &str = "/ssm/parameter-store/default-parameter-tier";
const THROUGHPUT: &str = "/ssm/parameter-store/high-throughput-enabled";

/// A known setting: its path, default value and allowed values.
struct Known {
    path: &'static str,
    default: &'static str,
    allowed: &'static [&'static str],
}

const KNOWN: &[Known] = &[
    Known {
        path: TIER,
        default: "Standard",
        allowed: &["Standard", "Advanced", "Intelligent-Tiering"],
    },
    Known {
        path: THROUGHPUT,
        default: "false",
        allowed: &["true", "false"],
    },
];

fn setting_arn(ctx: &RequestContext, path: &str) -> String {
    let region = ctx.region.as_str();
    format!(
        "arn:{}:ssm:{region}:{}:servicesetting{path}",
        partition(region),
        ctx.account().as_str()
    )
}

/// The known setting `id` (path or ARN) names, or ServiceSettingNotFound.
fn known(ctx: &RequestContext, id: Option<&str>) -> Result<&'static Known, ServiceError> {
    let id = id.unwrap_or_default();
    let prefix = setting_arn(ctx, "");
    let path = id.strip_prefix(&prefix).unwrap_or(id);
    KNOWN.iter().find(|k| k.path == path).ok_or_else(|| {
        service_setting_not_found(
            "The specified service setting wasn't found. Either the service name or the \
             setting hasn't been provisioned by the AWS service team. Contact the AWS service \
             team for assistance.",
        )
    })
}

impl SsmService {
    async fn read_setting(
        &self,
        ctx: &RequestContext,
        known: &Known,
    ) -> Result<ServiceSetting, ServiceError> {
        let row = setting_row(ctx.account().as_str(), ctx.region.as_str(), known.path);
        let stored = self.tables.settings.get(&row).await.map_err(internal)?;
        let (value, ms, user, status) = match stored {
            Some(s) => (
                s.value.value,
                s.value.modified_ms,
                s.value.modified_user,
                "Customized",
            ),
            None => (known.default.to_owned(), 0, "System".to_owned(), "Default"),
        };
        Ok(ServiceSetting {
            arn: Some(setting_arn(ctx, known.path)),
            last_modified_date: Some(Timestamp::from_epoch_millis(ms)),
            last_modified_user: Some(user),
            setting_id: Some(known.path.to_owned()),
            setting_value: Some(value),
            status: Some(status.to_owned()),
        })
    }

    /// The account's default parameter tier.
    pub(crate) async fn default_tier(&self, ctx: &RequestContext) -> Result<String, ServiceError> {
        let setting = self.read_setting(ctx, &KNOWN[0]).await?;
        Ok(setting.setting_value.unwrap_or_else(|| "Standard".into()))
    }
}

impl GetServiceSetting for SsmService {
    async fn get_service_setting(
        &self,
        ctx: &RequestContext,
        input: GetServiceSettingRequest,
    ) -> Result<GetServiceSettingResult, ServiceError> {
        let known = known(ctx, input.setting_id.as_deref())?;
        authorize(ctx, "ssm:GetServiceSetting", &setting_arn(ctx, known.path))?;
        Ok(GetServiceSettingResult {
            service_setting: Some(self.read_setting(ctx, known).await?),
        })
    }
}

impl UpdateServiceSetting for SsmService {
    async fn update_service_setting(
        &self,
        ctx: &RequestContext,
        input: UpdateServiceSettingRequest,
    ) -> Result<UpdateServiceSettingResult, ServiceError> {
        let known = known(ctx, input.setting_id.as_deref())?;
        authorize(
            ctx,
            "ssm:UpdateServiceSetting",
            &setting_arn(ctx, known.path),
        )?;
        let value = input.setting_value.unwrap_or_default();
        if !known.allowed.contains(&value.as_str()) {
            // Doubt: AWS's wording; the allowed values are documented.
            return Err(ServiceError::validation(format!(
                "The value {value} is not valid for setting {}. Valid values: {}.",
                known.path,
                known.allowed.join(", ")
            )));
        }
        let record = SettingRecord {
            value,
            modified_ms: self.now_ms(),
            modified_user: ctx.principal.arn.clone(),
        };
        let row = setting_row(ctx.account().as_str(), ctx.region.as_str(), known.path);
        let write = self
            .tables
            .settings
            .put(&row, &record, Expect::Any)
            .map_err(internal)?;
        self.store.transact(vec![write]).await.map_err(internal)?;
        Ok(UpdateServiceSettingResult {})
    }
}

impl ResetServiceSetting for SsmService {
    async fn reset_service_setting(
        &self,
        ctx: &RequestContext,
        input: ResetServiceSettingRequest,
    ) -> Result<ResetServiceSettingResult, ServiceError> {
        let known = known(ctx, input.setting_id.as_deref())?;
        authorize(
            ctx,
            "ssm:ResetServiceSetting",
            &setting_arn(ctx, known.path),
        )?;
        let row = setting_row(ctx.account().as_str(), ctx.region.as_str(), known.path);
        let write = self.tables.settings.delete(&row, Expect::Any);
        self.store.transact(vec![write]).await.map_err(internal)?;
        Ok(ResetServiceSettingResult {
            service_setting: Some(self.read_setting(ctx, known).await?),
        })
    }
}
