//! The AWS KMS names Rampart's key material understands: key specs, signing, encryption, MAC,
//! key-agreement and import-wrapping algorithms, and message types. Each enum maps to and from the
//! exact AWS spelling.

/// Declares a fieldless enum with its AWS names (`as_aws` / `from_aws`).
macro_rules! aws_names {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $aws:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $(#[doc = $aws] $variant),+ }

        impl $name {
            /// Every value, in the model's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The AWS spelling.
            pub fn as_aws(self) -> &'static str {
                match self { $($name::$variant => $aws),+ }
            }

            /// The value with AWS spelling `name`, if any.
            pub fn from_aws(name: &str) -> Option<Self> {
                match name { $($aws => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

aws_names!(
    /// `KeySpec` (and `DataKeyPairSpec`, a subset).
    Spec {
        Symmetric => "SYMMETRIC_DEFAULT",
        Rsa2048 => "RSA_2048",
        Rsa3072 => "RSA_3072",
        Rsa4096 => "RSA_4096",
        EccP256 => "ECC_NIST_P256",
        EccP384 => "ECC_NIST_P384",
        EccP521 => "ECC_NIST_P521",
        EccSecp256k1 => "ECC_SECG_P256K1",
        Ed25519 => "ECC_NIST_EDWARDS25519",
        Hmac224 => "HMAC_224",
        Hmac256 => "HMAC_256",
        Hmac384 => "HMAC_384",
        Hmac512 => "HMAC_512",
        MlDsa44 => "ML_DSA_44",
        MlDsa65 => "ML_DSA_65",
        MlDsa87 => "ML_DSA_87",
        MlKem512 => "ML_KEM_512",
        MlKem768 => "ML_KEM_768",
        MlKem1024 => "ML_KEM_1024",
        Sm2 => "SM2",
    }
);

aws_names!(
    /// `KeyUsageType`.
    Usage {
        EncryptDecrypt => "ENCRYPT_DECRYPT",
        SignVerify => "SIGN_VERIFY",
        GenerateVerifyMac => "GENERATE_VERIFY_MAC",
        KeyAgreement => "KEY_AGREEMENT",
        EncapsulateDecapsulate => "ENCAPSULATE_DECAPSULATE",
    }
);

aws_names!(
    /// `SigningAlgorithmSpec`.
    SigningAlgorithm {
        RsaPssSha256 => "RSASSA_PSS_SHA_256",
        RsaPssSha384 => "RSASSA_PSS_SHA_384",
        RsaPssSha512 => "RSASSA_PSS_SHA_512",
        RsaPkcs1Sha256 => "RSASSA_PKCS1_V1_5_SHA_256",
        RsaPkcs1Sha384 => "RSASSA_PKCS1_V1_5_SHA_384",
        RsaPkcs1Sha512 => "RSASSA_PKCS1_V1_5_SHA_512",
        EcdsaSha256 => "ECDSA_SHA_256",
        EcdsaSha384 => "ECDSA_SHA_384",
        EcdsaSha512 => "ECDSA_SHA_512",
        Sm2Dsa => "SM2DSA",
        MlDsaShake256 => "ML_DSA_SHAKE_256",
        Ed25519Sha512 => "ED25519_SHA_512",
        Ed25519PhSha512 => "ED25519_PH_SHA_512",
    }
);

aws_names!(
    /// `MessageType` of Sign/Verify.
    MessageType {
        Raw => "RAW",
        Digest => "DIGEST",
        ExternalMu => "EXTERNAL_MU",
    }
);

aws_names!(
    /// `EncryptionAlgorithmSpec`.
    EncryptionAlgorithm {
        SymmetricDefault => "SYMMETRIC_DEFAULT",
        RsaOaepSha1 => "RSAES_OAEP_SHA_1",
        RsaOaepSha256 => "RSAES_OAEP_SHA_256",
        Sm2Pke => "SM2PKE",
    }
);

aws_names!(
    /// `MacAlgorithmSpec`.
    MacAlgorithm {
        HmacSha224 => "HMAC_SHA_224",
        HmacSha256 => "HMAC_SHA_256",
        HmacSha384 => "HMAC_SHA_384",
        HmacSha512 => "HMAC_SHA_512",
    }
);

aws_names!(
    /// `KeyAgreementAlgorithmSpec`.
    KeyAgreementAlgorithm {
        Ecdh => "ECDH",
    }
);

aws_names!(
    /// `AlgorithmSpec` of GetParametersForImport (how imported material is wrapped).
    WrappingAlgorithm {
        RsaPkcs1V15 => "RSAES_PKCS1_V1_5",
        RsaOaepSha1 => "RSAES_OAEP_SHA_1",
        RsaOaepSha256 => "RSAES_OAEP_SHA_256",
        RsaAesKeyWrapSha1 => "RSA_AES_KEY_WRAP_SHA_1",
        RsaAesKeyWrapSha256 => "RSA_AES_KEY_WRAP_SHA_256",
        Sm2Pke => "SM2PKE",
    }
);

aws_names!(
    /// `WrappingKeySpec` of GetParametersForImport.
    WrappingKeySpec {
        Rsa2048 => "RSA_2048",
        Rsa3072 => "RSA_3072",
        Rsa4096 => "RSA_4096",
        Sm2 => "SM2",
    }
);
