//! AWS's baseline groups: the core rule set (CRS), admin protection and known bad inputs —
//! Rampart's own rules under AWS's rule names, labels and actions.

use super::build::{
    RuleSpec, block, body, cookies, exactly, header, headers, larger, method, not, query_args,
    query_string, regex, text_body, uri_path, xss,
};

/// URL-decoded (twice, for double encoding), HTML entities decoded, lower case.
const DECODE: &[&str] = &["URL_DECODE_UNI", "URL_DECODE_UNI", "HTML_ENTITY_DECODE"];

/// Scanners and attack tools that name themselves in `User-Agent`.
const BAD_BOTS: &str = r"(?i)(?:nessus|\bnmap\b|nikto|sqlmap|masscan|zgrab|dirbuster|gobuster|wpscan|acunetix|netsparker|\bw3af\b|openvas|nuclei|havij|zmeu|morfeus|jorgee|whatweb|fimap|arachni|skipfish|\bparos\b|webinspect|appscan|commix|wfuzz|\bffuf\b|feroxbuster|joomscan|dotdotpwn|struts-pwn|nettacker)";

/// The EC2 instance metadata service and its disguises (IPv6, decimal, hex, ECS credentials).
const EC2_METADATA: &str = r"(?i)(?:169\.254\.169\.254|169\.254\.170\.2\b|fd00:ec2::254|\binstance-data\b|\b2852039166\b|0xa9fea9fe|0xa9\.0xfe\.0xa9\.0xfe|0251\.0376\.0251\.0376)";

/// Path traversal: `../` (or `..\`) twice, or a value that starts climbing.
const TRAVERSAL: &str = r"(?i)(?:\.\.[/\\]){2}|^\.\.[/\\]|[/\\]\.\.[/\\](?:etc|proc|windows|winnt|boot|root|var|usr|home)\b";

/// System files' extensions, at the end of the path or value.
const RESTRICTED_EXT: &str = r"(?i)\.(?:log|ini|bak|backup|old|orig|save|swp|sql|conf|cfg|config|cmd|bat|htaccess|htpasswd|env|git|svn|passwd|dll|lnk|reg|inc|pem|key|mdb|sqlite|ps1)$";

/// A URL whose host is an IPv4 address.
const RFI: &str = r"(?i)(?:https?|ftps?|file)://(?:\d{1,3}\.){3}\d{1,3}\b";

fn ssrf(name: &'static str, label: &'static str, field: serde_json::Value) -> RuleSpec {
    block(name, label, regex(EC2_METADATA, field, DECODE))
}

/// `AWSManagedRulesCommonRuleSet`, namespace `awswaf:managed:aws:core-rule-set:`.
pub(super) fn core_rule_set() -> Vec<RuleSpec> {
    vec![
        block(
            "NoUserAgent_HEADER",
            "NoUserAgent_Header",
            not(larger(header("user-agent"), 0)),
        ),
        block(
            "UserAgent_BadBots_HEADER",
            "BadBots_Header",
            regex(BAD_BOTS, header("user-agent"), &["LOWERCASE"]),
        ),
        block(
            "SizeRestrictions_QUERYSTRING",
            "SizeRestrictions_QueryString",
            larger(query_string(), 2048),
        ),
        block(
            "SizeRestrictions_Cookie_HEADER",
            "SizeRestrictions_Cookie_Header",
            larger(header("cookie"), 10240),
        ),
        block(
            "SizeRestrictions_BODY",
            "SizeRestrictions_Body",
            larger(
                serde_json::json!({"Body": {"OversizeHandling": "MATCH"}}),
                8192,
            ),
        ),
        block(
            "SizeRestrictions_URIPATH",
            "SizeRestrictions_URIPath",
            larger(uri_path(), 1024),
        ),
        ssrf("EC2MetaDataSSRF_BODY", "EC2MetaDataSSRF_Body", body()),
        ssrf(
            "EC2MetaDataSSRF_COOKIE",
            "EC2MetaDataSSRF_Cookie",
            cookies(),
        ),
        ssrf(
            "EC2MetaDataSSRF_URIPATH",
            "EC2MetaDataSSRF_URIPath",
            uri_path(),
        ),
        ssrf(
            "EC2MetaDataSSRF_QUERYARGUMENTS",
            "EC2MetaDataSSRF_QueryArguments",
            query_args(),
        ),
        block(
            "GenericLFI_QUERYARGUMENTS",
            "GenericLFI_QueryArguments",
            regex(TRAVERSAL, query_args(), DECODE),
        ),
        block(
            "GenericLFI_URIPATH",
            "GenericLFI_URIPath",
            regex(TRAVERSAL, uri_path(), DECODE),
        ),
        block(
            "GenericLFI_BODY",
            "GenericLFI_Body",
            regex(TRAVERSAL, body(), DECODE),
        ),
        block(
            "RestrictedExtensions_URIPATH",
            "RestrictedExtensions_URIPath",
            regex(RESTRICTED_EXT, uri_path(), DECODE),
        ),
        block(
            "RestrictedExtensions_QUERYARGUMENTS",
            "RestrictedExtensions_QueryArguments",
            regex(RESTRICTED_EXT, query_args(), DECODE),
        ),
        block(
            "GenericRFI_QUERYARGUMENTS",
            "GenericRFI_QueryArguments",
            regex(RFI, query_args(), DECODE),
        ),
        block(
            "GenericRFI_BODY",
            "GenericRFI_Body",
            regex(RFI, body(), DECODE),
        ),
        block(
            "GenericRFI_URIPATH",
            "GenericRFI_URIPath",
            regex(RFI, uri_path(), DECODE),
        ),
        block(
            "CrossSiteScripting_COOKIE",
            "CrossSiteScripting_Cookie",
            xss(cookies(), &["URL_DECODE_UNI", "HTML_ENTITY_DECODE"]),
        ),
        block(
            "CrossSiteScripting_QUERYARGUMENTS",
            "CrossSiteScripting_QueryArguments",
            xss(query_args(), &["URL_DECODE_UNI", "HTML_ENTITY_DECODE"]),
        ),
        block(
            "CrossSiteScripting_BODY",
            "CrossSiteScripting_Body",
            text_body(xss(body(), &["URL_DECODE_UNI", "HTML_ENTITY_DECODE"])),
        ),
        block(
            "CrossSiteScripting_URIPATH",
            "CrossSiteScripting_URIPath",
            xss(uri_path(), &["URL_DECODE_UNI", "HTML_ENTITY_DECODE"]),
        ),
    ]
}

