//! Create and Update of web ACLs and rule groups compile the result with the rule engine the
//! edge uses, so what is stored is what can be enforced: a configuration the engine refuses
//! is a `WAFInvalidParameterException` naming the engine's reason.

use crate::Wafv2Service;
use crate::arn::{Kind, Location};
use crate::edge::snapshot::StoreResolver;
use crate::errors::{invalid_parameter, nonexistent};
use rampart_codec::ServiceError;
use rampart_waf::CompileError;
use rampart_waf::managed::ManagedResolver;
use serde_json::{Map, Value};

impl Wafv2Service {
    /// The resources `references` name, and those their rule groups reference.
    async fn referenced_resources(
        &self,
        references: &[String],
    ) -> Result<StoreResolver, ServiceError> {
        let mut resolver = StoreResolver::default();
        let mut pending: Vec<String> = references.to_vec();
        let mut depth = 0;
        while !pending.is_empty() && depth < 2 {
            let mut next = Vec::new();
            for arn in pending {
                let Some(loc) = Location::parse(&arn) else {
                    continue;
                };
                if let Some(found) = self.at(&loc).await? {
                    next.extend(found.value.references.iter().cloned());
                    resolver.insert(found.value);
                }
            }
            pending = next;
            depth += 1;
        }
        Ok(resolver)
    }

    /// Compiles the web ACL or rule group `body` of `kind` with the engine.
    pub(crate) async fn compiles(
        &self,
        kind: Kind,
        body: &Map<String, Value>,
        references: &[String],
    ) -> Result<(), ServiceError> {
        if !matches!(kind, Kind::WebAcl | Kind::RuleGroup) {
            return Ok(());
        }
        let resolver = self.referenced_resources(references).await?;
        let managed = ManagedResolver::new(&resolver);
        let value = Value::Object(body.clone());
        let compiled = match kind {
            Kind::WebAcl => rampart_waf::compile(&value, &managed).map(|_| ()),
            _ => rampart_waf::compile_rule_group(&value, &managed).map(|_| ()),
        };
        compiled.map_err(|e| match e {
            CompileError::NotFound(_) => nonexistent(),
            other => invalid_parameter("RULE", "Rules", other.message()),
        })
    }
}
