"""WAFv2 through boto3: IP sets, regex pattern sets, rule groups and web ACLs (lock tokens,
duplicate names, in-use deletes, pagination), CLOUDFRONT scope outside us-east-1, CheckCapacity
with the developer guide's WCU costs, the managed rule group catalog, associations, logging,
permission policies, tags, samples and rate-based keys, and operations not served."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from harness import allow, create_user_with_key, eventually, expect_error, policy_doc, unique

LOCK_MESSAGE = (
    "AWS WAF couldn\u2019t save your changes because someone changed the resource after you "
    "started to edit it. Reapply your changes."
)
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.fixture(scope="module")
def waf(server):
    return server.client("wafv2")


def name(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def visibility(metric: str = "m") -> dict:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": metric}


def transforms(n: int) -> list[dict]:
    """`n` text transformations (0: the model's minimum of one, NONE, which costs nothing)."""
    if n == 0:
        return [{"Priority": 0, "Type": "NONE"}]
    return [{"Priority": i, "Type": "LOWERCASE"} for i in range(n)]


def rule(rule_name: str, priority: int, statement: dict, action: str = "Block") -> dict:
    return {"Name": rule_name, "Priority": priority, "Statement": statement,
            "Action": {action: {}}, "VisibilityConfig": visibility(rule_name)}


def geo() -> dict:
    return {"GeoMatchStatement": {"CountryCodes": ["US"]}}


def sqli(n: int = 1) -> dict:
    return {"SqliMatchStatement": {"FieldToMatch": {"Body": {"OversizeHandling": "CONTINUE"}},
                                   "TextTransformations": transforms(n)}}


def ip_set(waf, addresses=("10.0.0.0/8",), **kwargs) -> dict:
    return waf.create_ip_set(Name=name("ips"), Scope="REGIONAL", IPAddressVersion="IPV4",
                             Addresses=list(addresses), **kwargs)["Summary"]


def web_acl(waf, rules=(), **kwargs) -> dict:
    return waf.create_web_acl(Name=name("acl"), Scope="REGIONAL", DefaultAction={"Allow": {}},
                              VisibilityConfig=visibility(), Rules=list(rules), **kwargs)["Summary"]


def waf_error(call, code: str, **kwargs) -> dict:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    assert err.value.response["Error"]["Code"] == code, err.value.response
    return err.value.response


def test_ip_set_lifecycle_lock_tokens_and_pagination(waf):
    made = ip_set(waf, ["10.0.0.0/8", "192.0.2.44/32"], Description="office")
    assert re.fullmatch(rf"arn:aws:wafv2:us-east-1:\d{{12}}:regional/ipset/{made['Name']}/{UUID}",
                        made["ARN"]), made
    assert re.fullmatch(UUID, made["Id"]) and re.fullmatch(UUID, made["LockToken"])
    got = waf.get_ip_set(Name=made["Name"], Scope="REGIONAL", Id=made["Id"])
    assert got["IPSet"]["Addresses"] == ["10.0.0.0/8", "192.0.2.44/32"]
    assert got["IPSet"]["IPAddressVersion"] == "IPV4" and got["LockToken"] == made["LockToken"]
    key = dict(Name=made["Name"], Scope="REGIONAL", Id=made["Id"])
    nxt = waf.update_ip_set(**key, Addresses=["172.16.0.0/12"], LockToken=made["LockToken"])
    assert nxt["NextLockToken"] != made["LockToken"]
    # The same token again (a second writer that read before the first update): refused.
    expect_error(waf.update_ip_set, "WAFOptimisticLockException", re.escape(LOCK_MESSAGE),
                 **key, Addresses=["1.1.1.1/32"], LockToken=made["LockToken"])
    got = waf.get_ip_set(**key)["IPSet"]
    assert got["Addresses"] == ["172.16.0.0/12"] and "Description" not in got
    expect_error(waf.delete_ip_set, "WAFOptimisticLockException", **key, LockToken=made["LockToken"])
    waf.delete_ip_set(**key, LockToken=nxt["NextLockToken"])
    expect_error(waf.get_ip_set, "WAFNonexistentItemException", "doesn\u2019t exist", **key)


def test_ip_set_pagination_duplicates_and_validation(waf):
    names = sorted(ip_set(waf)["Name"] for _ in range(3))
    seen, marker = [], None
    while True:
        page = waf.list_ip_sets(Scope="REGIONAL", Limit=1, **({"NextMarker": marker} if marker else {}))
        assert len(page["IPSets"]) <= 1
        seen += [s["Name"] for s in page["IPSets"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert set(names) <= set(seen) and seen == sorted(seen)
    expect_error(waf.create_ip_set, "WAFDuplicateItemException", Name=names[0], Scope="REGIONAL",
                 IPAddressVersion="IPV4", Addresses=[])
    resp = waf_error(waf.create_ip_set, "WAFInvalidParameterException", Name=name(), Scope="REGIONAL",
                     IPAddressVersion="IPV4", Addresses=["10.0.0.0/33"])
    assert resp["Error"]["Message"] == ("Error reason: The parameter contains formatting that is not "
                                        "valid., field: IP_ADDRESS, parameter: 10.0.0.0/33")
    assert resp.get("Field") == "IP_ADDRESS" and resp.get("Parameter") == "10.0.0.0/33"
    expect_error(waf.create_ip_set, "WAFInvalidParameterException", "field: IP_ADDRESS",
                 Name=name(), Scope="REGIONAL", IPAddressVersion="IPV6", Addresses=["10.0.0.0/8"])
    v6 = waf.create_ip_set(Name=name(), Scope="REGIONAL", IPAddressVersion="IPV6",
                           Addresses=["2001:db8::/32"])["Summary"]
    assert v6["Name"] not in seen


def test_cloudfront_scope_only_in_us_east_1(server, waf):
    west = server.client("wafv2", region="us-west-2")
    resp = waf_error(west.create_ip_set, "WAFInvalidParameterException", Name=name(),
                     Scope="CLOUDFRONT", IPAddressVersion="IPV4", Addresses=[])
    assert resp["Error"]["Message"] == ("Error reason: The scope is not valid., field: SCOPE_VALUE, "
                                        "parameter: CLOUDFRONT")
    expect_error(west.list_web_acls, "WAFInvalidParameterException", "SCOPE_VALUE", Scope="CLOUDFRONT")
    made = waf.create_ip_set(Name=name(), Scope="CLOUDFRONT", IPAddressVersion="IPV4",
                             Addresses=[])["Summary"]
    assert ":global/ipset/" in made["ARN"] and made["ARN"].startswith("arn:aws:wafv2:us-east-1:")
    regional = [s["Name"] for s in waf.list_ip_sets(Scope="REGIONAL", Limit=100)["IPSets"]]
    assert made["Name"] not in regional
    assert west.list_ip_sets(Scope="REGIONAL")["IPSets"] == []


def test_regex_pattern_sets(waf):
    made = waf.create_regex_pattern_set(Name=name("rx"), Scope="REGIONAL",
                                        RegularExpressionList=[{"RegexString": "^/admin"}])["Summary"]
    key = dict(Name=made["Name"], Scope="REGIONAL", Id=made["Id"])
    got = waf.get_regex_pattern_set(**key)
    assert got["RegexPatternSet"]["RegularExpressionList"] == [{"RegexString": "^/admin"}]
    nxt = waf.update_regex_pattern_set(**key, LockToken=got["LockToken"],
                                       RegularExpressionList=[{"RegexString": "bad[0-9]+"}])
    assert [s["Name"] for s in waf.list_regex_pattern_sets(Scope="REGIONAL")["RegexPatternSets"]
            if s["Id"] == made["Id"]] == [made["Name"]]
    expect_error(waf.create_regex_pattern_set, "WAFInvalidParameterException", "REGEX_PATTERN_SET",
                 Name=name(), Scope="REGIONAL", RegularExpressionList=[{"RegexString": "(a"}])
    waf.delete_regex_pattern_set(**key, LockToken=nxt["NextLockToken"])


def test_check_capacity_documented_costs(waf):
    ips = ip_set(waf)

    def cost(statement):
        return waf.check_capacity(Scope="REGIONAL", Rules=[rule("r", 0, statement)])["Capacity"]

    def byte(constraint, n, field=None):
        return {"ByteMatchStatement": {"SearchString": "bad", "PositionalConstraint": constraint,
                                       "FieldToMatch": field or {"UriPath": {}},
                                       "TextTransformations": transforms(n)}}

    assert cost(byte("EXACTLY", 0)) == 2
    assert cost(byte("CONTAINS", 1)) == 20
    assert cost(byte("STARTS_WITH", 1, {"AllQueryArguments": {}})) == 22
    assert cost(sqli(1)) == 30
    assert cost({"XssMatchStatement": {"FieldToMatch": {"UriPath": {}}, "TextTransformations": transforms(1)}}) == 50
    assert cost(geo()) == 1
    assert cost({"IPSetReferenceStatement": {"ARN": ips["ARN"]}}) == 1
    assert cost({"RateBasedStatement": {"Limit": 100, "AggregateKeyType": "IP"}}) == 2
    assert cost({"AndStatement": {"Statements": [geo(), sqli(1)]}}) == 31
    managed = {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}}
    rules = [rule("a", 0, geo()), dict(rule("m", 1, managed), OverrideAction={"None": {}})]
    del rules[1]["Action"]
    assert waf.check_capacity(Scope="REGIONAL", Rules=rules)["Capacity"] == 701
    missing = ips["ARN"].rsplit("/", 1)[0] + "/" + str(uuid.uuid4())
    expect_error(waf.check_capacity, "WAFNonexistentItemException", Scope="REGIONAL",
                 Rules=[rule("r", 0, {"IPSetReferenceStatement": {"ARN": missing}})])


def test_rule_groups_capacity_and_labels(waf):
    rules = [rule("sqli", 0, sqli(1)), dict(rule("geo", 1, geo()), RuleLabels=[{"Name": "from:us"}])]
    expect_error(waf.create_rule_group, "WAFLimitsExceededException", Name=name(), Scope="REGIONAL",
                 Capacity=30, Rules=rules, VisibilityConfig=visibility())
    made = waf.create_rule_group(Name=name("rg"), Scope="REGIONAL", Capacity=31, Rules=rules,
                                 VisibilityConfig=visibility())["Summary"]
    got = waf.get_rule_group(Name=made["Name"], Scope="REGIONAL", Id=made["Id"])
    group = got["RuleGroup"]
    assert group["Capacity"] == 31 and [r["Name"] for r in group["Rules"]] == ["sqli", "geo"]
    assert group["LabelNamespace"].endswith(f":rulegroup:{made['Name']}:")
    assert group["AvailableLabels"] == [{"Name": group["LabelNamespace"] + "from:us"}]
    assert waf.get_rule_group(ARN=made["ARN"])["RuleGroup"]["Id"] == made["Id"]
    key = dict(Name=made["Name"], Scope="REGIONAL", Id=made["Id"])
    expect_error(waf.update_rule_group, "WAFLimitsExceededException", **key, LockToken=got["LockToken"],
                 Rules=rules + [rule("more", 2, geo())], VisibilityConfig=visibility())
    expect_error(waf.create_rule_group, "WAFInvalidParameterException", "field: RULE", Name=name(),
                 Scope="REGIONAL", Capacity=100, VisibilityConfig=visibility(),
                 Rules=[rule("x", 0, geo()), rule("x", 1, geo())])
    expect_error(waf.create_rule_group, "WAFInvalidParameterException", "field: RULE, parameter: 0",
                 Name=name(), Scope="REGIONAL", Capacity=100, VisibilityConfig=visibility(),
                 Rules=[rule("x", 0, geo()), rule("y", 0, geo())])
    expect_error(waf.create_rule_group, "WAFInvalidParameterException", "field: STATEMENT",
                 Name=name(), Scope="REGIONAL", Capacity=100, VisibilityConfig=visibility(),
                 Rules=[rule("x", 0, {**geo(), **sqli()})])
    assert any(g["Id"] == made["Id"] for g in waf.list_rule_groups(Scope="REGIONAL")["RuleGroups"])


def test_web_acls_references_in_use_and_races(waf):
    ips = ip_set(waf)
    group = waf.create_rule_group(Name=name("rg"), Scope="REGIONAL", Capacity=50,
                                  Rules=[rule("g", 0, geo())], VisibilityConfig=visibility())["Summary"]
    group_rule = {"Name": "grp", "Priority": 2, "OverrideAction": {"None": {}},
                  "Statement": {"RuleGroupReferenceStatement": {"ARN": group["ARN"]}},
                  "VisibilityConfig": visibility("grp")}
    block_page = {"Name": "ips", "Priority": 1, "VisibilityConfig": visibility("ips"),
                  "Statement": {"IPSetReferenceStatement": {"ARN": ips["ARN"]}},
                  "Action": {"Block": {"CustomResponse": {"ResponseCode": 403,
                                                          "CustomResponseBodyKey": "denied"}}}}
    bodies = {"denied": {"ContentType": "TEXT_PLAIN", "Content": "no"}}
    expect_error(web_acl, "WAFInvalidParameterException", "CUSTOM_RESPONSE_BODY", waf=waf,
                 rules=[block_page])
    acl = web_acl(waf, [block_page, group_rule, rule("sqli", 3, sqli(1))], CustomResponseBodies=bodies)
    assert re.search(rf":regional/webacl/{acl['Name']}/{UUID}$", acl["ARN"])
    key = dict(Name=acl["Name"], Scope="REGIONAL", Id=acl["Id"])
    got = waf.get_web_acl(**key)
    assert got["WebACL"]["Capacity"] == 1 + 50 + 30
    assert got["WebACL"]["DefaultAction"] == {"Allow": {}}
    assert got["WebACL"]["CustomResponseBodies"] == bodies
    assert waf.get_web_acl(ARN=acl["ARN"])["WebACL"]["Id"] == acl["Id"]
    # In use: the IP set and the rule group cannot be deleted while the web ACL references them.
    ip_token = waf.get_ip_set(Name=ips["Name"], Scope="REGIONAL", Id=ips["Id"])["LockToken"]
    expect_error(waf.delete_ip_set, "WAFAssociatedItemException", "being used",
                 Name=ips["Name"], Scope="REGIONAL", Id=ips["Id"], LockToken=ip_token)
    expect_error(waf.delete_rule_group, "WAFAssociatedItemException", Name=group["Name"],
                 Scope="REGIONAL", Id=group["Id"], LockToken=group["LockToken"])
    missing = ips["ARN"].rsplit("/", 1)[0] + "/" + str(uuid.uuid4())
    expect_error(web_acl, "WAFNonexistentItemException", waf=waf,
                 rules=[rule("m", 0, {"IPSetReferenceStatement": {"ARN": missing}})])
    # Two writers with the same lock token: the second is refused.
    token = got["LockToken"]
    update = dict(key, DefaultAction={"Block": {}}, VisibilityConfig=visibility(), Rules=[])
    first = waf.update_web_acl(**update, LockToken=token)
    expect_error(waf.update_web_acl, "WAFOptimisticLockException", re.escape(LOCK_MESSAGE),
                 **update, LockToken=token)
    now = waf.get_web_acl(**key)
    assert now["WebACL"]["Rules"] == [] and now["WebACL"]["Capacity"] == 0
    assert now["LockToken"] == first["NextLockToken"]
    # Dropped references: the IP set can go now.
    waf.delete_ip_set(Name=ips["Name"], Scope="REGIONAL", Id=ips["Id"], LockToken=ip_token)
    dup = waf_error(waf.create_web_acl, "WAFDuplicateItemException", Name=acl["Name"], Scope="REGIONAL",
                    DefaultAction={"Allow": {}}, VisibilityConfig=visibility())
    assert "duplicate" in dup["Error"]["Message"]
    listed = waf.list_web_acls(Scope="REGIONAL", Limit=100)["WebACLs"]
    assert any(a["ARN"] == acl["ARN"] and a["LockToken"] == first["NextLockToken"] for a in listed)
    waf.delete_web_acl(**key, LockToken=first["NextLockToken"])
    expect_error(waf.get_web_acl, "WAFNonexistentItemException", **key)


def test_associations(waf):
    acl = web_acl(waf)
    other = web_acl(waf)
    stage = f"arn:aws:apigateway:us-east-1::/restapis/{uuid.uuid4().hex[:10]}/stages/prod"
    waf.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=stage)
    assert waf.get_web_acl_for_resource(ResourceArn=stage)["WebACL"]["ARN"] == acl["ARN"]
    assert waf.list_resources_for_web_acl(WebACLArn=acl["ARN"], ResourceType="API_GATEWAY")["ResourceArns"] == [stage]
    assert waf.list_resources_for_web_acl(WebACLArn=acl["ARN"])["ResourceArns"] == []
    token = waf.get_web_acl(Name=acl["Name"], Scope="REGIONAL", Id=acl["Id"])["LockToken"]
    expect_error(waf.delete_web_acl, "WAFAssociatedItemException", Name=acl["Name"],
                 Scope="REGIONAL", Id=acl["Id"], LockToken=token)
    # One web ACL per resource: associating another moves it.
    waf.associate_web_acl(WebACLArn=other["ARN"], ResourceArn=stage)
    assert waf.get_web_acl_for_resource(ResourceArn=stage)["WebACL"]["ARN"] == other["ARN"]
    assert waf.list_resources_for_web_acl(WebACLArn=acl["ARN"], ResourceType="API_GATEWAY")["ResourceArns"] == []
    for bad in ["arn:aws:apigateway:us-west-2::/restapis/a/stages/p", "arn:aws:s3:::my-bucket-name", "not-an-arn-at-all-here"]:
        resp = waf_error(waf.associate_web_acl, "WAFInvalidParameterException", WebACLArn=acl["ARN"],
                         ResourceArn=bad)
        assert resp.get("Field") == "RESOURCE_ARN"
    bare = waf.create_web_acl(Name=name("acl"), Scope="REGIONAL", DefaultAction={"Block": {}},
                              VisibilityConfig=visibility())["Summary"]
    assert waf.get_web_acl(ARN=bare["ARN"])["WebACL"]["Rules"] == []
    waf.disassociate_web_acl(ResourceArn=stage)
    assert "WebACL" not in waf.get_web_acl_for_resource(ResourceArn=stage)
    waf.delete_web_acl(Name=acl["Name"], Scope="REGIONAL", Id=acl["Id"], LockToken=token)


def test_logging_configuration(server, waf):
    acl = web_acl(waf)
    account = acl["ARN"].split(":")[4]
    dest = f"arn:aws:firehose:us-east-1:{account}:deliverystream/aws-waf-logs-{uuid.uuid4().hex[:6]}"
    config = {"ResourceArn": acl["ARN"], "LogDestinationConfigs": [dest],
              "RedactedFields": [{"SingleHeader": {"Name": "authorization"}}],
              "LoggingFilter": {"DefaultBehavior": "KEEP", "Filters": [{
                  "Behavior": "DROP", "Requirement": "MEETS_ANY",
                  "Conditions": [{"ActionCondition": {"Action": "ALLOW"}}]}]}}
    put = waf.put_logging_configuration(LoggingConfiguration=config)["LoggingConfiguration"]
    assert put["LogDestinationConfigs"] == [dest]
    got = waf.get_logging_configuration(ResourceArn=acl["ARN"])["LoggingConfiguration"]
    assert got["RedactedFields"] == config["RedactedFields"] and got["LoggingFilter"] == config["LoggingFilter"]
    listed = waf.list_logging_configurations(Scope="REGIONAL")["LoggingConfigurations"]
    assert acl["ARN"] in [c["ResourceArn"] for c in listed]
    expect_error(waf.put_logging_configuration, "WAFInvalidParameterException", "LOG_DESTINATION",
                 LoggingConfiguration=dict(config, LogDestinationConfigs=["arn:aws:s3:::my-bucket"]))
    expect_error(waf.put_logging_configuration, "WAFInvalidParameterException", "FIELD_TO_MATCH",
                 LoggingConfiguration=dict(config, RedactedFields=[{"Body": {}}]))
    waf.delete_logging_configuration(ResourceArn=acl["ARN"])
    expect_error(waf.get_logging_configuration, "WAFNonexistentItemException", ResourceArn=acl["ARN"])


def test_permission_policy_and_tags(waf):
    group = waf.create_rule_group(Name=name("rg"), Scope="REGIONAL", Capacity=5, Rules=[],
                                  VisibilityConfig=visibility(),
                                  Tags=[{"Key": "team", "Value": "blue"}])["Summary"]
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": ["wafv2:CreateWebACL", "wafv2:UpdateWebACL", "wafv2:PutFirewallManagerRuleGroups"]}]})
    waf.put_permission_policy(ResourceArn=group["ARN"], Policy=policy)
    assert json.loads(waf.get_permission_policy(ResourceArn=group["ARN"])["Policy"]) == json.loads(policy)
    bad = json.loads(policy)
    bad["Statement"][0]["Action"] = "wafv2:*"
    expect_error(waf.put_permission_policy, "WAFInvalidPermissionPolicyException",
                 ResourceArn=group["ARN"], Policy=json.dumps(bad))
    waf.delete_permission_policy(ResourceArn=group["ARN"])
    assert "Policy" not in waf.get_permission_policy(ResourceArn=group["ARN"])
    waf.tag_resource(ResourceARN=group["ARN"], Tags=[{"Key": "env", "Value": "prod"},
                                                    {"Key": "team", "Value": "red"}])
    info = waf.list_tags_for_resource(ResourceARN=group["ARN"])["TagInfoForResource"]
    assert info["ResourceARN"] == group["ARN"]
    assert info["TagList"] == [{"Key": "team", "Value": "red"}, {"Key": "env", "Value": "prod"}]
    page = waf.list_tags_for_resource(ResourceARN=group["ARN"], Limit=1)
    assert page["TagInfoForResource"]["TagList"] == [{"Key": "team", "Value": "red"}]
    rest = waf.list_tags_for_resource(ResourceARN=group["ARN"], Limit=1, NextMarker=page["NextMarker"])
    assert rest["TagInfoForResource"]["TagList"] == [{"Key": "env", "Value": "prod"}]
    waf.untag_resource(ResourceARN=group["ARN"], TagKeys=["team"])
    tags = waf.list_tags_for_resource(ResourceARN=group["ARN"])["TagInfoForResource"]["TagList"]
    assert tags == [{"Key": "env", "Value": "prod"}]
    # Tags leave the lock token as it was.
    assert waf.get_rule_group(ARN=group["ARN"])["LockToken"] == group["LockToken"]
    missing = group["ARN"].rsplit("/", 1)[0] + "/" + str(uuid.uuid4())
    expect_error(waf.tag_resource, "WAFNonexistentItemException", ResourceARN=missing,
                 Tags=[{"Key": "a", "Value": "b"}])


def test_managed_rule_group_catalog(waf):
    groups = waf.list_available_managed_rule_groups(Scope="REGIONAL")["ManagedRuleGroups"]
    names = {g["Name"] for g in groups}
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList",
            "AWSManagedRulesAnonymousIpList"} <= names and len(names) == 10
    first = waf.list_available_managed_rule_groups(Scope="REGIONAL", Limit=4)
    assert len(first["ManagedRuleGroups"]) == 4 and "NextMarker" in first
    crs = waf.describe_managed_rule_group(VendorName="AWS", Name="AWSManagedRulesCommonRuleSet",
                                          Scope="REGIONAL")
    assert crs["Capacity"] == 700 and crs["LabelNamespace"] == "awswaf:managed:aws:core-rule-set:"
    assert {"Name": "NoUserAgent_HEADER", "Action": {"Block": {}}} in crs["Rules"]
    ip_rep = waf.describe_managed_rule_group(VendorName="AWS", Name="AWSManagedRulesAmazonIpReputationList",
                                             Scope="REGIONAL")
    assert ip_rep["Capacity"] == 25
    versions = waf.list_available_managed_rule_group_versions(VendorName="AWS", Name="AWSManagedRulesSQLiRuleSet",
                                                              Scope="REGIONAL")
    assert versions["CurrentDefaultVersion"] in [v["Name"] for v in versions["Versions"]]
    expect_error(waf.describe_managed_rule_group, "WAFNonexistentItemException", VendorName="AWS",
                 Name="NoSuchGroup", Scope="REGIONAL")


