//! The catalog of AWS Managed Rules rule groups Rampart knows (vendor `AWS`): names,
//! descriptions, capacities, rule names with their default actions, and label namespaces as
//! the WAF developer guide's "AWS Managed Rules rule groups list" publishes them. The rules'
//! contents arrive with the rule engine; this module only describes the groups.

/// One rule of a managed group: its name, the label it adds (under the group's namespace)
/// and whether its default action is Count (otherwise Block).
#[derive(Debug, Clone, Copy)]
pub struct ManagedRule {
    pub name: &'static str,
    pub label: &'static str,
    pub counts: bool,
}

/// One managed rule group.
#[derive(Debug, Clone, Copy)]
pub struct ManagedGroup {
    pub name: &'static str,
    pub description: &'static str,
    pub capacity: i64,
    /// `awswaf:managed:aws:<namespace>:`.
    pub label_namespace: &'static str,
    /// Static versions (`Version_1.0`, ...); empty for groups that are not versioned.
    pub versions: &'static [&'static str],
    pub rules: &'static [ManagedRule],
}

/// The only vendor of the catalog.
pub const VENDOR: &str = "AWS";

const fn block(name: &'static str, label: &'static str) -> ManagedRule {
    ManagedRule {
        name,
        label,
        counts: false,
    }
}

const fn count(name: &'static str, label: &'static str) -> ManagedRule {
    ManagedRule {
        name,
        label,
        counts: true,
    }
}

const V1: &[&str] = &["Version_1.0"];

