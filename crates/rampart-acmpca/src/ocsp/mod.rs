//! The OCSP responder (RFC 6960) of Rampart's CAs: the key-hash index that finds a request's
//! CA (`index`), reading requests (`request`), writing signed responses (`response`) and
//! answering (`responder`).

pub mod index;
pub mod request;
pub mod responder;
pub mod response;

pub use index::{OCSP_ISSUERS, index_writes};
