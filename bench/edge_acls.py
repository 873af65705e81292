"""The web ACLs of bench/edge_bench.py: empty, a ~1,500-WCU one of many rules of different
kinds, and AWSManagedRulesCommonRuleSet + AWSManagedRulesSQLiRuleSet. Every rule blocks, none
matches the benchmark's benign requests, so each request is inspected by all of them; a rule at
priority 0 blocks the path `/blocked-probe` so the bench can see that the ACL is enforced."""

PROBE = "/blocked-probe"
TARGET_WCU = 1500


def visibility(name: str) -> dict:
    return {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": name}


def text(*kinds: str) -> list[dict]:
    return [{"Priority": i, "Type": k} for i, k in enumerate(kinds)]


def byte(field: dict, search: str, where: str, *kinds: str) -> dict:
    return {"ByteMatchStatement": {"SearchString": search, "FieldToMatch": field,
                                   "TextTransformations": text(*(kinds or ("NONE",))),
                                   "PositionalConstraint": where}}


def probe_rule() -> dict:
    return {"Name": "probe", "Priority": 0, "Action": {"Block": {}},
            "Statement": byte({"UriPath": {}}, PROBE, "ENDS_WITH"), "VisibilityConfig": visibility("probe")}


BODY = {"Body": {"OversizeHandling": "CONTINUE"}}
JSON_BODY = {"JsonBody": {"MatchPattern": {"All": {}}, "MatchScope": "VALUE",
                          "InvalidFallbackBehavior": "EVALUATE_AS_STRING", "OversizeHandling": "CONTINUE"}}
HEADERS = {"Headers": {"MatchPattern": {"All": {}}, "MatchScope": "VALUE", "OversizeHandling": "CONTINUE"}}
UA = {"SingleHeader": {"Name": "user-agent"}}
QUERY = {"QueryString": {}}
ARGS = {"AllQueryArguments": {}}
URI = {"UriPath": {}}


def statements(i: int, ip_set: str, regex_set: str) -> list[dict]:
    """One round of statements of every kind; `i` makes their search strings distinct."""
    return [
        byte(QUERY, f"evil{i}", "CONTAINS", "URL_DECODE", "LOWERCASE"),
        byte(URI, f"/admin{i}", "STARTS_WITH", "LOWERCASE"),
        byte(UA, f"badbot{i}", "CONTAINS_WORD", "LOWERCASE"),
        byte(BODY, f"drop table t{i}", "CONTAINS", "COMPRESS_WHITE_SPACE", "LOWERCASE"),
        byte(JSON_BODY, f"attack{i}", "CONTAINS", "LOWERCASE"),
        byte(HEADERS, f"inject{i}", "CONTAINS", "HTML_ENTITY_DECODE", "LOWERCASE"),
        {"RegexMatchStatement": {"RegexString": f"(?i)(union|select)\\s+x{i}", "FieldToMatch": BODY,
                                 "TextTransformations": text("URL_DECODE")}},
        {"RegexPatternSetReferenceStatement": {"ARN": regex_set, "FieldToMatch": QUERY,
                                               "TextTransformations": text("URL_DECODE")}},
        {"SqliMatchStatement": {"FieldToMatch": ARGS, "TextTransformations": text("URL_DECODE"),
                                "SensitivityLevel": "LOW"}},
        {"SqliMatchStatement": {"FieldToMatch": BODY, "TextTransformations": text("NONE"),
                                "SensitivityLevel": "HIGH"}},
        {"XssMatchStatement": {"FieldToMatch": BODY, "TextTransformations": text("HTML_ENTITY_DECODE")}},
        {"XssMatchStatement": {"FieldToMatch": QUERY, "TextTransformations": text("URL_DECODE")}},
        {"SizeConstraintStatement": {"FieldToMatch": QUERY, "ComparisonOperator": "GT",
                                     "Size": 4096 + i, "TextTransformations": text("NONE")}},
        {"IPSetReferenceStatement": {"ARN": ip_set}},
        {"NotStatement": {"Statement": byte(URI, "/", "STARTS_WITH")}},
        {"AndStatement": {"Statements": [byte(URI, f"/api{i}", "STARTS_WITH"),
                                         byte(UA, "curl", "CONTAINS", "LOWERCASE")]}},
        {"OrStatement": {"Statements": [byte(QUERY, f"../{i}", "CONTAINS", "URL_DECODE"),
                                        byte(URI, f".php{i}", "ENDS_WITH", "LOWERCASE")]}},
        {"LabelMatchStatement": {"Scope": "LABEL", "Key": f"bench:never:{i}"}},
    ]


def rule(name: str, priority: int, statement: dict) -> dict:
    return {"Name": name, "Priority": priority, "Action": {"Block": {}}, "Statement": statement,
            "VisibilityConfig": visibility(name)}


def wcu_rules(waf, ip_set: str, regex_set: str) -> tuple[list[dict], int]:
    """Rules of every kind added until the next would pass TARGET_WCU; (rules, capacity)."""
    rules = [probe_rule(),
             {"Name": "rate", "Priority": 1, "Action": {"Block": {}}, "VisibilityConfig": visibility("rate"),
              "Statement": {"RateBasedStatement": {"Limit": 2_000_000_000, "AggregateKeyType": "IP"}}}]
    capacity = waf.check_capacity(Scope="REGIONAL", Rules=rules)["Capacity"]
    for i in range(100):
        for statement in statements(i, ip_set, regex_set):
            candidate = rule(f"r{len(rules)}", len(rules), statement)
            cost = waf.check_capacity(Scope="REGIONAL", Rules=[candidate])["Capacity"]
            if capacity + cost > TARGET_WCU:
                return rules, capacity
            rules.append(candidate)
            capacity += cost
    return rules, capacity


def managed_rules() -> list[dict]:
    def group(name: str, priority: int) -> dict:
        return {"Name": name, "Priority": priority, "OverrideAction": {"None": {}},
                "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name}},
                "VisibilityConfig": visibility(name)}

    return [probe_rule(), group("AWSManagedRulesCommonRuleSet", 1), group("AWSManagedRulesSQLiRuleSet", 2)]


def web_acls(waf) -> dict[str, str]:
    """Stage name → web ACL ARN for the three protected stages."""
    ip_set = waf.create_ip_set(Name="bench-ips", Scope="REGIONAL", IPAddressVersion="IPV4",
                               Addresses=[f"10.{i}.0.0/16" for i in range(50)])["Summary"]["ARN"]
    regex_set = waf.create_regex_pattern_set(
        Name="bench-regex", Scope="REGIONAL",
        RegularExpressionList=[{"RegexString": r"(?i)<script[^>]*>"}, {"RegexString": r"\bwget\s+http"},
                               {"RegexString": r"/etc/(passwd|shadow)"}])["Summary"]["ARN"]
    big, capacity = wcu_rules(waf, ip_set, regex_set)
    print(f"# the WCU ACL: {len(big)} rules, {capacity} WCU", flush=True)
    acls = {"empty": [], "wcu1500": big, "managed": managed_rules()}
    arns = {}
    for stage, rules in acls.items():
        acl = waf.create_web_acl(Name=f"bench-{stage}", Scope="REGIONAL", DefaultAction={"Allow": {}},
                                 Rules=rules, VisibilityConfig=visibility(stage))
        arns[stage] = acl["Summary"]["ARN"]
    return arns
