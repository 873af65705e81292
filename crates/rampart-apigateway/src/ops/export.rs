//! GetExport: a stage's deployed API as an OpenAPI 3.0.1 (`oas30`) or Swagger 2.0
//! (`swagger`) document, JSON or YAML by `Accept`, with API Gateway's extensions when
//! `extensions` names `integrations` or `apigateway`.

use crate::generated::errors::bad_request_exception;
use crate::generated::{Blob, ExportResponse, GetExport, GetExportRequest, ServiceError};
use crate::openapi::{ExportKind, ExportSource, export};
use crate::ops::deployments::deployment_not_found;
use crate::ops::stages::stage_not_found;
use crate::record::child_row;
use crate::service::{ApiGatewayService, authorize, internal};
use rampart_core::RequestContext;

impl GetExport for ApiGatewayService {
    async fn get_export(
        &self,
        ctx: &RequestContext,
        input: GetExportRequest,
    ) -> Result<ExportResponse, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let stage = input.stage_name.unwrap_or_default();
        let kind_text = input.export_type.unwrap_or_default();
        authorize(
            ctx,
            "GET",
            &format!("/restapis/{id}/stages/{stage}/exports/{kind_text}"),
        )?;
        let kind = export_kind(&kind_text)?;
        let yaml = is_yaml(input.accepts.as_deref())?;
        let params = input.parameters.unwrap_or_default();
        let extensions = params.get("extensions").is_some_and(|e| {
            e.split(',')
                .any(|x| matches!(x.trim(), "integrations" | "apigateway"))
        });
        let api = self.load_api(ctx, &id).await?.value;
        let api_key = Self::api_key(ctx, &id);
        let found = self.stages.get(&child_row(&api_key, &stage)).await;
        let stage_record = found.map_err(internal)?.ok_or_else(stage_not_found)?.value;
        let found = self
            .deployments
            .get(&child_row(&api_key, &stage_record.deployment_id))
            .await;
        let deployment = found
            .map_err(internal)?
            .ok_or_else(deployment_not_found)?
            .value;
        let src = ExportSource {
            api: &api,
            stage: &stage,
            resources: &deployment.resources,
            host: format!("{id}.execute-api.{}.amazonaws.com", ctx.region.as_str()),
        };
        let doc = export(&src, kind, extensions);
        let (body, content_type, ext) = render(&doc, yaml)?;
        Ok(ExportResponse {
            body: Some(Blob(body)),
            content_type: Some(content_type.into()),
            content_disposition: Some(format!(
                "attachment; filename=\"{kind_text}_{}.{ext}\"",
                self.export_time()
            )),
        })
    }
}

impl ApiGatewayService {
    /// The service clock's time as the export file name gives it (`2024-01-31T12:00:00Z`).
    fn export_time(&self) -> String {
        let format =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        self.clock.now().format(format).unwrap_or_default()
    }
}

/// oas30 or swagger.
fn export_kind(text: &str) -> Result<ExportKind, ServiceError> {
    match text {
        "oas30" => Ok(ExportKind::Oas30),
        "swagger" => Ok(ExportKind::Swagger),
        other => Err(bad_request_exception(format!(
            "Invalid export type specified: {other}. Valid values are oas30 and swagger."
        ))),
    }
}

/// The document as YAML or pretty JSON, with its content type and file extension.
fn render(
    doc: &serde_json::Value,
    yaml: bool,
) -> Result<(Vec<u8>, &'static str, &'static str), ServiceError> {
    if yaml {
        let text = serde_norway::to_string(doc).map_err(|_| render_failure())?;
        return Ok((text.into_bytes(), "application/yaml", "yaml"));
    }
    let text = serde_json::to_vec_pretty(doc).map_err(|_| render_failure())?;
    Ok((text, "application/json", "json"))
}

/// Whether `Accept` asks for YAML (JSON by default).
fn is_yaml(accepts: Option<&str>) -> Result<bool, ServiceError> {
    match accepts.map(str::trim) {
        None | Some("") | Some("application/json") | Some("*/*") => Ok(false),
        Some("application/yaml") => Ok(true),
        Some(other) => Err(bad_request_exception(format!(
            "Invalid Accept header specified: {other}. Valid values are application/json and application/yaml."
        ))),
    }
}

/// An export that could not be written.
fn render_failure() -> ServiceError {
    ServiceError::new("InternalFailure", 500, "The export could not be written.")
}
