//! The service modules of a running server: built in `serve::MODULES` order once the root key
//! is unsealed, prepared, then seen only through their endpoints, jobs and hooks.

use crate::bootstrap::META_TABLE;
use rampart_audit::AUDIT_LOG;
use rampart_codec::{AwsHttpService, AwsJsonService, AwsQueryService, PublicRoute};
use rampart_core::{Clock, Job};
use rampart_crypto::root::RootKey;
use rampart_module::{
    Clients, ModuleEnv, ModuleFactory, ModuleSettings, ServiceModule, check_tables,
};
use rampart_store::Store;
use std::sync::Arc;

/// The tables the host itself owns (the seal record, bootstrap markers, the cluster CA).
const HOST_TABLES: &[&str] = &[META_TABLE];

/// The started modules and what they provided one another.
pub struct Modules {
    list: Vec<Arc<dyn ServiceModule>>,
    /// Values the modules provided (the IAM directory, STS's session tokens).
    pub clients: Clients,
}

impl Modules {
    /// Builds and prepares each module of `factories` in order; refuses to start when two
    /// modules claim one table or a table lies outside its module's namespace.
    pub async fn start(
        factories: &[ModuleFactory],
        store: &Store,
        root: &RootKey,
        clock: Arc<dyn Clock>,
        dev: bool,
        settings: &ModuleSettings,
    ) -> Result<Modules, String> {
        let mut clients = Clients::default();
        let mut list = Vec::with_capacity(factories.len());
        for factory in factories {
            let mut env = ModuleEnv {
                store,
                root,
                clock: clock.clone(),
                dev,
                audit_log: AUDIT_LOG,
                clients: &mut clients,
                settings,
            };
            let module = factory(&mut env)?;
            list.push(module);
        }
        let modules = Modules { list, clients };
        modules.check_tables()?;
        store.restrict_tables(modules.declared_tables());
        for module in &modules.list {
            let name = module.name();
            module.prepare().await.map_err(|e| format!("{name}: {e}"))?;
        }
        Ok(modules)
    }

    fn check_tables(&self) -> Result<(), String> {
        let declared = self.list.iter().map(|m| (m.name(), m.tables()));
        let clashes = check_tables(declared.chain([("rampart", HOST_TABLES)]));
        if clashes.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = clashes.iter().map(ToString::to_string).collect();
        Err(format!("service modules clash: {}", list.join("; ")))
    }

