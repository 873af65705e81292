//! Rule processing: priorities, actions, labels, rule groups and their overrides, tokens.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use rampart_waf::{Environment, FinalAction, MatchedRule, RateState, TokenCheck};
use serde_json::{Value, json};

fn starts(p: &str) -> Value {
    byte_match(p, json!({"UriPath": {}}), "STARTS_WITH", &[])
}

fn label_match(scope: &str, key: &str) -> Value {
    json!({"LabelMatchStatement": {"Scope": scope, "Key": key}})
}

fn matched(rule: &str, group_rule: Option<&str>, action: &'static str) -> MatchedRule {
    // The groups of these tests: `grp` by reference, `AWSManagedRulesTest` managed.
    let group = if rule == "managed" {
        "AWSManagedRulesTest"
    } else {
        "grp"
    };
    MatchedRule {
        rule: rule.into(),
        rule_group: group_rule.map(|_| group.to_owned()),
        group_rule: group_rule.map(Into::into),
        action,
    }
}

#[test]
fn rules_run_by_priority_and_the_first_terminating_one_wins() {
    let rules = json!([
        rule("allow-a", 20, starts("/a"), json!({"Allow": {}})),
        rule("block-ab", 10, starts("/ab"), block()),
        rule("count-all", 5, starts("/"), count()),
    ]);
    let p = plan(&acl_with(rules, block()), &Res::default());
    let v = eval(&p, &req("/abc"));
    assert_eq!(v.action, FinalAction::Block(None));
    assert_eq!(v.terminating_rule, Some(matched("block-ab", None, "BLOCK")));
    assert_eq!(v.non_terminating, [matched("count-all", None, "COUNT")]);
    let v = eval(&p, &req("/a"));
    assert_eq!(v.action, FinalAction::Allow);
    assert_eq!(v.terminating_rule.unwrap().rule, "allow-a");
    let v = eval(&p, &req("/zzz"));
    assert_eq!(v.action, FinalAction::Block(None), "the default action");
    assert!(v.terminating_rule.is_none());
}

#[test]
fn custom_responses_and_request_headers() {
    let mut a = acl_with(
        json!([
            rule(
                "tag",
                0,
                starts("/"),
                json!({"Count": {"CustomRequestHandling": {"InsertHeaders": [{"Name": "seen", "Value": "1"}]}}})
            ),
            rule(
                "deny",
                1,
                starts("/deny"),
                json!({"Block": {"CustomResponse": {"ResponseCode": 429, "CustomResponseBodyKey": "slow",
                "ResponseHeaders": [{"Name": "Retry-After", "Value": "60"}]}}})
            ),
        ]),
        json!({"Allow": {"CustomRequestHandling": {"InsertHeaders": [{"Name": "default", "Value": "yes"}]}}}),
    );
    a["CustomResponseBodies"] =
        json!({"slow": {"ContentType": "TEXT_PLAIN", "Content": "slow down"}});
    let p = plan(&a, &Res::default());
    let v = eval(&p, &req("/ok"));
    assert_eq!(v.action, FinalAction::Allow);
    assert_eq!(
        v.insert_headers,
        [
            ("x-amzn-waf-seen".into(), "1".into()),
            ("x-amzn-waf-default".into(), "yes".into())
        ]
    );
    let v = eval(&p, &req("/deny"));
    let FinalAction::Block(Some(resp)) = v.action else {
        panic!("custom block expected")
    };
    assert_eq!(resp.status, 429);
    assert_eq!(resp.headers, [("Retry-After".to_owned(), "60".to_owned())]);
    assert_eq!(resp.body, Some(("text/plain".into(), "slow down".into())));
    a["CustomResponseBodies"] = json!({});
    let err = rampart_waf::compile(&a, &Res::default()).err().unwrap();
    assert!(err.message().contains("slow"), "{err}");
}

