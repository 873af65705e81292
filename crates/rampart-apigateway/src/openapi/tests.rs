//! Reading definitions: versions, base paths, extensions, methods and integrations.

use super::*;

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

const OAS3_YAML: &str = r#"
openapi: 3.0.1
info:
  title: Pets
  version: 1.0
servers:
  - url: https://example.com/{basePath}
    variables:
      basePath:
        default: /v1/api
x-amazon-apigateway-api-key-source: HEADER
x-amazon-apigateway-binary-media-types: ["image/png"]
x-amazon-apigateway-policy:
  Version: "2012-10-17"
  Statement: []
components:
  securitySchemes:
    api_key: {type: apiKey, name: x-api-key, in: header}
  schemas:
    Pet: {type: object}
paths:
  /pets/{id}:
    parameters:
      - {name: id, in: path, required: true}
    get:
      operationId: GetPet
      security: [{api_key: []}]
      parameters:
        - {name: verbose, in: query}
      responses:
        "200":
          description: ok
          headers:
            X-Trace: {schema: {type: string}}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://127.0.0.1:9/pets/{id}
        requestParameters:
          integration.request.path.id: method.request.path.id
        passthroughBehavior: when_no_match
        timeoutInMillis: 5000
  /{proxy+}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default: {statusCode: "200", responseTemplates: {application/json: '{"ok":true}'}}
"#;

#[test]
fn openapi3_yaml_becomes_methods_and_integrations() {
    let def = read(OAS3_YAML.as_bytes(), &BTreeMap::new()).expect("reads");
    assert_eq!(def.name.as_deref(), Some("Pets"));
    assert_eq!(def.version.as_deref(), Some("1.0"));
    assert_eq!(def.binary_media_types, Some(vec!["image/png".to_owned()]));
    assert!(
        def.policy
            .as_deref()
            .is_some_and(|p| p.contains("2012-10-17"))
    );
    let (path, methods) = &def.paths[0];
    assert_eq!(path, "/pets/{id}");
    let get = &methods["GET"];
    assert!(get.api_key_required);
    assert_eq!(get.operation_name.as_deref(), Some("GetPet"));
    assert_eq!(
        get.request_parameters.get("method.request.path.id"),
        Some(&true)
    );
    assert_eq!(
        get.request_parameters
            .get("method.request.querystring.verbose"),
        Some(&false)
    );
    assert!(
        get.responses["200"]
            .response_parameters
            .contains_key("method.response.header.X-Trace")
    );
    let i = get.integration.as_ref().expect("integration");
    assert_eq!(i.kind, "HTTP_PROXY");
    assert_eq!(i.timeout_ms, 5000);
    assert_eq!(i.passthrough_behavior.as_deref(), Some("WHEN_NO_MATCH"));
    let (proxy, any) = &def.paths[1];
    assert_eq!(proxy, "/{proxy+}");
    let mock = any["ANY"].integration.as_ref().expect("mock");
    assert_eq!(mock.kind, "MOCK");
    assert_eq!(mock.responses["200"].selection_pattern, None);
    assert_eq!(def.warnings.len(), 1, "{:?}", def.warnings);
}

#[test]
fn base_paths_are_ignored_prepended_or_split() {
    let body = OAS3_YAML.as_bytes();
    let ignore = read(body, &params(&[("basepath", "ignore")])).expect("reads");
    assert_eq!(ignore.paths[0].0, "/pets/{id}");
    let prepend = read(body, &params(&[("basepath", "prepend")])).expect("reads");
    let paths: Vec<&str> = prepend.paths.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        ["/v1", "/v1/api", "/v1/api/pets/{id}", "/v1/api/{proxy+}"]
    );
    let split = read(body, &params(&[("basepath", "split")])).expect("reads");
    assert_eq!(split.paths[1].0, "/api/pets/{id}");
    assert!(read(body, &params(&[("basepath", "sideways")])).is_err());
}

