//! SQL injection and cross-site scripting detectors behind WAF's SqliMatch and XssMatch statements.
//!
//! The input is the already-transformed field value (the engine applies TextTransformations
//! first). Pure functions, no I/O; the work is linear in the input's length.
//!
//! Both detectors follow libinjection's approach, in Rampart's own code: the SQL detector
//! tokenizes the input into typed tokens, folds them and matches token-type fingerprints of
//! injections ([`sqli`]); the XSS detector runs an HTML5-style tokenizer and flags dangerous
//! tags, attributes and URL schemes ([`xss`]).

mod sqli;
mod xss;

/// SqliMatch's `SensitivityLevel`: LOW flags fewer inputs (fewer false positives), HIGH more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sensitivity {
    #[default]
    Low,
    High,
}

/// True when `input` looks like a SQL injection attack at `sensitivity`.
pub fn is_sqli(input: &[u8], sensitivity: Sensitivity) -> bool {
    sqli::detect(input, sensitivity)
}

/// True when `input` looks like a cross-site scripting attack.
pub fn is_xss(input: &[u8]) -> bool {
    xss::detect(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (input, caught at LOW, caught at HIGH)
    const SQL: &[(&str, bool, bool)] = &[
        ("1' or '1'='1", true, true),
        ("admin'--", true, true),
        ("1 union all select null,version()--", true, true),
        ("1; drop table users", true, true),
        ("x'; exec master..xp_cmdshell 'dir'--", true, true),
        ("1 and sleep(5)", true, true),
        ("' = '", true, true),
        ("-1 union", true, true),
        ("x' or 'x", true, true),
        ("12 /*!50000 and 0 */", false, true),
        ("' or 1", false, true),
        ("O'Brien", false, false),
        ("1-2 or 3", false, false),
        ("select a plan", false, false),
        ("drop us a line; thanks", false, false),
        ("a < b and c > d", false, false),
        ("Rock 'n' roll", false, false),
    ];

    #[test]
    fn sql_examples() {
        for &(input, low, high) in SQL {
            assert_eq!(
                is_sqli(input.as_bytes(), Sensitivity::Low),
                low,
                "LOW: {input}"
            );
            assert_eq!(
                is_sqli(input.as_bytes(), Sensitivity::High),
                high,
                "HIGH: {input}"
            );
        }
    }

    #[test]
    fn xss_examples() {
        let attacks = [
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
            "x\" onmouseover=\"alert(1)",
            "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
            "<div style=\"width:expression(alert(1))\">",
            "<iframe src=//evil>",
            "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
        ];
        for a in attacks {
            assert!(is_xss(a.as_bytes()), "{a}");
        }
        let benign = [
            "a < b and c > d",
            "I <3 cats",
            "<b>bold</b> and <a href=\"https://example.com/x?y=1\">a link</a>",
            "online orders only",
            "see ?onboarding=1&x=2",
            "javascript is a language: learn it",
        ];
        for b in benign {
            assert!(!is_xss(b.as_bytes()), "{b}");
        }
    }
}