#[test]
fn labels_are_namespaced_and_visible_only_to_later_rules() {
    let rules = json!([
        {"Name": "early", "Priority": 0, "Statement": label_match("LABEL", "bad:client"), "Action": block(), "VisibilityConfig": visibility("e")},
        {"Name": "tagger", "Priority": 1, "Statement": starts("/x"), "Action": count(), "VisibilityConfig": visibility("t"),
         "RuleLabels": [{"Name": "bad:client"}, {"Name": "other"}]},
        {"Name": "by-label", "Priority": 2, "Statement": label_match("LABEL", "client"), "Action": block(), "VisibilityConfig": visibility("l")},
    ]);
    let p = plan(&acl(rules), &Res::default());
    let v = eval(&p, &req("/x"));
    assert_eq!(
        v.labels,
        [format!("{ACL_NS}bad:client"), format!("{ACL_NS}other")]
    );
    assert_eq!(v.terminating_rule.unwrap().rule, "by-label");
    assert!(eval(&p, &req("/y")).terminating_rule.is_none());
}

#[test]
fn label_match_scopes() {
    let tagger = |labels: Value| {
        json!({"Name": "tagger", "Priority": 0, "Statement": starts("/"), "Action": count(),
        "VisibilityConfig": visibility("t"), "RuleLabels": labels})
    };
    let labels = json!([{"Name": "ns1:ns2:name"}]);
    for (scope, key, expected) in [
        ("LABEL", "ns1:ns2:name", true),
        ("LABEL", "ns2:name", true),
        ("LABEL", "name", true),
        ("LABEL", "ame", false),
        ("LABEL", "ns1:ns2", false),
        ("LABEL", &format!("{ACL_NS}ns1:ns2:name"), true),
        (
            "LABEL",
            "awswaf:111122223333:webacl:other:ns1:ns2:name",
            false,
        ),
        ("NAMESPACE", "ns1", true),
        ("NAMESPACE", "ns1:", true),
        ("NAMESPACE", "ns1:ns2:", true),
        ("NAMESPACE", "ns2", true),
        ("NAMESPACE", "name", false),
        ("NAMESPACE", "ns", false),
        ("NAMESPACE", "awswaf:111122223333:webacl:acl:", true),
        ("NAMESPACE", "awswaf:111122223333:webacl:acl:ns1:", true),
        ("NAMESPACE", "awswaf:111122223333:webacl:acl:ns2:", false),
    ] {
        let rules = json!([
            tagger(labels.clone()),
            rule("m", 1, label_match(scope, key), block())
        ]);
        let got = eval(&plan(&acl(rules), &Res::default()), &req("/"))
            .terminating_rule
            .is_some();
        assert_eq!(got, expected, "{scope} {key}");
    }
}

fn group_json(name: &str, rules: Value) -> Value {
    json!({"Name": name, "Id": format!("{name}-id"), "Capacity": 100,
           "ARN": format!("arn:aws:wafv2:us-east-1:111122223333:regional/rulegroup/{name}/{name}-id"),
           "VisibilityConfig": visibility(name), "Rules": rules})
}

fn group_res() -> Res {
    let mut res = Res::default();
    let rules = json!([
        {"Name": "g-count", "Priority": 0, "Statement": starts("/"), "Action": count(), "VisibilityConfig": visibility("a"),
         "RuleLabels": [{"Name": "seen"}]},
        rule("g-block", 1, starts("/bad"), block()),
        rule("g-allow", 2, starts("/good"), json!({"Allow": {}})),
    ]);
    res.groups
        .insert("arn:group".into(), group_json("grp", rules.clone()));
    let mut managed = group_json("AWSManagedRulesTest", rules);
    managed["LabelNamespace"] = json!("awswaf:managed:aws:test:");
    res.managed
        .insert("AWS/AWSManagedRulesTest".into(), managed);
    res
}

fn group_rule(name: &str, priority: i64, statement: Value, override_action: Value) -> Value {
    json!({"Name": name, "Priority": priority, "Statement": statement, "OverrideAction": override_action, "VisibilityConfig": visibility(name)})
}

