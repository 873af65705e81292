//! HTTP server, TLS, AWS protocol codecs, error rendering and the router of services.

pub mod codec;
