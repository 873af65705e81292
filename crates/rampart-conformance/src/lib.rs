//! Protocol conformance: the generated code of every API Gateway operation (restJson1) and
//! every ACM PCA operation (Smithy RPC v2 CBOR and awsJson 1.1), and the echo that
//! `tests/conformance/test_protocols.py` drives with botocore's own serializers and parsers:
//! a request botocore serialized is routed and decoded to its input (as AWS JSON), and an
//! output (as AWS JSON) is encoded as the HTTP response botocore must parse back.

pub mod acm_pca;
pub mod apigateway;
pub mod echo;