#[test]
fn rule_group_reference_terminates_the_web_acl() {
    let res = group_res();
    let rules = json!([
        group_rule(
            "use-group",
            0,
            json!({"RuleGroupReferenceStatement": {"ARN": "arn:group"}}),
            json!({"None": {}})
        ),
        rule("after", 1, starts("/"), block()),
    ]);
    let p = plan(&acl(rules), &res);
    let v = eval(&p, &req("/bad"));
    assert_eq!(v.action, FinalAction::Block(None));
    assert_eq!(
        v.terminating_rule,
        Some(matched("use-group", Some("g-block"), "BLOCK"))
    );
    assert_eq!(v.labels, ["awswaf:111122223333:rulegroup:grp:seen"]);
    assert_eq!(
        v.non_terminating,
        [matched("use-group", Some("g-count"), "COUNT")]
    );
    let v = eval(&p, &req("/good"));
    assert_eq!(
        v.action,
        FinalAction::Allow,
        "Allow in a group ends the web ACL too"
    );
    let v = eval(&p, &req("/other"));
    assert_eq!(v.terminating_rule.unwrap().rule, "after");
}

#[test]
fn override_action_count_and_rule_action_overrides() {
    let res = group_res();
    let counted = json!([
        group_rule(
            "g",
            0,
            json!({"RuleGroupReferenceStatement": {"ARN": "arn:group"}}),
            json!({"Count": {}})
        ),
        rule("after", 1, starts("/bad"), block())
    ]);
    let v = eval(&plan(&acl(counted), &res), &req("/bad"));
    assert_eq!(v.terminating_rule.unwrap().rule, "after");
    assert!(
        v.non_terminating
            .contains(&matched("g", Some("g-block"), "COUNT"))
    );

    let overridden = json!([group_rule(
        "g",
        0,
        json!({"RuleGroupReferenceStatement": {"ARN": "arn:group",
        "RuleActionOverrides": [{"Name": "g-block", "ActionToUse": {"Count": {}}}],
        "ExcludedRules": [{"Name": "g-allow"}]}}),
        json!({"None": {}})
    )]);
    let p = plan(&acl_with(overridden, block()), &res);
    let v = eval(&p, &req("/bad"));
    assert!(v.terminating_rule.is_none(), "{v:?}");
    assert!(
        v.non_terminating
            .contains(&matched("g", Some("g-block"), "COUNT"))
    );
    let v = eval(&p, &req("/good"));
    assert!(v.terminating_rule.is_none(), "excluded rule counts");
    assert_eq!(v.action, FinalAction::Block(None));

    let unknown = json!([group_rule(
        "g",
        0,
        json!({"RuleGroupReferenceStatement": {"ARN": "arn:group",
        "RuleActionOverrides": [{"Name": "nope", "ActionToUse": {"Count": {}}}]}}),
        json!({"None": {}})
    )]);
    assert!(rampart_waf::compile(&acl(unknown), &res).is_err());
}

