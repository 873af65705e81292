//! Certificate revocation lists, as AWS Private CA publishes them: the revocation
//! configuration and its checks (`config`), the CRL itself (`build`), where it is kept as the
//! S3 object AWS would write (`store`), writing it (`publish`) when the job asks (`job`), and
//! the CRL Distribution Points and OCSP URLs issued certificates carry (`extensions`).

pub mod build;
pub mod config;
pub mod extensions;
pub mod job;
pub mod publish;
pub mod store;

pub use config::Revocation;
pub use extensions::RevocationUrls;
pub use job::{CrlJob, Reason, schedule};
pub use store::{CRL_ALIASES, CRL_STATE, CRLS};
