//! Protocol conformance: the generated code of every operation of API Gateway (restJson1;
//! with MediaStore Data, Signer Data, Entity Resolution and Data Exchange for the bindings API Gateway
//! lacks: greedy labels, status-code members, header timestamps and lists, prefix headers,
//! query lists and timestamps), of Route 53 (restXml; with a subset of S3 for
//! flattened lists, attributes and streaming payloads) and of ACM PCA (Smithy RPC
//! v2 CBOR and awsJson 1.1: the served crate's own codecs), and the echo that
//! `tests/conformance/test_protocols.py` drives with botocore's own serializers and parsers:
//! a request botocore serialized is routed and decoded to its input (as AWS JSON), and an
//! output (as AWS JSON) is encoded as the HTTP response botocore must parse back.

/// ACM PCA's generated codecs are the served crate's own.
pub use rampart_acmpca::generated as acm_pca;
pub mod apigateway;
pub mod dataexchange;
pub mod echo;
pub mod entityresolution;
pub mod mediastore_data;
pub mod route53;
pub mod s3;
pub mod signer_data;
