//! The managed rule groups: each compiles, carries AWS's names, labels and actions, and each
//! rule fires on a representative attack from its description and not on benign requests.

#![allow(clippy::unwrap_used)]

mod common;

use common::managed::{browser, check, form, group_acl, labels, plan_with, post};
use common::{Res, eval, ip};
use rampart_waf::managed::{self, IpList, ManagedResolver};
use rampart_waf::{InspectedRequest, compile};
use serde_json::json;

#[test]
fn every_group_compiles_and_matches_its_catalog_entry() {
    let res = Res::default();
    let resolver = ManagedResolver::new(&res);
    let catalog = managed::catalog();
    assert_eq!(catalog.len(), 10);
    for group in &catalog {
        plan_with(&group_acl(group.name, false), &resolver);
        plan_with(&group_acl(group.name, true), &resolver);
        let json = managed::rule_group("AWS", group.name, None).unwrap();
        assert_eq!(json["LabelNamespace"], json!(group.label_namespace));
        assert_eq!(json["Capacity"], json!(group.capacity));
        let names: Vec<&str> = json["Rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["Name"].as_str().unwrap())
            .collect();
        let listed: Vec<&str> = group.rules.iter().map(|r| r.name).collect();
        assert_eq!(names, listed, "{}", group.name);
        assert!(group.label_namespace.starts_with("awswaf:managed:aws:"));
    }
}

#[test]
fn names_capacities_actions_and_labels_are_aws() {
    let core = managed::group("AWS", "AWSManagedRulesCommonRuleSet").unwrap();
    assert_eq!(core.capacity, 700);
    assert_eq!(core.rules.len(), 22);
    assert_eq!(core.rules[1].name, "UserAgent_BadBots_HEADER");
    assert_eq!(
        core.rules[1].label,
        "awswaf:managed:aws:core-rule-set:BadBots_Header"
    );
    let sqli = managed::group("AWS", "AWSManagedRulesSQLiRuleSet").unwrap();
    assert_eq!((sqli.capacity, sqli.rules.len()), (200, 6));
    let bad = managed::group("AWS", "AWSManagedRulesKnownBadInputsRuleSet").unwrap();
    let host = bad
        .rules
        .iter()
        .find(|r| r.name == "Host_localhost_HEADER")
        .unwrap();
    assert_eq!(
        host.label,
        "awswaf:managed:aws:known-bad-inputs:Host_Localhost_Header"
    );
    let ips = managed::group("AWS", "AWSManagedRulesAmazonIpReputationList").unwrap();
    let actions: Vec<&str> = ips.rules.iter().map(|r| r.action).collect();
    assert_eq!(actions, ["Block", "Block", "Count"]);
    assert!(ips.versions.is_empty() && ips.default_version.is_none());
    assert_eq!(core.default_version, Some(managed::VERSION));
    let caps: Vec<u64> = managed::catalog().iter().map(|g| g.capacity).collect();
    assert_eq!(caps, [700, 100, 200, 200, 200, 100, 200, 100, 25, 50]);
}

#[test]
fn versions_and_vendors() {
    let core = "AWSManagedRulesCommonRuleSet";
    assert!(managed::rule_group("AWS", core, Some(managed::VERSION)).is_some());
    assert!(managed::rule_group("AWS", core, Some("Version_9.9")).is_none());
    assert!(managed::rule_group("Acme", core, None).is_none());
    assert!(
        managed::rule_group("AWS", "AWSManagedRulesAnonymousIpList", Some("Version_1.0")).is_none()
    );
    assert!(managed::rule_group("AWS", "AWSManagedRulesNope", None).is_none());
}

#[test]
fn the_resolver_falls_back_to_the_inner_one() {
    let mut res = Res::default();
    res.managed
        .insert("Acme/Shield".into(), json!({"Name": "Shield", "Rules": []}));
    res.ip_sets
        .insert("arn:x".into(), json!({"Addresses": ["192.0.2.0/24"]}));
    let resolver = ManagedResolver::new(&res);
    use rampart_waf::Resolver;
    assert!(
        resolver
            .managed_rule_group("Acme", "Shield", None)
            .is_some()
    );
    assert!(resolver.ip_set("arn:x").is_some());
    assert!(resolver.ip_set(&IpList::Ddos.arn()).is_some());
    assert!(resolver.ip_set("arn:missing").is_none());
}

const CRS: &str = "AWSManagedRulesCommonRuleSet";

#[test]
fn core_rule_set_rules_fire_on_their_attacks() {
    let bare = InspectedRequest::new("GET", "/", ip("198.51.100.23"));
    check(CRS, "NoUserAgent_Header", bare);
    check(
        CRS,
        "BadBots_Header",
        InspectedRequest::new("GET", "/", ip("198.51.100.23"))
            .header("user-agent", "Mozilla/5.00 (Nikto/2.1.6)"),
    );
    check(
        CRS,
        "SizeRestrictions_QueryString",
        browser("GET", &format!("/?q={}", "a".repeat(2100))),
    );
    check(
        CRS,
        "SizeRestrictions_Cookie_Header",
        browser("GET", "/").header("cookie", &format!("c={}", "x".repeat(10300))),
    );
    check(
        CRS,
        "SizeRestrictions_Body",
        post("/upload", "text/plain", &"b".repeat(9000)),
    );
    check(
        CRS,
        "SizeRestrictions_URIPath",
        browser("GET", &format!("/{}", "p".repeat(1100))),
    );
    check(
        CRS,
        "EC2MetaDataSSRF_Body",
        form("url=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2F"),
    );
    check(
        CRS,
        "EC2MetaDataSSRF_Cookie",
        browser("GET", "/").header("cookie", "next=http://169.254.169.254/latest/"),
    );
    check(
        CRS,
        "EC2MetaDataSSRF_URIPath",
        browser("GET", "/fetch/169.254.169.254/latest/meta-data"),
    );
    check(
        CRS,
        "EC2MetaDataSSRF_QueryArguments",
        browser("GET", "/fetch?url=http://[fd00:ec2::254]/latest/"),
    );
    check(
        CRS,
        "GenericLFI_QueryArguments",
        browser("GET", "/view?file=../../../../etc/passwd"),
    );
    check(
        CRS,
        "GenericLFI_URIPath",
        browser("GET", "/static/..%2f..%2f..%2fetc/passwd"),
    );
    check(
        CRS,
        "GenericLFI_Body",
        form("template=..%2F..%2F..%2Fwindows%2Fwin.ini"),
    );
    check(
        CRS,
        "RestrictedExtensions_URIPath",
        browser("GET", "/logs/error.log"),
    );
    check(
        CRS,
        "RestrictedExtensions_QueryArguments",
        browser("GET", "/download?name=php.ini"),
    );
    check(
        CRS,
        "GenericRFI_QueryArguments",
        browser("GET", "/page?include=http://203.0.113.9/shell.txt"),
    );
    check(
        CRS,
        "GenericRFI_Body",
        form("src=ftp%3A%2F%2F203.0.113.9%2Fx.php"),
    );
    check(
        CRS,
        "GenericRFI_URIPath",
        browser("GET", "/proxy/http://203.0.113.9/x"),
    );
    check(
        CRS,
        "CrossSiteScripting_Cookie",
        browser("GET", "/").header("cookie", "name=%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
    );
    check(
        CRS,
        "CrossSiteScripting_QueryArguments",
        browser(
            "GET",
            "/search?q=%3Cscript%3Ealert(%22hello%22)%3C/script%3E",
        ),
    );
    check(
        CRS,
        "CrossSiteScripting_Body",
        form("comment=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E"),
    );
    check(
        CRS,
        "CrossSiteScripting_URIPath",
        browser("GET", "/p/%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
    );
}

const SQL: &str = "AWSManagedRulesSQLiRuleSet";

#[test]
fn sql_database_rules_fire_on_their_attacks() {
    check(
        SQL,
        "SQLi_QueryArguments",
        browser("GET", "/item?id=1%27%20OR%20%271%27%3D%271"),
    );
    check(
        SQL,
        "SQLiExtendedPatterns_QueryArguments",
        browser("GET", "/item?id=1%20AND%20SLEEP(5)"),
    );
    check(SQL, "SQLi_Body", form("user=admin%27--&pass=x"));
    check(
        SQL,
        "SQLiExtendedPatterns_Body",
        form("id=1+union%2F**%2Fselect+password+from+users"),
    );
    check(
        SQL,
        "SQLi_Cookie",
        browser("GET", "/").header("cookie", "uid=1%27%20or%201%3D1--"),
    );
    check(
        SQL,
        "SQLi_URIPath",
        browser(
            "GET",
            "/item/1'%20UNION%20SELECT%20password%20FROM%20users--",
        ),
    );
}

#[test]
fn ip_lists_fire_on_listed_addresses_only() {
    let res = Res::default();
    let listed = managed::IpList::Reputation.embedded()[0].clone();
    let addr = listed.split('/').next().unwrap().to_owned();
    let resolver = ManagedResolver::new(&res)
        .with_addresses(IpList::Reconnaissance, vec!["203.0.113.0/24".into()])
        .with_addresses(IpList::Ddos, vec!["198.18.0.0/15".into()])
        .with_addresses(IpList::Anonymous, vec!["192.0.2.77/32".into()])
        .with_addresses(IpList::HostingProvider, vec!["2001:db8::/32".into()]);
    let from = |a: &str| InspectedRequest::new("GET", "/", ip(a)).header("user-agent", "x");
    let ns = "awswaf:managed:aws:amazon-ip-list:";
    let rep = "AWSManagedRulesAmazonIpReputationList";
    assert!(
        labels(rep, &from(&addr), &resolver).contains(&format!("{ns}AWSManagedIPReputationList"))
    );
    assert!(
        labels(rep, &from("203.0.113.50"), &resolver)
            .contains(&format!("{ns}AWSManagedReconnaissanceList"))
    );
    assert!(
        labels(rep, &from("198.19.1.1"), &resolver).contains(&format!("{ns}AWSManagedIPDDoSList"))
    );
    let anon = "AWSManagedRulesAnonymousIpList";
    let ans = "awswaf:managed:aws:anonymous-ip-list:";
    assert!(
        labels(anon, &from("192.0.2.77"), &resolver).contains(&format!("{ans}AnonymousIPList"))
    );
    assert!(
        labels(anon, &from("2001:db8::5"), &resolver)
            .contains(&format!("{ans}HostingProviderIPList"))
    );
    for benign in ["198.51.100.23", "192.0.2.78", "2001:db9::1"] {
        assert!(labels(rep, &from(benign), &resolver).is_empty(), "{benign}");
        assert!(
            labels(anon, &from(benign), &resolver).is_empty(),
            "{benign}"
        );
    }
    // Default actions: the DDoS list only counts, the others block.
    let plan = plan_with(&group_acl(rep, false), &resolver);
    let ddos = eval(&plan, &from("198.19.1.1"));
    assert!(ddos.terminating_rule.is_none());
    assert_eq!(
        ddos.non_terminating[0].group_rule.as_deref(),
        Some("AWSManagedIPDDoSList")
    );
    let blocked = eval(&plan, &from(&addr)).terminating_rule.unwrap();
    assert_eq!(
        blocked.group_rule.as_deref(),
        Some("AWSManagedIPReputationList")
    );
}

#[test]
fn an_invalid_operator_address_names_the_list() {
    let res = Res::default();
    let resolver =
        ManagedResolver::new(&res).with_addresses(IpList::Anonymous, vec!["nope".into()]);
    let err = compile(
        &group_acl("AWSManagedRulesAnonymousIpList", false),
        &resolver,
    )
    .unwrap_err();
    assert!(err.to_string().contains("AnonymousIPList"), "{err}");
}

#[test]
fn detectors_skip_bodies_declared_binary() {
    let res = Res::default();
    let resolver = ManagedResolver::new(&res);
    let payload = "id=1%27+OR+%271%27%3D%271%27--";
    let text = post("/u", "application/x-www-form-urlencoded", payload);
    let image = post("/u", "image/png", payload);
    let label = "awswaf:managed:aws:sql-database:SQLi_Body".to_owned();
    assert!(labels(SQL, &text, &resolver).contains(&label));
    assert!(!labels(SQL, &image, &resolver).contains(&label));
}

/// Benign requests of many kinds: no group labels any of them.
#[test]
fn benign_requests_are_not_labelled_by_any_group() {
    let res = Res::default();
    let resolver = ManagedResolver::new(&res);
    let benign = [
        browser(
            "GET",
            "/products?category=shoes&sort=price_asc&page=2&q=O%27Brien%27s+boots",
        ),
        browser("GET", "/blog/2024/05/how-to-choose-running-shoes").header(
            "cookie",
            "session=9f8e7d6c5b4a; theme=dark; _ga=GA1.2.1234567890.1700000000",
        ),
        form(
            "name=Mary+O%27Connor&email=mary%40example.com&message=Hi%2C+I+ordered+2+pairs+(size+38)+%26+need+an+exchange.+Thanks%21",
        ),
        post(
            "/api/v1/orders",
            "application/json",
            r#"{"items":[{"sku":"A-100","qty":2}],"note":"Leave at the door, please; ring twice.","coupon":null,"gift":false}"#,
        ),
        browser("GET", "/docs/getting-started/install#linux").header(
            "referer",
            "https://www.example.org/search?q=rampart+install",
        ),
        browser("DELETE", "/api/v1/cart/items/42").header(
            "authorization",
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl",
        ),
    ];
    for group in managed::catalog() {
        for request in &benign {
            let got = labels(group.name, request, &resolver);
            assert!(got.is_empty(), "{}: {got:?} on {request:?}", group.name);
        }
    }
}
