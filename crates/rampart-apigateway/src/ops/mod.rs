//! The served operations, by area.

pub mod apikeys;
pub mod apis;
pub mod deployments;
pub mod domains;
pub mod integrations;
pub mod mappings;
pub mod methods;
pub mod resources;
pub mod stages;
pub mod tags;
pub mod usage;
pub mod usageplans;
