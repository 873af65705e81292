//! The AWS KMS keyrings and the small KMS client they call through.

pub mod arn;
pub mod client;
pub mod config;
pub mod keyring;
pub mod sigv4;

pub use client::{HttpKmsClient, KmsClient, KmsError};
pub use keyring::{DiscoveryFilter, KmsKeyring};
