"""SSM Parameter Store through boto3 and the AWS CLI: hierarchies and paging, versions,
labels and selectors, SecureString encrypted through KMS as the caller (default and customer
keys; a user without kms:Decrypt reads the ciphertext but not the value), tiers, names,
service settings, tags, operations not served, and no SecureString plaintext at rest."""

from __future__ import annotations

import base64
import json
import subprocess
import uuid

import pytest

from harness import allow, create_user_with_key, eventually, expect_error, policy_doc, unique


@pytest.fixture(scope="module")
def ssm(server):
    return server.client("ssm")


def root() -> str:
    return f"/t{uuid.uuid4().hex[:8]}"


def test_versions_selectors_and_overwrite(ssm):
    name = f"{root()}/db/url"
    first = ssm.put_parameter(Name=name, Value="v1", Type="String")
    assert (first["Version"], first["Tier"]) == (1, "Standard")
    expect_error(ssm.put_parameter, "ParameterAlreadyExists",
                 r"^The parameter already exists\. To overwrite this value, set the overwrite "
                 r"option in the request to true\.$", Name=name, Value="v2", Type="String")
    out = ssm.put_parameter(Name=name, Value="v2", Overwrite=True)
    assert (out["Version"], out["Tier"]) == (2, "Standard")
    got = ssm.get_parameter(Name=name)["Parameter"]
    assert (got["Value"], got["Version"], got["Type"], got["DataType"]) == ("v2", 2, "String", "text")
    assert got["ARN"].endswith(f":parameter{name}")
    old = ssm.get_parameter(Name=f"{name}:1")["Parameter"]
    assert (old["Value"], old["Selector"], old["Name"]) == ("v1", ":1", name)
    by_arn = ssm.get_parameter(Name=got["ARN"])["Parameter"]
    assert by_arn["Value"] == "v2"
    expect_error(ssm.get_parameter, "ParameterVersionNotFound",
                 rf"^Systems Manager could not find version 9 of {name}\.", Name=f"{name}:9")
    _, message = expect_error(ssm.get_parameter, "ParameterNotFound", Name=f"{name}/nope")
    assert message == ""
    expect_error(ssm.get_parameter, "ValidationException", r"^Parameter name: ",
                 Name=f"{name} x")
    assert ssm.get_parameter(Name=f"  {name} ")["Parameter"]["Value"] == "v2"
    many = ssm.get_parameters(Names=[name, f"{name}:1", f"{name}/missing", f"{name}:7"])
    assert sorted(p["Value"] for p in many["Parameters"]) == ["v1", "v2"]
    assert sorted(many["InvalidParameters"]) == sorted([f"{name}/missing", f"{name}:7"])
    history = ssm.get_parameter_history(Name=name, MaxResults=1)
    assert [p["Value"] for p in history["Parameters"]] == ["v1"]
    rest = ssm.get_parameter_history(Name=name, NextToken=history["NextToken"])
    assert [p["Version"] for p in rest["Parameters"]] == [2] and "NextToken" not in rest
    ssm.delete_parameter(Name=name)
    expect_error(ssm.delete_parameter, "ParameterNotFound", Name=name)
    expect_error(ssm.get_parameter, "ParameterNotFound", Name=name)