def test_samples_and_rate_based_keys(waf):
    rate = rule("rate", 0, {"RateBasedStatement": {"Limit": 100, "AggregateKeyType": "IP"}})
    acl = web_acl(waf, [rate, rule("geo", 1, geo())])
    now = time.time()
    window = {"StartTime": now - 600, "EndTime": now}
    got = waf.get_sampled_requests(WebAclArn=acl["ARN"], RuleMetricName="rate", Scope="REGIONAL",
                                   TimeWindow=window, MaxItems=100)
    assert got["SampledRequests"] == [] and got["PopulationSize"] == 0
    expect_error(waf.get_sampled_requests, "WAFInvalidParameterException", WebAclArn=acl["ARN"],
                 RuleMetricName="rate", Scope="REGIONAL", MaxItems=100,
                 TimeWindow={"StartTime": now - 5 * 3600, "EndTime": now})
    keys = waf.get_rate_based_statement_managed_keys(Scope="REGIONAL", WebACLName=acl["Name"],
                                                     WebACLId=acl["Id"], RuleName="rate")
    assert keys["ManagedKeysIPV4"] == {"IPAddressVersion": "IPV4", "Addresses": []}
    expect_error(waf.get_rate_based_statement_managed_keys, "WAFInvalidParameterException",
                 Scope="REGIONAL", WebACLName=acl["Name"], WebACLId=acl["Id"], RuleName="geo")
    expect_error(waf.get_rate_based_statement_managed_keys, "WAFNonexistentItemException",
                 Scope="REGIONAL", WebACLName=acl["Name"], WebACLId=acl["Id"], RuleName="none")