    /// Every table of the modules and the host: from the start on, the only ones the store
    /// writes (`Store::restrict_tables`), so an undeclared table fails the tests that reach it.
    fn declared_tables(&self) -> Vec<&'static str> {
        let modules = self.list.iter().flat_map(|m| m.tables().iter().copied());
        modules.chain(HOST_TABLES.iter().copied()).collect()
    }

    /// The queues the modules want every audit record in (see `AuditSink::subscribe`).
    pub fn audit_subscriptions(&self) -> Vec<rampart_core::AuditSubscription> {
        self.list
            .iter()
            .flat_map(|m| m.audit_subscriptions())
            .collect()
    }

    /// Every AWS JSON endpoint.
    pub fn json_services(&self) -> Vec<Arc<dyn AwsJsonService>> {
        self.list.iter().flat_map(|m| m.json_services()).collect()
    }

    /// Every query-protocol endpoint.
    pub fn query_services(&self) -> Vec<Arc<dyn AwsQueryService>> {
        self.list.iter().flat_map(|m| m.query_services()).collect()
    }

    /// Every restJson1 and RPC v2 CBOR endpoint.
    pub fn http_services(&self) -> Vec<Arc<dyn AwsHttpService>> {
        self.list.iter().flat_map(|m| m.http_services()).collect()
    }

    /// Every module's unsigned public routes (published CRLs, OCSP).
    pub fn public_routes(&self) -> Vec<Arc<dyn PublicRoute>> {
        self.list.iter().flat_map(|m| m.public_routes()).collect()
    }

    /// Every module's background jobs.
    pub fn jobs(&self) -> Vec<Arc<dyn Job>> {
        self.list.iter().flat_map(|m| m.jobs()).collect()
    }

    /// Starts each module's background work on its own task.
    pub fn spawn_background(&self) {
        for work in self.list.iter().filter_map(|m| m.background()) {
            tokio::spawn(work);
        }
    }

    /// After a dev reset emptied the store: every module drops its caches.
    pub fn reset(&self) {
        for module in &self.list {
            module.reset();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::serve::MODULES;
    use rampart_core::SystemClock;

    async fn started(dir: &std::path::Path) -> Modules {
        let store = Store::open_sqlite(&dir.join("db")).await.unwrap();
        let root = RootKey::generate();
        Modules::start(
            MODULES,
            &store,
            &root,
            Arc::new(SystemClock),
            true,
            &ModuleSettings::default(),
        )
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn every_module_starts_with_its_own_tables_and_endpoints() {
        let dir = tempfile::tempdir().unwrap();
        let modules = started(dir.path()).await;
        let names: Vec<&str> = modules.list.iter().map(|m| m.name()).collect();
        assert_eq!(
            names,
            [
                "kms",
                "iam",
                "sts",
                "cloudtrail",
                "events",
                "secretsmanager",
                "ssm",
                "acmpca",
                "acm",
                "wafv2",
                "apigateway"
            ]
        );
        let prefixes: Vec<&str> = modules
            .json_services()
            .iter()
            .map(|s| s.target_prefix())
            .collect();
        assert_eq!(prefixes.len(), 8, "{prefixes:?}");
        assert!(prefixes.contains(&"AWSWAF_20190729"), "{prefixes:?}");
        assert!(prefixes.contains(&"ACMPrivateCA"), "{prefixes:?}");
        assert!(prefixes.contains(&"CertificateManager"), "{prefixes:?}");
        assert!(prefixes.contains(&"AmazonSSM"), "{prefixes:?}");
        assert!(prefixes.contains(&"secretsmanager"), "{prefixes:?}");
        let signing: Vec<&str> = modules
            .query_services()
            .iter()
            .map(|s| s.signing_name())
            .collect();
        assert_eq!(signing, ["iam", "sts"]);
        let http: Vec<&str> = modules
            .http_services()
            .iter()
            .map(|s| s.signing_name())
            .collect();
        assert_eq!(http, ["acm-pca", "apigateway"]);
        // STS's outbound issuer documents, ACM PCA's CRLs and OCSP, ACM's ACME servers and
        // its EMAIL-validation approvals.
        assert_eq!(modules.public_routes().len(), 4);
        assert!(modules.jobs().len() >= 4);
    }

    #[tokio::test]
    async fn once_started_the_store_writes_only_declared_tables() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&dir.path().join("db")).await.unwrap();
        let root = RootKey::generate();
        Modules::start(
            MODULES,
            &store,
            &root,
            Arc::new(SystemClock),
            true,
            &ModuleSettings::default(),
        )
        .await
        .unwrap();
        let put = |table: &'static str| rampart_store::Write::Put {
            table,
            key: "k".to_owned(),
            value: Vec::new(),
            expect: rampart_store::Expect::Any,
        };
        store.transact(vec![put("kms_keys")]).await.unwrap();
        store.transact(vec![put("ssm_parameters")]).await.unwrap();
        store.transact(vec![put(META_TABLE)]).await.unwrap();
        assert!(store.transact(vec![put("credentials")]).await.is_err());
    }

    #[tokio::test]
    async fn a_module_that_needs_a_missing_client_does_not_start() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&dir.path().join("db")).await.unwrap();
        let root = RootKey::generate();
        let without_iam: &[ModuleFactory] = &[rampart_sts::module];
        let err = Modules::start(
            without_iam,
            &store,
            &root,
            Arc::new(SystemClock),
            true,
            &ModuleSettings::default(),
        )
        .await
        .err()
        .unwrap();
        assert!(err.starts_with("sts needs "), "{err}");
    }

    #[tokio::test]
    async fn two_modules_claiming_one_table_do_not_start() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&dir.path().join("db")).await.unwrap();
        let root = RootKey::generate();
        let twice: &[ModuleFactory] = &[rampart_kms::module, rampart_kms::module];
        let err = Modules::start(
            twice,
            &store,
            &root,
            Arc::new(SystemClock),
            true,
            &ModuleSettings::default(),
        )
        .await
        .err()
        .unwrap();
        assert!(
            err.contains("table kms_keys is declared by kms and by kms"),
            "{err}"
        );
    }
}