def test_hierarchies_and_paging(ssm):
    top = root()
    names = [f"{top}/a", f"{top}/b", f"{top}/c", f"{top}/sub/d", f"{top}/sub/deep/e"]
    for n in names:
        ssm.put_parameter(Name=n, Value=n, Type="String")
    ssm.put_parameter(Name=f"{top}/sub/s", Value="x", Type="StringList")
    one = ssm.get_parameters_by_path(Path=top)["Parameters"]
    assert [p["Name"] for p in one] == names[:3]
    seen, token = [], None
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = ssm.get_parameters_by_path(Path=top, Recursive=True, MaxResults=2, **kwargs)
        assert len(page["Parameters"]) <= 2
        seen += [p["Name"] for p in page["Parameters"]]
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(seen) == sorted(names + [f"{top}/sub/s"])
    lists = ssm.get_parameters_by_path(
        Path=f"{top}/", Recursive=True,
        ParameterFilters=[{"Key": "Type", "Values": ["StringList"]}])["Parameters"]
    assert [p["Name"] for p in lists] == [f"{top}/sub/s"]
    expect_error(ssm.get_parameters_by_path, "InvalidFilterKey",
                 r"^The following filter key is not valid: Name\.", Path=top,
                 ParameterFilters=[{"Key": "Name", "Values": ["x"]}])
    expect_error(ssm.get_parameters_by_path, "ValidationException", Path=top, MaxResults=11)
    expect_error(ssm.get_parameters_by_path, "InvalidNextToken", Path=top, NextToken="bogus!")
    paginator = ssm.get_paginator("get_parameters_by_path")
    pages = paginator.paginate(Path=top, Recursive=True, PaginationConfig={"PageSize": 4})
    assert sum(len(p["Parameters"]) for p in pages) == 6
    deleted = ssm.delete_parameters(Names=[f"{top}/a", f"{top}/nope"])
    assert deleted["DeletedParameters"] == [f"{top}/a"]
    assert deleted["InvalidParameters"] == [f"{top}/nope"]


def test_describe_filters_and_paging(ssm):
    top = root()
    ssm.put_parameter(Name=f"{top}/x/one", Value="1", Type="String", Description="first",
                      Tags=[{"Key": "team", "Value": "blue"}])
    ssm.put_parameter(Name=f"{top}/x/two", Value="2", Type="SecureString")
    ssm.put_parameter(Name=f"{top}/y", Value="3", Type="String", Tier="Advanced")
    described = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": [top]}],
        MaxResults=50)["Parameters"]
    assert [p["Name"] for p in described] == [f"{top}/x/one", f"{top}/x/two", f"{top}/y"]
    assert "Value" not in described[0] and described[0]["Description"] == "first"
    assert described[1]["KeyId"] == "alias/aws/ssm"

    def names(filters):
        pages = ssm.get_paginator("describe_parameters").paginate(
            ParameterFilters=filters, PaginationConfig={"PageSize": 1})
        return [p["Name"] for page in pages for p in page["Parameters"]]

    path = {"Key": "Path", "Option": "Recursive", "Values": [top]}
    assert names([path, {"Key": "Type", "Values": ["SecureString"]}]) == [f"{top}/x/two"]
    assert names([path, {"Key": "Tier", "Values": ["Advanced"]}]) == [f"{top}/y"]
    assert names([path, {"Key": "tag:team", "Values": ["blue"]}]) == [f"{top}/x/one"]
    assert names([{"Key": "Name", "Option": "BeginsWith", "Values": [f"{top}/x"]}]) == [
        f"{top}/x/one", f"{top}/x/two"]
    assert names([{"Key": "Path", "Values": [f"{top}/x"]}]) == [f"{top}/x/one", f"{top}/x/two"]
    legacy = ssm.describe_parameters(Filters=[{"Key": "Name", "Values": [f"{top}/y"]}])
    assert [p["Name"] for p in legacy["Parameters"]] == [f"{top}/y"]
    expect_error(ssm.describe_parameters, "ValidationException",
                 r"^You can use either Filters or ParameterFilters in a single request\.$",
                 Filters=[{"Key": "Name", "Values": ["a"]}],
                 ParameterFilters=[{"Key": "Type", "Values": ["String"]}])
    expect_error(ssm.describe_parameters, "InvalidFilterOption",
                 r"^The following filter option is not valid: Contains\.",
                 ParameterFilters=[{"Key": "Type", "Option": "Contains", "Values": ["String"]}])
    expect_error(ssm.describe_parameters, "InvalidFilterKey",
                 ParameterFilters=[{"Key": "Label", "Values": ["a"]}])
    expect_error(ssm.describe_parameters, "InvalidFilterValue",
                 ParameterFilters=[{"Key": "Type", "Values": ["Blob"]}])
    expect_error(ssm.describe_parameters, "ValidationException", MaxResults=51)