/// Administration consoles of common servers and applications.
const ADMIN_PATHS: &str = r"(?i)^/(?:admin|administrator|wp-admin|wp-login\.php|phpmyadmin|sqlmanager|mysqladmin|myadmin|pma|adminer|admin\.php|admin-console|cpanel|webadmin|siteadmin|controlpanel|_admin|manager/html|jmx-console|web-console|solr/admin|axis2-admin)(?:[/.?]|$)";

/// `AWSManagedRulesAdminProtectionRuleSet`, namespace `awswaf:managed:aws:admin-protection:`.
pub(super) fn admin_protection() -> Vec<RuleSpec> {
    vec![block(
        "AdminProtection_URIPATH",
        "AdminProtection_URIPath",
        regex(
            ADMIN_PATHS,
            uri_path(),
            &["URL_DECODE_UNI", "NORMALIZE_PATH"],
        ),
    )]
}

/// Java deserialization and Spring RCE gadgets; `rO0AB` / `AC ED 00 05` start a serialized
/// Java object (base64 / raw), so they are matched case-sensitively.
const JAVA_RCE: &str = r"(?i:java\.lang\.(?:runtime|processbuilder)|getruntime\s*\(\s*\)\s*\.\s*exec|class\.module\.classloader|spring\.cloud\.function\.routing-expression|t\s*\(\s*java\.lang)|rO0AB|\xac\xed\x00\x05";

/// Log4j lookups (`${jndi:…}` and the nested lookups that hide it).
const LOG4J: &str = r"(?i)\$\{\s*(?:jndi|env|sys|java|ctx|main|lower|upper|date|base64|bundle|k8s|docker|spring|web|log4j|marker|event|sd)\s*:|\$\{[^}]{0,40}\$\{";

/// Paths of exploitable application internals.
const EXPLOITABLE_PATHS: &str = r"(?i)(?:^|/)(?:web-inf|meta-inf)(?:/|$)|/\.(?:git|svn|hg|bzr)(?:/|$)|/\.ds_store$|/actuator/(?:env|heapdump|jolokia|gateway|logfile)|/jmx-console|/invoker/(?:jmx|ejb)invokerservlet|/_ignition/execute-solution|/vendor/phpunit/|/cgi-bin/.*\.(?:sh|cgi|pl)\b|/\.well-known/.*\.\./";

/// React Server Components payloads that reach prototypes (CVE-2025-55182).
const REACT_RCE: &str =
    r#""\$[0-9a-f@]*:(?:__proto__|constructor|prototype)(?::|")|\$\d+:constructor:constructor"#;

const PLAIN: &[&str] = &["URL_DECODE_UNI"];

/// `AWSManagedRulesKnownBadInputsRuleSet`, namespace `awswaf:managed:aws:known-bad-inputs:`.
pub(super) fn known_bad_inputs() -> Vec<RuleSpec> {
    let lower = &["URL_DECODE_UNI", "URL_DECODE_UNI"];
    vec![
        block(
            "JavaDeserializationRCE_HEADER",
            "JavaDeserializationRCE_Header",
            regex(JAVA_RCE, headers(), PLAIN),
        ),
        block(
            "JavaDeserializationRCE_BODY",
            "JavaDeserializationRCE_Body",
            regex(JAVA_RCE, body(), PLAIN),
        ),
        block(
            "JavaDeserializationRCE_URIPATH",
            "JavaDeserializationRCE_URIPath",
            regex(JAVA_RCE, uri_path(), PLAIN),
        ),
        block(
            "JavaDeserializationRCE_QUERYSTRING",
            "JavaDeserializationRCE_QueryString",
            regex(JAVA_RCE, query_string(), PLAIN),
        ),
        block(
            "Host_localhost_HEADER",
            "Host_Localhost_Header",
            regex(
                r"^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)(?::\d+)?$",
                header("host"),
                &["LOWERCASE"],
            ),
        ),
        block(
            "PROPFIND_METHOD",
            "Propfind_Method",
            exactly("PROPFIND", method()),
        ),
        block(
            "ExploitablePaths_URIPATH",
            "ExploitablePaths_URIPath",
            regex(EXPLOITABLE_PATHS, uri_path(), lower),
        ),
        block(
            "Log4JRCE_HEADER",
            "Log4JRCE_Header",
            regex(LOG4J, headers(), lower),
        ),
        block(
            "Log4JRCE_QUERYSTRING",
            "Log4JRCE_QueryString",
            regex(LOG4J, query_string(), lower),
        ),
        block(
            "Log4JRCE_BODY",
            "Log4JRCE_Body",
            regex(LOG4J, body(), lower),
        ),
        block(
            "Log4JRCE_URIPATH",
            "Log4JRCE_URIPath",
            regex(LOG4J, uri_path(), lower),
        ),
        block(
            "ReactJSRCE_BODY",
            "ReactJSRCE_Body",
            regex(REACT_RCE, body(), &[]),
        ),
    ]
}
