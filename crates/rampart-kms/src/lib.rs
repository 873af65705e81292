//! AWS KMS service.
