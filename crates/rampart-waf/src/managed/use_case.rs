//! AWS's use-case groups: SQL database, Linux, POSIX, Windows and PHP — Rampart's own rules
//! under AWS's rule names, labels and actions.

use super::build::{
    RuleSpec, block, body, cookies, headers, query_args, query_string, regex, sqli, text_body,
    uri_path,
};

/// Decoded, lower case, runs of white space as one space.
const NORMAL: &[&str] = &[
    "URL_DECODE_UNI",
    "HTML_ENTITY_DECODE",
    "COMPRESS_WHITE_SPACE",
];

/// SQL the detector's LOW sensitivity leaves alone: time delays, UNION SELECT hidden in
/// comments, schema and file functions, XPath error functions, `OR 1=1` tautologies.
const SQLI_EXTENDED: &str = r#"(?i)(?:\bsleep\s*\(\s*\d|\bbenchmark\s*\(|\bpg_sleep\s*\(|\bwaitfor\s+(?:delay|time)\s+'|\bunion(?:\s|/\*.*?\*/|\+)+(?:all(?:\s|/\*.*?\*/)+|distinct(?:\s|/\*.*?\*/)+)?select\b|\binformation_schema\b|\bload_file\s*\(|\binto\s+(?:out|dump)file\b|\bxp_cmdshell\b|\bextractvalue\s*\(|\bupdatexml\s*\(|@@version\b|['"]\s*\bor\b\s+['"]?\w+['"]?\s*=\s*['"]?\w+\b)"#;

/// `AWSManagedRulesSQLiRuleSet`, namespace `awswaf:managed:aws:sql-database:`.
pub(super) fn sql_database() -> Vec<RuleSpec> {
    let url = &["URL_DECODE_UNI", "HTML_ENTITY_DECODE"];
    vec![
        block(
            "SQLi_QUERYARGUMENTS",
            "SQLi_QueryArguments",
            sqli(query_args(), url),
        ),
        block(
            "SQLiExtendedPatterns_QUERYARGUMENTS",
            "SQLiExtendedPatterns_QueryArguments",
            regex(SQLI_EXTENDED, query_args(), NORMAL),
        ),
        block("SQLi_BODY", "SQLi_Body", text_body(sqli(body(), url))),
        block(
            "SQLiExtendedPatterns_BODY",
            "SQLiExtendedPatterns_Body",
            regex(SQLI_EXTENDED, body(), NORMAL),
        ),
        block("SQLi_COOKIE", "SQLi_Cookie", sqli(cookies(), url)),
        block("SQLi_URIPATH", "SQLi_URIPath", sqli(uri_path(), url)),
    ]
}

/// Linux files that tell an attacker about the system, and its pseudo-devices.
const LINUX_FILES: &str = r"(?i)(?:/etc/(?:passwd|shadow|group|hosts|issue|crontab|sudoers|fstab|motd|hostname|mysql/my\.cnf|ssh/sshd_config)\b|/proc/(?:self|version|cpuinfo|meminfo|mounts|net|\d+)(?:/|\b)|/var/log/|/root/\.|\.ssh/(?:id_rsa|id_ed25519|authorized_keys)|/dev/(?:tcp|udp)/)";

/// `AWSManagedRulesLinuxRuleSet`, namespace `awswaf:managed:aws:linux-os:`.
pub(super) fn linux() -> Vec<RuleSpec> {
    let path = &["URL_DECODE_UNI", "URL_DECODE_UNI", "NORMALIZE_PATH"];
    vec![
        block(
            "LFI_URIPATH",
            "LFI_URIPath",
            regex(LINUX_FILES, uri_path(), path),
        ),
        block(
            "LFI_QUERYSTRING",
            "LFI_QueryString",
            regex(LINUX_FILES, query_string(), path),
        ),
        block(
            "LFI_HEADER",
            "LFI_Header",
            regex(LINUX_FILES, headers(), path),
        ),
    ]
}

/// Shell variables, and commands with shell-like arguments after a command separator or in a
/// substitution (`; cat /etc/…`, `| id`, `$(curl http://…)`), so prose with a semicolon stays
/// clean.
const UNIX_SHELL: &str = concat!(
    r"(?i)(?:\$\{?(?:home|path|ifs|shell|pwd|hostname|shlvl|bash_version|histfile|ld_preload)\b\}?",
    r"|(?:^|[;&|`]|\$\()\s*(?:(?:cat|more|less|head|tail|nl|tac)\s+[/~.]",
    r"|(?:wget|curl|fetch)\s+(?:-\S+\s+)*(?:https?|ftp)://",
    r"|(?:id|whoami|uname(?:\s+-[a-z]+)?|ifconfig|hostname|pwd|env|ls(?:\s+-[a-z]+)?)\s*(?:$|[;&|`)])",
    r"|(?:nc|ncat|netcat)\s+(?:-\S+\s+)*\S+\s+\d|(?:ba|z|da)?sh\s+-[ci]\b|ping\s+-c\s*\d",
    r"|sleep\s+\d+\s*(?:$|[;&|`)])|echo\s+['\x22$]|rm\s+-[rf]+\s+\S|chmod\s+(?:[0-7]{3,4}|[ugoa]*\+x)\s+\S",
    r"|(?:python[23]?|perl|ruby|php)\s+-[ec]\s)",
    r"|/bin/(?:ba|z|da)?sh\b|/usr/bin/(?:id|whoami|env)\b)"
);