def test_labels_move_between_versions(ssm):
    name = f"{root()}/app"
    for v in ("a", "b", "c"):
        ssm.put_parameter(Name=name, Value=v, Type="String", Overwrite=True)
    out = ssm.label_parameter_version(Name=name, ParameterVersion=1,
                                      Labels=["prod", "1bad", "awsx", "beta"])
    assert (out["ParameterVersion"], sorted(out["InvalidLabels"])) == (1, ["1bad", "awsx"])
    assert ssm.get_parameter(Name=f"{name}:prod")["Parameter"]["Value"] == "a"
    ssm.label_parameter_version(Name=name, Labels=["prod"])
    got = ssm.get_parameter(Name=f"{name}:prod")["Parameter"]
    assert (got["Value"], got["Selector"], got["Version"]) == ("c", ":prod", 3)
    history = ssm.get_parameter_history(Name=name)["Parameters"]
    assert [h["Labels"] for h in history] == [["beta"], [], ["prod"]]
    expect_error(ssm.label_parameter_version, "ParameterVersionNotFound", Name=name,
                 ParameterVersion=9, Labels=["x"])
    ssm.label_parameter_version(Name=name, ParameterVersion=2, Labels=[f"l{i}" for i in range(10)])
    expect_error(ssm.label_parameter_version, "ParameterVersionLabelLimitExceeded", Name=name,
                 ParameterVersion=2, Labels=["prod"])
    out = ssm.unlabel_parameter_version(Name=name, ParameterVersion=3, Labels=["prod", "zzz"])
    assert (out["RemovedLabels"], out["InvalidLabels"]) == (["prod"], ["zzz"])
    expect_error(ssm.get_parameter, "ParameterNotFound", Name=f"{name}:prod")
    by_label = ssm.get_parameters_by_path(
        Path=name.rsplit("/", 1)[0], ParameterFilters=[{"Key": "Label", "Values": ["beta"]}])
    assert [p["Name"] for p in by_label["Parameters"]] == [name]


def test_hundred_versions_and_the_labelled_oldest(ssm):
    name = f"{root()}/many"
    for i in range(100):
        ssm.put_parameter(Name=name, Value=str(i), Type="String", Overwrite=True)
    ssm.put_parameter(Name=name, Value="101", Overwrite=True)
    history = ssm.get_parameter_history(Name=name, MaxResults=50)
    assert history["Parameters"][0]["Version"] == 2
    ssm.label_parameter_version(Name=name, ParameterVersion=2, Labels=["keep"])
    expect_error(ssm.put_parameter, "ParameterMaxVersionLimitExceeded",
                 r"Version 2, the oldest version, can't be deleted because it has a label",
                 Name=name, Value="x", Overwrite=True)
    assert ssm.get_parameter(Name=name)["Parameter"]["Version"] == 101


