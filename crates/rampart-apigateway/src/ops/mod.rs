//! The served operations, by area.

pub mod apikeys;
pub mod apis;
pub mod deployments;
pub mod domain_mtls;
pub mod domains;
pub mod export;
pub mod import;
pub mod integrations;
pub mod keyimport;
pub mod mappings;
pub mod methods;
pub mod resources;
pub mod stages;
pub mod tags;
pub mod usage;
pub mod usage_update;
pub mod usageplans;
