//! Naming: model names to Rust identifiers and to AWS lowerCamelCase paths.

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
    "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "unsafe", "use", "where", "while", "yield",
    // Reserved for future use.
    "abstract", "become", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual",
];

/// `CustomKeyStoreId` → `custom_key_store_id`, `AWSAccountId` → `aws_account_id`.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let boundary = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower);
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// A snake_case name usable as a Rust field or function name.
pub fn field(name: &str) -> String {
    let s = snake(name);
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// `SCREAMING_SNAKE` for statics.
pub fn screaming(name: &str) -> String {
    snake(name).to_ascii_uppercase()
}

/// `KeyId` → `keyId` (Coral validation paths, CloudTrail keys).
pub fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Type names generated code uses from the prelude, std and the codec runtime; a shape with
/// one of these names (WAFv2's `Regex`) would be shadowed by the import.
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Result",
    "Vec",
    "String",
    "Box",
    "Self",
    "BTreeMap",
    "Cow",
    "Future",
    "LazyLock",
    "Map",
    "Value",
    "Deserialize",
    "Deserializer",
    "Serialize",
    "Serializer",
    "AuditParams",
    "AuditValue",
    "Blob",
    "ConstraintValue",
    "Empty",
    "Field",
    "FromQuery",
    "Invocation",
    "MapNames",
    "OperationSpec",
    "QueryEnv",
    "QueryNode",
    "QueryOperationSpec",
    "Redacted",
    "Regex",
    "RequestContext",
    "ServiceError",
    "Timestamp",
    "ToXml",
    "Validate",
    "ValidationErrors",
    "XmlValue",
    "XmlWriter",
];

/// A PascalCase type name for a shape (`Shape` appended to a reserved name).
pub fn type_name(shape: &str) -> String {
    let mut out = pascal(shape);
    if RESERVED_TYPES.contains(&out.as_str()) {
        out.push_str("Shape");
    }
    out
}

/// `RSA_2048` → `Rsa2048`, `GenerateDataKey` → `GenerateDataKey`, `kms:Encrypt` → `KmsEncrypt`.
pub fn pascal(value: &str) -> String {
    let mut out = String::new();
    for part in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        let Some(first) = chars.next() else { continue };
        out.push(first.to_ascii_uppercase());
        let rest = chars.as_str();
        if rest.chars().any(|c| c.is_ascii_lowercase()) && first.is_ascii_alphabetic() {
            out.push_str(rest);
        } else {
            out.push_str(&rest.to_ascii_lowercase());
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, 'V');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_cases() {
        assert_eq!(snake("KeyId"), "key_id");
        assert_eq!(snake("AWSAccountId"), "aws_account_id");
        assert_eq!(
            snake("GenerateDataKeyPairWithoutPlaintext"),
            "generate_data_key_pair_without_plaintext"
        );
        assert_eq!(snake("KMSInternalException"), "kms_internal_exception");
        assert_eq!(snake("CloudHsmClusterId"), "cloud_hsm_cluster_id");
        assert_eq!(snake("ReEncrypt"), "re_encrypt");
        assert_eq!(snake("SM2PKE"), "sm2_pke");
        assert_eq!(field("Type"), "type_");
    }

    #[test]
    fn pascal_cases() {
        assert_eq!(pascal("RSA_2048"), "Rsa2048");
        assert_eq!(pascal("ECC_NIST_P256"), "EccNistP256");
        assert_eq!(pascal("GenerateDataKey"), "GenerateDataKey");
        assert_eq!(pascal("kms:Encrypt"), "KmsEncrypt");
        assert_eq!(pascal("2048"), "V2048");
        assert_eq!(type_name("String"), "StringShape");
        assert_eq!(type_name("Regex"), "RegexShape");
    }

    #[test]
    fn lower_camel_cases() {
        assert_eq!(lower_camel("KeyId"), "keyId");
        assert_eq!(lower_camel("AWSAccountId"), "aWSAccountId");
    }
}