def test_tiers_names_and_types(ssm):
    top = root()
    expect_error(ssm.put_parameter, "ValidationException", r"^Standard tier parameters support "
                 r"a maximum parameter value of 4096 characters", Name=f"{top}/big",
                 Value="x" * 4097, Type="String")
    out = ssm.put_parameter(Name=f"{top}/big", Value="x" * 8192, Type="String", Tier="Advanced")
    assert out["Tier"] == "Advanced"
    expect_error(ssm.put_parameter, "ValidationException", r"can't downgrade",
                 Name=f"{top}/big", Value="y", Tier="Standard", Overwrite=True)
    assert ssm.put_parameter(Name=f"{top}/big", Value="y", Overwrite=True)["Tier"] == "Advanced"
    auto = ssm.put_parameter(Name=f"{top}/auto", Value="x" * 5000, Type="String",
                             Tier="Intelligent-Tiering")
    assert auto["Tier"] == "Advanced"
    expect_error(ssm.put_parameter, "ValidationException", Name=f"{top}/huge",
                 Value="x" * 8193, Type="String", Tier="Advanced")
    expect_error(ssm.put_parameter, "ValidationException",
                 r"^A parameter type is required when you create a parameter\.$",
                 Name=f"{top}/untyped", Value="x")
    expect_error(ssm.put_parameter, "ParameterPatternMismatchException",
                 r"^Parameter value, cannot be validated against allowedPattern: \^\\d\+\$$",
                 Name=f"{top}/num", Value="abc", Type="String", AllowedPattern=r"^\d+$")
    ssm.put_parameter(Name=f"{top}/num", Value="42", Type="String", AllowedPattern=r"\d+")
    expect_error(ssm.put_parameter, "ParameterPatternMismatchException", Name=f"{top}/num",
                 Value="4x", Overwrite=True)
    expect_error(ssm.put_parameter, "ValidationException",
                 r"^The following data type is not supported: blob", Name=f"{top}/dt",
                 Value="x", Type="String", DataType="blob")
    expect_error(ssm.put_parameter, "ValidationException", Name=f"{top}/ami", Value="nope",
                 Type="String", DataType="aws:ec2:image")
    ami = ssm.put_parameter(Name=f"{top}/ami", Value="ami-0123456789abcdef0", Type="String",
                            DataType="aws:ec2:image")
    assert ami["Version"] == 1
    assert ssm.get_parameter(Name=f"{top}/ami")["Parameter"]["DataType"] == "aws:ec2:image"
    expect_error(ssm.put_parameter, "HierarchyLevelLimitExceededException",
                 Name="/a" * 16, Value="x", Type="String")
    expect_error(ssm.put_parameter, "ValidationException",
                 r"^Parameter name: can't be prefixed with \"ssm\" \(case-insensitive\)\. If "
                 r"formed as a path", Name=f"{top}/bad name", Value="x", Type="String")
    expect_error(ssm.put_parameter, "ValidationException", r"^1 validation error detected: "
                 r"Value at 'value' failed to satisfy constraint", Name=f"{top}/empty", Value="",
                 Type="String")
    expect_error(ssm.put_parameter, "AccessDeniedException",
                 r"^No access to reserved parameter name: /aws/x/y\.$", Name="/aws/x/y",
                 Value="x", Type="String")
    expect_error(ssm.put_parameter, "ValidationException", r"prefixed with \"aws\" or \"ssm\"",
                 Name="ssm-thing", Value="x", Type="String")
    expect_error(ssm.put_parameter, "ValidationException", r"tags and overwrite",
                 Name=f"{top}/num", Value="1", Overwrite=True, Tags=[{"Key": "a", "Value": "b"}])


def test_policies_are_checked_and_shown(ssm):
    name = f"{root()}/expiring"
    policies = json.dumps([
        {"Type": "Expiration", "Version": "1.0",
         "Attributes": {"Timestamp": "2099-01-01T00:00:00.000Z"}},
        {"Type": "NoChangeNotification", "Version": "1.0",
         "Attributes": {"After": "10", "Unit": "Days"}},
    ])
    expect_error(ssm.put_parameter, "ValidationException", Name=name, Value="v",
                 Type="String", Policies=policies)
    out = ssm.put_parameter(Name=name, Value="v", Type="String", Policies=policies,
                            Tier="Intelligent-Tiering")
    assert out["Tier"] == "Advanced"
    meta = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])
    shown = meta["Parameters"][0]["Policies"]
    assert [p["PolicyType"] for p in shown] == ["Expiration", "NoChangeNotification"]
    assert all(p["PolicyStatus"] == "Pending" for p in shown)
    bad = json.dumps([{"Type": "Explode", "Version": "1.0", "Attributes": {}}])
    expect_error(ssm.put_parameter, "InvalidPolicyTypeException", Name=name, Value="v",
                 Overwrite=True, Policies=bad)
    twice = json.dumps([json.loads(policies)[0], json.loads(policies)[0]])
    expect_error(ssm.put_parameter, "IncompatiblePolicyException", Name=name, Value="v",
                 Overwrite=True, Policies=twice)