/// Every group of the catalog, in the order ListAvailableManagedRuleGroups answers.
pub const GROUPS: &[ManagedGroup] = &[
    ManagedGroup {
        name: "AWSManagedRulesCommonRuleSet",
        description: "Contains rules that are generally applicable to web applications. This provides protection against exploitation of a wide range of vulnerabilities, including those described in OWASP publications.",
        capacity: 700,
        label_namespace: "awswaf:managed:aws:core-rule-set:",
        versions: V1,
        rules: &[
            block("NoUserAgent_HEADER", "NoUserAgent_Header"),
            block("UserAgent_BadBots_HEADER", "BadBots_Header"),
            block(
                "SizeRestrictions_QUERYSTRING",
                "SizeRestrictions_QueryString",
            ),
            block(
                "SizeRestrictions_Cookie_HEADER",
                "SizeRestrictions_Cookie_Header",
            ),
            block("SizeRestrictions_BODY", "SizeRestrictions_Body"),
            block("SizeRestrictions_URIPATH", "SizeRestrictions_URIPath"),
            block("EC2MetaDataSSRF_BODY", "EC2MetaDataSSRF_Body"),
            block("EC2MetaDataSSRF_COOKIE", "EC2MetaDataSSRF_Cookie"),
            block("EC2MetaDataSSRF_URIPATH", "EC2MetaDataSSRF_URIPath"),
            block(
                "EC2MetaDataSSRF_QUERYARGUMENTS",
                "EC2MetaDataSSRF_QueryArguments",
            ),
            block("GenericLFI_QUERYARGUMENTS", "GenericLFI_QueryArguments"),
            block("GenericLFI_URIPATH", "GenericLFI_URIPath"),
            block("GenericLFI_BODY", "GenericLFI_Body"),
            block(
                "RestrictedExtensions_URIPATH",
                "RestrictedExtensions_URIPath",
            ),
            block(
                "RestrictedExtensions_QUERYARGUMENTS",
                "RestrictedExtensions_QueryArguments",
            ),
            block("GenericRFI_QUERYARGUMENTS", "GenericRFI_QueryArguments"),
            block("GenericRFI_BODY", "GenericRFI_Body"),
            block("GenericRFI_URIPATH", "GenericRFI_URIPath"),
            block("CrossSiteScripting_COOKIE", "CrossSiteScripting_Cookie"),
            block(
                "CrossSiteScripting_QUERYARGUMENTS",
                "CrossSiteScripting_QueryArguments",
            ),
            block("CrossSiteScripting_BODY", "CrossSiteScripting_Body"),
            block("CrossSiteScripting_URIPATH", "CrossSiteScripting_URIPath"),
        ],
    },
    ManagedGroup {
        name: "AWSManagedRulesAdminProtectionRuleSet",
        description: "Contains rules that allow you to block external access to exposed admin pages. This may be useful if you are running third-party software or would like to reduce the risk of a malicious actor gaining administrative access to your application.",
        capacity: 100,
        label_namespace: "awswaf:managed:aws:admin-protection:",
        versions: V1,
        rules: &[block("AdminProtection_URIPATH", "AdminProtection_URIPath")],
    },
    ManagedGroup {
        name: "AWSManagedRulesKnownBadInputsRuleSet",
        description: "Contains rules that allow you to block request patterns that are known to be invalid and are associated with exploitation or discovery of vulnerabilities. This can help reduce the risk of a malicious actor discovering a vulnerable application.",
        capacity: 200,
        label_namespace: "awswaf:managed:aws:known-bad-inputs:",
        versions: V1,
        rules: &[
            block(
                "JavaDeserializationRCE_HEADER",
                "JavaDeserializationRCE_Header",
            ),
            block("JavaDeserializationRCE_BODY", "JavaDeserializationRCE_Body"),
            block(
                "JavaDeserializationRCE_URIPATH",
                "JavaDeserializationRCE_URIPath",
            ),
            block(
                "JavaDeserializationRCE_QUERYSTRING",
                "JavaDeserializationRCE_QueryString",
            ),
            block("Host_localhost_HEADER", "Host_Localhost_Header"),
            block("PROPFIND_METHOD", "Propfind_Method"),
            block("ExploitablePaths_URIPATH", "ExploitablePaths_URIPath"),
            block("Log4JRCE_HEADER", "Log4JRCE_Header"),
            block("Log4JRCE_QUERYSTRING", "Log4JRCE_QueryString"),
            block("Log4JRCE_BODY", "Log4JRCE_Body"),
            block("Log4JRCE_URIPATH", "Log4JRCE_URIPath"),
        ],
    },
    ManagedGroup {
        name: "AWSManagedRulesSQLiRuleSet",
        description: "Contains rules that allow you to block request patterns associated with exploitation of SQL databases, like SQL injection attacks. This can help prevent remote injection of unauthorized queries.",
        capacity: 200,
        label_namespace: "awswaf:managed:aws:sql-database:",
        versions: V1,
        rules: &[
            block(
                "SQLiExtendedPatterns_QUERYARGUMENTS",
                "SQLiExtendedPatterns_QueryArguments",
            ),
            block("SQLi_QUERYARGUMENTS", "SQLi_QueryArguments"),
            block("SQLi_BODY", "SQLi_Body"),
            block("SQLiExtendedPatterns_BODY", "SQLiExtendedPatterns_Body"),
            block("SQLi_COOKIE", "SQLi_Cookie"),
            block("SQLi_URIPATH", "SQLi_URIPath"),
        ],
    },
    ManagedGroup {
        name: "AWSManagedRulesLinuxRuleSet",
        description: "Contains rules that block request patterns associated with exploitation of vulnerabilities specific to Linux, including LFI attacks. This can help prevent attacks that expose file contents or execute code for which the attacker should not have had access.",
        capacity: 200,
        label_namespace: "awswaf:managed:aws:linux-os:",
        versions: V1,
        rules: &[
            block("LFI_URIPATH", "LFI_URIPath"),
            block("LFI_QUERYSTRING", "LFI_QueryString"),
            block("LFI_HEADER", "LFI_Header"),
        ],
    },
    ManagedGroup {
        name: "AWSManagedRulesUnixRuleSet",
        description: "Contains rules that block request patterns associated with exploiting vulnerabilities specific to POSIX/POSIX-like OS, including LFI attacks. This can help prevent attacks that expose file contents or execute code for which access should not been allowed.",
        capacity: 100,
        label_namespace: "awswaf:managed:aws:posix-os:",
        versions: V1,
        rules: &[
            block(
                "UNIXShellCommandsVariables_QUERYSTRING",
                "UNIXShellCommandsVariables_QueryString",
            ),
            block(
                "UNIXShellCommandsVariables_BODY",
                "UNIXShellCommandsVariables_Body",
            ),
            block(
                "UNIXShellCommandsVariables_HEADER",
                "UNIXShellCommandsVariables_Header",
            ),
        ],
    },
    ManagedGroup {
        name: "AWSManagedRulesWindowsRuleSet",
        description: "Contains rules that block request patterns associated with exploiting vulnerabilities specific to Windows, (e.g., PowerShell commands). This can help prevent exploits that allow attacker to run unauthorized commands or execute malicious code.",
        capacity: 200,
        label_namespace: "awswaf:managed:aws:windows-os:",
        versions: V1,
        rules: &[
            block("WindowsShellCommands_COOKIE", "WindowsShellCommands_Cookie"),
            block(
                "WindowsShellCommands_QUERYARGUMENTS",
                "WindowsShellCommands_QueryArguments",
            ),
            block("WindowsShellCommands_BODY", "WindowsShellCommands_Body"),
            block("PowerShellCommands_COOKIE", "PowerShellCommands_Cookie"),
            block(
                "PowerShellCommands_QUERYARGUMENTS",
                "PowerShellCommands_QueryArguments",
            ),
            block("PowerShellCommands_BODY", "PowerShellCommands_Body"),
        ],
    },
    ManagedGroup {
        name: "AWSManagedRulesPHPRuleSet",
        description: "Contains rules that block request patterns associated with exploiting vulnerabilities specific to the use of the PHP, including injection of unsafe PHP functions. This can help prevent exploits that allow an attacker to remotely execute code or commands.",
        capacity: 100,
        label_namespace: "awswaf:managed:aws:php-app:",
        versions: V1,
        rules: &[
            block(
                "PHPHighRiskMethodsVariables_HEADER",
                "PHPHighRiskMethodsVariables_Header",
            ),
            block(
                "PHPHighRiskMethodsVariables_QUERYSTRING",
                "PHPHighRiskMethodsVariables_QueryString",
            ),
            block(
                "PHPHighRiskMethodsVariables_BODY",
                "PHPHighRiskMethodsVariables_Body",
            ),
        ],
    },
    ManagedGroup {
        name: "AWSManagedRulesAmazonIpReputationList",
        description: "This group contains rules that are based on Amazon threat intelligence. This is useful if you would like to block sources associated with bots or other threats.",
        capacity: 25,
        label_namespace: "awswaf:managed:aws:amazon-ip-list:",
        versions: &[],
        rules: &[
            block("AWSManagedIPReputationList", "AWSManagedIPReputationList"),
            block(
                "AWSManagedReconnaissanceList",
                "AWSManagedReconnaissanceList",
            ),
            count("AWSManagedIPDDoSList", "AWSManagedIPDDoSList"),
        ],
    },
    ManagedGroup {
        name: "AWSManagedRulesAnonymousIpList",
        description: "This group contains rules that allow you to block requests from services that allow obfuscation of viewer identity. This can include request originating from VPN, proxies, Tor nodes, and hosting providers. This is useful if you want to filter out viewers that may be trying to hide their identity from your application.",
        capacity: 50,
        label_namespace: "awswaf:managed:aws:anonymous-ip-list:",
        versions: &[],
        rules: &[
            block("AnonymousIPList", "AnonymousIPList"),
            block("HostingProviderIPList", "HostingProviderIPList"),
        ],
    },
];

/// The group `name` of `vendor`.
pub fn find(vendor: &str, name: &str) -> Option<&'static ManagedGroup> {
    if vendor != VENDOR {
        return None;
    }
    GROUPS.iter().find(|g| g.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_consistent() {
        for group in GROUPS {
            assert!(
                group.capacity > 0 && !group.rules.is_empty(),
                "{}",
                group.name
            );
            assert!(group.label_namespace.ends_with(':'));
            let mut names: Vec<&str> = group.rules.iter().map(|r| r.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), group.rules.len(), "{}", group.name);
        }
        assert_eq!(
            find("AWS", "AWSManagedRulesSQLiRuleSet").map(|g| g.capacity),
            Some(200)
        );
        assert!(find("Other", "AWSManagedRulesSQLiRuleSet").is_none());
    }
}