#[test]
fn managed_rule_group_with_scope_down_and_its_namespace() {
    let res = group_res();
    let rules = json!([
        group_rule(
            "managed",
            0,
            json!({"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesTest",
            "ScopeDownStatement": byte_match("scope", json!({"QueryString": {}}), "CONTAINS", &[])}}),
            json!({"None": {}})
        ),
        rule(
            "m",
            1,
            label_match("LABEL", "awswaf:managed:aws:test:seen"),
            block()
        ),
    ]);
    let p = plan(&acl(rules), &res);
    let v = eval(&p, &req("/bad?scope"));
    assert_eq!(
        v.terminating_rule,
        Some(matched("managed", Some("g-block"), "BLOCK"))
    );
    let v = eval(&p, &req("/bad"));
    assert!(
        v.labels.is_empty(),
        "the scope-down statement skips the group"
    );
    assert!(v.terminating_rule.is_none());
    let v = eval(&p, &req("/ok?scope"));
    assert_eq!(v.terminating_rule, Some(matched("m", None, "BLOCK")));
    let missing = json!([group_rule(
        "x",
        0,
        json!({"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "Nope"}}),
        json!({"None": {}})
    )]);
    assert!(matches!(
        rampart_waf::compile(&acl(missing), &res),
        Err(rampart_waf::CompileError::NotFound(_))
    ));
}

#[test]
fn rule_groups_alone_validate() {
    let res = Res::default();
    let ok = group_json("g", json!([rule("a", 0, starts("/"), block())]));
    let g = rampart_waf::compile_rule_group(&ok, &res).unwrap();
    assert_eq!(g.label_namespace(), "awswaf:111122223333:rulegroup:g:");
    assert_eq!(g.rule_names().collect::<Vec<_>>(), ["a"]);
    let nested = group_json(
        "g",
        json!([group_rule(
            "a",
            0,
            json!({"RuleGroupReferenceStatement": {"ARN": "x"}}),
            json!({"None": {}})
        )]),
    );
    assert!(rampart_waf::compile_rule_group(&nested, &res).is_err());
}

#[test]
fn compile_errors() {
    let res = Res::default();
    for (rules, needle) in [
        (
            json!([
                rule("a", 0, starts("/"), block()),
                rule("b", 0, starts("/"), block())
            ]),
            "priority",
        ),
        (
            json!([
                rule("a", 0, starts("/"), block()),
                rule("a", 1, starts("/"), block())
            ]),
            "unique",
        ),
        (
            json!([group_rule("a", 0, starts("/"), json!({"None": {}}))]),
            "Action",
        ),
        (
            json!([rule("a", 0, starts("/"), json!({"Explode": {}}))]),
            "not a valid action",
        ),
        (
            json!([rule("a", 0, json!({"FooStatement": {}}), block())]),
            "not a valid statement",
        ),
        (
            json!([rule(
                "a",
                0,
                json!({"NotStatement": {"Statement": {"RateBasedStatement": {"Limit": 100, "AggregateKeyType": "IP"}}}}),
                block()
            )]),
            "top-level",
        ),
    ] {
        let err = rampart_waf::compile(&acl(rules), &res).err().unwrap();
        assert!(err.message().contains(needle), "{err} lacks {needle}");
    }
    assert!(
        rampart_waf::compile(&json!({"Name": "x"}), &res).is_err(),
        "no DefaultAction"
    );
    assert!(rampart_waf::compile(&json!([]), &res).is_err());
}

fn token_plan(action: &str, immunity: Option<u64>) -> rampart_waf::WebAclPlan {
    let mut r = rule("t", 0, starts("/"), json!({action: {}}));
    if let Some(i) = immunity {
        r[if action == "Captcha" {
            "CaptchaConfig"
        } else {
            "ChallengeConfig"
        }] = json!({"ImmunityTimeProperty": {"ImmunityTime": i}});
    }
    plan(&acl(json!([r])), &Res::default())
}

#[test]
fn captcha_and_challenge_use_the_token() {
    let now = 10_000;
    let env = Environment::bare(now);
    let run = |p: &rampart_waf::WebAclPlan, token: TokenCheck| {
        let mut r = req("/");
        r.token = token;
        p.evaluate(&r, &env, &RateState::default())
    };
    let captcha = token_plan("Captcha", None);
    assert_eq!(
        run(&captcha, TokenCheck::Absent).action,
        FinalAction::Captcha
    );
    assert_eq!(
        run(&captcha, TokenCheck::Invalid).action,
        FinalAction::Captcha
    );
    let fresh = TokenCheck::Valid {
        captcha_at: Some(now - 100),
        challenge_at: None,
    };
    let v = run(&captcha, fresh);
    assert_eq!(v.action, FinalAction::Allow);
    assert_eq!(v.non_terminating, [matched("t", None, "CAPTCHA")]);
    let old = TokenCheck::Valid {
        captcha_at: Some(now - 400),
        challenge_at: Some(now),
    };
    assert_eq!(
        run(&captcha, old).action,
        FinalAction::Captcha,
        "older than the default 300 s"
    );
    assert_eq!(
        run(&token_plan("Captcha", Some(600)), old).action,
        FinalAction::Allow,
        "the rule's immunity time"
    );

    let challenge = token_plan("Challenge", None);
    assert_eq!(
        run(&challenge, TokenCheck::Absent).action,
        FinalAction::Challenge
    );
    assert_eq!(
        run(
            &challenge,
            TokenCheck::Valid {
                captcha_at: None,
                challenge_at: Some(now - 10)
            }
        )
        .action,
        FinalAction::Allow
    );
    assert_eq!(
        run(
            &challenge,
            TokenCheck::Valid {
                captcha_at: Some(now - 10),
                challenge_at: None
            }
        )
        .action,
        FinalAction::Allow
    );
    assert_eq!(
        run(
            &challenge,
            TokenCheck::Valid {
                captcha_at: None,
                challenge_at: Some(now - 301)
            }
        )
        .action,
        FinalAction::Challenge
    );
}

#[test]
fn body_inspection_limits() {
    let mut a = acl(json!([]));
    let p = plan(&a, &Res::default());
    assert_eq!(p.body_inspection_limit("CLOUDFRONT"), 16 * 1024);
    assert_eq!(
        p.body_inspection_limit("APPLICATION_LOAD_BALANCER"),
        8 * 1024
    );
    a["AssociationConfig"] =
        json!({"RequestBody": {"CLOUDFRONT": {"DefaultSizeInspectionLimit": "KB_64"}}});
    let p = plan(&a, &Res::default());
    assert_eq!(p.body_inspection_limit("CLOUDFRONT"), 64 * 1024);
    a["AssociationConfig"] =
        json!({"RequestBody": {"CLOUDFRONT": {"DefaultSizeInspectionLimit": "KB_1000"}}});
    assert!(rampart_waf::compile(&a, &Res::default()).is_err());
}

#[test]
fn label_keys_inside_a_group_are_relative_to_the_group() {
    let mut res = Res::default();
    let rules = json!([
        {"Name": "tag", "Priority": 0, "Statement": starts("/"), "Action": count(),
         "VisibilityConfig": visibility("t"), "RuleLabels": [{"Name": "suspect"}]},
        rule("use", 1, label_match("LABEL", "suspect"), block()),
    ]);
    res.groups.insert("arn:g2".into(), group_json("g2", rules));
    let acl_rules = json!([
        {"Name": "acl-tag", "Priority": 0, "Statement": starts("/acl"), "Action": count(),
         "VisibilityConfig": visibility("a"), "RuleLabels": [{"Name": "suspect"}]},
        group_rule("ref", 1, json!({"RuleGroupReferenceStatement": {"ARN": "arn:g2",
            "RuleActionOverrides": [{"Name": "tag", "ActionToUse": {"Count": {}}}]}}), json!({"None": {}})),
        rule("acl-use", 2, label_match("LABEL", "suspect"), json!({"Allow": {}})),
    ]);
    let p = plan(&acl(acl_rules), &res);
    let v = eval(&p, &req("/x"));
    let t = v.terminating_rule.unwrap();
    assert_eq!(
        (
            t.rule.as_str(),
            t.rule_group.as_deref(),
            t.group_rule.as_deref()
        ),
        ("ref", Some("g2"), Some("use"))
    );
    assert_eq!(v.labels, ["awswaf:111122223333:rulegroup:g2:suspect"]);
    // The web ACL's own label does not satisfy the group's relative key, and vice versa.
    let res2 = {
        let mut r = Res::default();
        let rules = json!([rule("use", 1, label_match("LABEL", "suspect"), block())]);
        r.groups.insert("arn:g2".into(), group_json("g2", rules));
        r
    };
    let p = plan(
        &acl(json!([
            {"Name": "acl-tag", "Priority": 0, "Statement": starts("/"), "Action": count(),
             "VisibilityConfig": visibility("a"), "RuleLabels": [{"Name": "suspect"}]},
            group_rule("ref", 1, json!({"RuleGroupReferenceStatement": {"ARN": "arn:g2"}}), json!({"None": {}})),
        ])),
        &res2,
    );
    assert!(eval(&p, &req("/x")).terminating_rule.is_none());
}

#[test]
fn plans_and_rate_state_are_shared_across_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<rampart_waf::WebAclPlan>();
    shared::<rampart_waf::RuleGroupPlan>();
    shared::<RateState>();
    let p = std::sync::Arc::new(plan(
        &acl(json!([rule("r", 0, starts("/x"), block())])),
        &Res::default(),
    ));
    let state = std::sync::Arc::new(RateState::default());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (p, state) = (p.clone(), state.clone());
            std::thread::spawn(move || {
                let env = Environment::bare(0);
                (0..100)
                    .filter(|_| {
                        p.evaluate(&req("/x"), &env, &state)
                            .terminating_rule
                            .is_some()
                    })
                    .count()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 100);
    }
}