def test_operations_not_served(waf):
    expect_error(waf.list_api_keys, "UnsupportedOperationException", "ListAPIKeys", Scope="REGIONAL")


def test_authorization_by_operation_and_arn(secure_server):
    admin = secure_server.client("wafv2")
    mine = ip_set(admin)
    other = ip_set(admin)
    reader = create_user_with_key(secure_server.client("iam"), unique("wafreader"), policy_doc(
        allow(["wafv2:GetIPSet"], mine["ARN"]), allow(["wafv2:ListIPSets"], "*")))
    waf = secure_server.client_for("wafv2", reader)
    got = eventually(lambda: waf.get_ip_set(Name=mine["Name"], Scope="REGIONAL", Id=mine["Id"]))
    assert got["IPSet"]["ARN"] == mine["ARN"]
    assert waf.list_ip_sets(Scope="REGIONAL")["IPSets"]
    expect_error(waf.get_ip_set, "AccessDeniedException", "wafv2:GetIPSet",
                 Name=other["Name"], Scope="REGIONAL", Id=other["Id"])
    expect_error(waf.update_ip_set, "AccessDeniedException", "wafv2:UpdateIPSet", Name=mine["Name"],
                 Scope="REGIONAL", Id=mine["Id"], Addresses=[], LockToken=mine["LockToken"])