def test_secure_string_default_and_customer_key(server, ssm):
    kms = server.client("kms")
    top = root()
    secret = f"s3cret-{uuid.uuid4()}"
    ssm.put_parameter(Name=f"{top}/default", Value=secret, Type="SecureString")
    raw = ssm.get_parameter(Name=f"{top}/default")["Parameter"]
    assert raw["Value"] != secret and base64.b64decode(raw["Value"])
    plain = ssm.get_parameter(Name=f"{top}/default", WithDecryption=True)["Parameter"]
    assert plain["Value"] == secret
    managed = kms.describe_key(KeyId="alias/aws/ssm")["KeyMetadata"]
    assert managed["KeyManager"] == "AWS"
    ctx = {"PARAMETER_ARN": raw["ARN"]}
    expect_error(kms.decrypt, "AccessDeniedException",
                 CiphertextBlob=base64.b64decode(raw["Value"]), EncryptionContext=ctx)
    key = kms.create_key(Description="ssm customer key")["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/{top[1:]}", TargetKeyId=key["KeyId"])
    for key_ref in (key["KeyId"], f"alias/{top[1:]}", key["Arn"]):
        name = f"{top}/cust-{len(key_ref)}"
        ssm.put_parameter(Name=name, Value=secret, Type="SecureString", KeyId=key_ref)
        got = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        assert got == secret
        blob = base64.b64decode(ssm.get_parameter(Name=name)["Parameter"]["Value"])
        arn = ssm.get_parameter(Name=name)["Parameter"]["ARN"]
        out = kms.decrypt(CiphertextBlob=blob, EncryptionContext={"PARAMETER_ARN": arn})
        assert out["Plaintext"] == secret.encode() and out["KeyId"] == key["Arn"]
    by_path = ssm.get_parameters_by_path(Path=top, WithDecryption=True)["Parameters"]
    assert {p["Value"] for p in by_path} == {secret}
    big = (secret + "-") * (7000 // (len(secret) + 1))
    out = ssm.put_parameter(Name=f"{top}/big", Value=big, Type="SecureString", Tier="Advanced",
                            KeyId=key["KeyId"])
    assert out["Tier"] == "Advanced"
    assert ssm.get_parameter(Name=f"{top}/big", WithDecryption=True)["Parameter"]["Value"] == big
    assert ssm.get_parameter(Name=f"{top}/big")["Parameter"]["Value"] != big
    history = ssm.get_parameter_history(Name=f"{top}/default", WithDecryption=True)
    assert history["Parameters"][0]["Value"] == secret
    expect_error(ssm.put_parameter, "InvalidKeyId", r"Error Code: NotFoundException",
                 Name=f"{top}/nokey", Value="x", Type="SecureString",
                 KeyId="alias/does-not-exist")
    kms.disable_key(KeyId=key["KeyId"])
    expect_error(ssm.get_parameter, "InvalidKeyId", r"Error Code: DisabledException",
                 Name=f"{top}/cust-{len(key['KeyId'])}", WithDecryption=True)
    assert ssm.get_parameter(Name=f"{top}/cust-{len(key['KeyId'])}")["Parameter"]["Value"]
    kms.enable_key(KeyId=key["KeyId"])
    _assert_not_at_rest(server, secret)


def _assert_not_at_rest(server, secret: str) -> None:
    if server.postgres:
        dump = subprocess.run(["pg_dump", "--data-only", server.database_url], check=True,
                              capture_output=True, timeout=120).stdout
        places = {"pg_dump": dump}
    else:
        places = {f.name: f.read_bytes() for f in server.data_dir.glob("rampart.db*")}
    assert places
    for place, data in places.items():
        for needle in (secret.encode(), base64.b64encode(secret.encode())):
            assert needle not in data, f"SecureString plaintext found in {place}"


def test_decryption_needs_kms_decrypt(secure_server):
    admin = secure_server.client("ssm")
    kms = secure_server.client("kms")
    iam = secure_server.client("iam")
    top = root()
    key = kms.create_key()["KeyMetadata"]
    admin.put_parameter(Name=f"{top}/pw", Value="hunter2", Type="SecureString",
                        KeyId=key["KeyId"])
    reader = create_user_with_key(iam, unique("reader"), policy_doc(
        allow(["ssm:GetParameter", "ssm:GetParameters"],
              [f"arn:aws:ssm:*:*:parameter{top}/*",
               "arn:aws:ssm:*:*:parameter/aws/reference/secretsmanager/*"])))
    ssm = secure_server.client_for("ssm", reader)
    raw = eventually(lambda: ssm.get_parameter(Name=f"{top}/pw"))["Parameter"]
    assert raw["Value"] != "hunter2"
    expect_error(ssm.get_parameter, "AccessDeniedException",
                 r"is not authorized to perform: kms:Decrypt on resource: " + key["Arn"],
                 Name=f"{top}/pw", WithDecryption=True)
    expect_error(ssm.put_parameter, "AccessDeniedException",
                 r"is not authorized to perform: ssm:PutParameter", Name=f"{top}/pw2",
                 Value="x", Type="String")
    expect_error(ssm.get_parameter, "AccessDeniedException", Name="/elsewhere/x")
    # The default key's policy lets every principal of the account use it through SSM.
    admin.put_parameter(Name=f"{top}/dflt", Value="open", Type="SecureString")
    got = ssm.get_parameter(Name=f"{top}/dflt", WithDecryption=True)["Parameter"]["Value"]
    assert got == "open"
    # A secret read through its reference needs secretsmanager:GetSecretValue too.
    secret = unique("refsecret")
    secure_server.client("secretsmanager").create_secret(Name=secret, SecretString="s")
    expect_error(ssm.get_parameter, "AccessDeniedException",
                 r"is not authorized to perform: secretsmanager:GetSecretValue",
                 Name=f"/aws/reference/secretsmanager/{secret}", WithDecryption=True)


def test_tags(ssm):
    name = f"{root()}/tagged"
    ssm.put_parameter(Name=name, Value="v", Type="String", Tags=[{"Key": "a", "Value": "1"}])
    ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=name,
                             Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    assert tags == [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId=name, TagKeys=["a"])
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    assert tags == [{"Key": "b", "Value": "2"}]
    expect_error(ssm.list_tags_for_resource, "InvalidResourceId", ResourceType="Parameter",
                 ResourceId=f"{name}/missing")
    expect_error(ssm.list_tags_for_resource, "InvalidResourceId", ResourceType="Document",
                 ResourceId="doc")


def test_service_settings(ssm):
    tier = "/ssm/parameter-store/default-parameter-tier"
    got = ssm.get_service_setting(SettingId=tier)["ServiceSetting"]
    assert (got["SettingValue"], got["Status"]) == ("Standard", "Default")
    ssm.update_service_setting(SettingId=got["ARN"], SettingValue="Intelligent-Tiering")
    got = ssm.get_service_setting(SettingId=tier)["ServiceSetting"]
    assert (got["SettingValue"], got["Status"]) == ("Intelligent-Tiering", "Customized")
    big = ssm.put_parameter(Name=f"{root()}/auto", Value="x" * 5000, Type="String")
    assert big["Tier"] == "Advanced"
    reset = ssm.reset_service_setting(SettingId=tier)["ServiceSetting"]
    assert (reset["SettingValue"], reset["Status"]) == ("Standard", "Default")
    expect_error(ssm.update_service_setting, "ValidationException", SettingId=tier,
                 SettingValue="Gold")
    expect_error(ssm.get_service_setting, "ServiceSettingNotFound", SettingId="/ssm/other")
    flag = "/ssm/parameter-store/high-throughput-enabled"
    ssm.update_service_setting(SettingId=flag, SettingValue="true")
    assert ssm.get_service_setting(SettingId=flag)["ServiceSetting"]["SettingValue"] == "true"


def test_secrets_manager_references(server, ssm):
    sm = server.client("secretsmanager")
    name = unique("ref")
    ref = f"/aws/reference/secretsmanager/{name}"
    arn = sm.create_secret(Name=name, SecretString="first")["ARN"]
    first = next(iter(sm.describe_secret(SecretId=name)["VersionIdsToStages"]))
    sm.put_secret_value(SecretId=name, SecretString="second")
    expect_error(ssm.get_parameter, "ValidationException",
                 r"^WithDecryption flag must be True for retrieving a Secret Manager secret\.$",
                 Name=ref)
    got = ssm.get_parameter(Name=ref, WithDecryption=True)["Parameter"]
    assert (got["Name"], got["Type"], got["Value"], got["ARN"], got["Version"]) == (
        ref, "SecureString", "second", arn, 0)
    assert "DataType" not in got and "Selector" not in got
    source = json.loads(got["SourceResult"])
    assert (source["ARN"], source["name"], source["secretString"]) == (arn, name, "second")
    assert source["versionStages"] == ["AWSCURRENT"]
    prev = ssm.get_parameter(Name=f"{ref}:AWSPREVIOUS", WithDecryption=True)["Parameter"]
    assert (prev["Name"], prev["Value"], prev["Selector"]) == (ref, "first", ":AWSPREVIOUS")
    by_id = ssm.get_parameter(Name=f"{ref}:{first}", WithDecryption=True)["Parameter"]
    assert by_id["Value"] == "first"
    expect_error(ssm.get_parameter, "ParameterNotFound",
                 rf"referencing Secrets Manager: Secret aws/reference/secretsmanager/{name}x"
                 r"null not found\.$", Name=f"{ref}x", WithDecryption=True)
    expect_error(ssm.get_parameter, "ValidationException", r"<name>:<version/label>",
                 Name=f"{ref}:a:b", WithDecryption=True)
    both = ssm.get_parameters(Names=[ref, f"{ref}:NOSTAGE"], WithDecryption=True)
    assert [p["Value"] for p in both["Parameters"]] == ["second"]
    assert both["InvalidParameters"] == [f"{ref}:NOSTAGE"]
    expect_error(ssm.put_parameter, "AccessDeniedException", r"reserved parameter name",
                 Name=ref, Value="x", Type="String", Overwrite=True)
    expect_error(ssm.delete_parameter, "ParameterNotFound", Name=ref)


def test_references_and_not_served_operations(ssm):
    _, message = expect_error(ssm.get_parameter, "ParameterNotFound",
                              Name="/aws/service/ami-amazon-linux-latest/x")
    assert message == ""
    expect_error(ssm.list_documents, "UnsupportedOperationException", r"ListDocuments")
    expect_error(ssm.send_command, "UnsupportedOperationException", r"SendCommand",
                 DocumentName="AWS-RunShellScript", InstanceIds=["i-1234567890abcdef0"])


def test_aws_cli(server):
    name = f"{root()}/cli"
    server.aws("ssm", "put-parameter", "--name", name, "--value", "from-cli", "--type",
               "SecureString")
    out = json.loads(server.aws("ssm", "get-parameter", "--name", name,
                                "--with-decryption").stdout)
    assert out["Parameter"]["Value"] == "from-cli"
    proc = server.aws("ssm", "get-parameter", "--name", f"{name}/none", check=False)
    assert proc.returncode != 0 and "ParameterNotFound" in proc.stderr


def test_expiration_policy_deletes_at_its_time(dev_server):
    import datetime

    ssm = dev_server.client("ssm")
    name = f"{root()}/short-lived"
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    policies = json.dumps([
        {"Type": "Expiration", "Version": "1.0",
         "Attributes": {"Timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.000Z")}},
        {"Type": "ExpirationNotification", "Version": "1.0",
         "Attributes": {"Before": "2", "Unit": "Hours"}},
    ])
    ssm.put_parameter(Name=name, Value="v", Type="String", Tier="Advanced", Policies=policies)
    kept = f"{root()}/kept"
    ssm.put_parameter(Name=kept, Value="v", Type="String")

    def advance(seconds):
        body = json.dumps({"advance_seconds": seconds}).encode()
        resp = dev_server.post("/_rampart/clock", body,
                               headers={"Content-Type": "application/json"})
        assert resp.status == 200, (resp.status, resp.body)

    advance(3600)
    assert ssm.get_parameter(Name=name)["Parameter"]["Value"] == "v"
    advance(2 * 86400)
    expect_error(ssm.get_parameter, "ParameterNotFound", Name=name)
    assert ssm.get_parameter(Name=kept)["Parameter"]["Value"] == "v"