#[test]
fn swagger2_json_reads_its_base_path_and_security_definitions() {
    let doc = serde_json::json!({
        "swagger": "2.0",
        "info": {"title": "S", "version": "1"},
        "basePath": "/prod",
        "securityDefinitions": {"k": {"type": "apiKey", "name": "x-api-key", "in": "header"}},
        "security": [{"k": []}],
        "paths": {"/a": {"post": {"responses": {"201": {"description": "x"}}}}}
    });
    let body = serde_json::to_vec(&doc).expect("json");
    let def = read(&body, &params(&[("basepath", "prepend")])).expect("reads");
    assert_eq!(def.paths[1].0, "/prod/a");
    let post = &def.paths[1].1["POST"];
    assert!(post.api_key_required && post.integration.is_none());
    assert!(post.responses.contains_key("201"));
}

#[test]
fn bad_definitions_are_import_errors() {
    let cases: &[&[u8]] = &[
        b"",
        b"{not json: [",
        br#"{"openapi": "1.0", "info": {"title": "x"}}"#,
        br#"{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": {"x-amazon-apigateway-integration": {"type": "http", "uri": "ftp://x", "httpMethod": "GET"}}}}}"#,
        br#"{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": {"security": [{"nope": []}]}}}}"#,
        br#"{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": {"x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": "arn:aws:lambda"}}}}}"#,
    ];
    for body in cases {
        let err = read(body, &BTreeMap::new()).expect_err("refused");
        assert_eq!(err.code, "BadRequestException");
        assert!(
            err.message.starts_with("Errors found during import:"),
            "{}",
            err.message
        );
    }
    let two_types = params(&[("endpointConfigurationTypes", "EDGE,REGIONAL")]);
    assert!(read(OAS3_YAML.as_bytes(), &two_types).is_err());
    let regional = params(&[("endpointConfigurationTypes", "regional")]);
    let def = read(OAS3_YAML.as_bytes(), &regional).expect("reads");
    assert_eq!(def.endpoint_types, Some(vec!["REGIONAL".to_owned()]));
}

#[test]
fn exports_read_back_as_the_same_methods() {
    use crate::record::{ApiRecord, ResourceRecord};
    let def = read(OAS3_YAML.as_bytes(), &BTreeMap::new()).expect("reads");
    let resources: Vec<ResourceRecord> = def
        .paths
        .iter()
        .enumerate()
        .map(|(i, (p, m))| ResourceRecord {
            id: format!("r{i}"),
            parent_id: None,
            path_part: None,
            path: p.clone(),
            methods: m.clone(),
        })
        .collect();
    let api: ApiRecord = serde_json::from_value(serde_json::json!({
        "id": "a", "name": "Pets", "description": null, "version": "1.0", "created_ms": 0,
        "endpoint_types": ["EDGE"], "policy": null, "api_key_source": "HEADER",
        "minimum_compression_size": null, "root_id": "r", "resources": {}
    }))
    .expect("record");
    for kind in [ExportKind::Oas30, ExportKind::Swagger] {
        let src = ExportSource {
            api: &api,
            stage: "prod",
            resources: &resources,
            host: "a.execute-api.us-east-1.amazonaws.com".into(),
        };
        let doc = export(&src, kind, true);
        let yaml = serde_norway::to_string(&doc).expect("yaml");
        let again = read(yaml.as_bytes(), &BTreeMap::new()).expect("reads back");
        let get = &again
            .paths
            .iter()
            .find(|(p, _)| p == "/pets/{id}")
            .expect("path")
            .1["GET"];
        assert!(get.api_key_required);
        let i = get.integration.as_ref().expect("integration");
        assert_eq!(i.uri.as_deref(), Some("http://127.0.0.1:9/pets/{id}"));
        assert_eq!(
            i.request_parameters,
            def.paths[0].1["GET"]
                .integration
                .as_ref()
                .expect("i")
                .request_parameters
        );
    }
}