/// `AWSManagedRulesUnixRuleSet` (POSIX), namespace `awswaf:managed:aws:posix-os:`.
pub(super) fn posix() -> Vec<RuleSpec> {
    vec![
        block(
            "UNIXShellCommandsVariables_QUERYSTRING",
            "UNIXShellCommandsVariables_QueryString",
            regex(UNIX_SHELL, query_string(), NORMAL),
        ),
        block(
            "UNIXShellCommandsVariables_BODY",
            "UNIXShellCommandsVariables_Body",
            regex(UNIX_SHELL, body(), NORMAL),
        ),
        block(
            "UNIXShellCommandsVariables_HEADER",
            "UNIXShellCommandsVariables_Header",
            regex(UNIX_SHELL, headers(), NORMAL),
        ),
    ]
}

/// Windows shell commands after a separator, and `cmd /c`.
const WINDOWS_SHELL: &str = r"(?i)(?:(?:[;&|]|\|\|)\s*(?:cmd(?:\.exe)?|powershell(?:\.exe)?|nslookup|net\s+(?:user|localgroup|view|use)|whoami|ipconfig|systeminfo|tasklist|taskkill|certutil|bitsadmin|wmic|reg\s+(?:query|add|delete)|type\s+[a-z]:\\|dir\s+[a-z]:\\|ping\s+-n)\b|\bcmd(?:\.exe)?\s*/[ck]\s)";

/// PowerShell cmdlets and idioms of attack scripts.
const POWERSHELL: &str = r"(?i)(?:invoke-(?:expression|webrequest|command|restmethod|mimikatz|shellcode)\b|\biex\s*\(|new-object\s+(?:net\.webclient|system\.net\.)|\.download(?:string|file|data)\s*\(|start-process\b|-encodedcommand\b|\s-enc\s+[a-z0-9+/=]{20}|set-executionpolicy\b|get-wmiobject\b|\[system\.convert\]::frombase64string|add-mppreference\b)";

/// `AWSManagedRulesWindowsRuleSet`, namespace `awswaf:managed:aws:windows-os:`.
pub(super) fn windows() -> Vec<RuleSpec> {
    vec![
        block(
            "WindowsShellCommands_COOKIE",
            "WindowsShellCommands_Cookie",
            regex(WINDOWS_SHELL, cookies(), NORMAL),
        ),
        block(
            "WindowsShellCommands_QUERYARGUMENTS",
            "WindowsShellCommands_QueryArguments",
            regex(WINDOWS_SHELL, query_args(), NORMAL),
        ),
        block(
            "WindowsShellCommands_BODY",
            "WindowsShellCommands_Body",
            regex(WINDOWS_SHELL, body(), NORMAL),
        ),
        block(
            "PowerShellCommands_COOKIE",
            "PowerShellCommands_Cookie",
            regex(POWERSHELL, cookies(), NORMAL),
        ),
        block(
            "PowerShellCommands_QUERYARGUMENTS",
            "PowerShellCommands_QueryArguments",
            regex(POWERSHELL, query_args(), NORMAL),
        ),
        block(
            "PowerShellCommands_BODY",
            "PowerShellCommands_Body",
            regex(POWERSHELL, body(), NORMAL),
        ),
    ]
}

/// PHP superglobals, dangerous functions called, stream wrappers and open tags.
const PHP: &str = r"(?i)(?:\$_(?:get|post|request|cookie|server|files|env|session)\b|\b(?:fsockopen|shell_exec|passthru|proc_open|popen|pcntl_exec|create_function|call_user_func(?:_array)?|base64_decode|gzinflate|str_rot13|phpinfo|file_put_contents|file_get_contents|move_uploaded_file)\s*\(|\b(?:eval|system|exec|assert)\(|php://(?:input|filter|stdin)|<\?php|data://text/plain;base64|expect://|phar://)";

/// `AWSManagedRulesPHPRuleSet`, namespace `awswaf:managed:aws:php-app:`.
pub(super) fn php() -> Vec<RuleSpec> {
    vec![
        block(
            "PHPHighRiskMethodsVariables_HEADER",
            "PHPHighRiskMethodsVariables_Header",
            regex(PHP, headers(), NORMAL),
        ),
        block(
            "PHPHighRiskMethodsVariables_QUERYSTRING",
            "PHPHighRiskMethodsVariables_QueryString",
            regex(PHP, query_string(), NORMAL),
        ),
        block(
            "PHPHighRiskMethodsVariables_BODY",
            "PHPHighRiskMethodsVariables_Body",
            regex(PHP, body(), NORMAL),
        ),
    ]
}
