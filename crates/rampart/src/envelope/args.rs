//! Flags of `rampart encrypt` and `rampart decrypt`, as close to `aws-encryption-cli`'s as fit.

use clap::Args;
use std::path::PathBuf;

/// Key choice shared by both commands.
#[derive(Debug, Args, Clone, Default)]
pub struct KeyArgs {
    /// KMS key (id, ARN, alias name or alias ARN); repeat for several. The first generates the
    /// data key on encrypt. On decrypt: only data keys of these keys are tried.
    #[arg(long = "key", short = 'k', value_name = "KEY")]
    pub keys: Vec<String>,
    /// Decrypt with any KMS key the caller may use (no --key needed).
    #[arg(long)]
    pub discovery: bool,
    /// Discovery: only keys of these accounts (with --discovery-partition).
    #[arg(long = "discovery-account", value_name = "ACCOUNT")]
    pub discovery_accounts: Vec<String>,
    /// Discovery: the partition of --discovery-account.
    #[arg(long, default_value = "aws")]
    pub discovery_partition: String,
    /// Multi-Region aware: a replica of an `mrk-` key in this Region decrypts.
    #[arg(long, value_name = "REGION")]
    pub mrk_region: Option<String>,
    /// Region for key ids and aliases that are not ARNs (default: AWS_REGION, AWS_DEFAULT_REGION).
    #[arg(long)]
    pub region: Option<String>,
    /// KMS endpoint (default: AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL, else AWS's).
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Raw AES wrapping key: a file of 16, 24 or 32 bytes (offline, no KMS).
    #[arg(long, value_name = "FILE")]
    pub raw_aes_key: Option<PathBuf>,
    /// Raw RSA key: a PEM or DER file, PKCS#8 private key or SubjectPublicKeyInfo public key.
    #[arg(long, value_name = "FILE")]
    pub raw_rsa_key: Option<PathBuf>,
    /// RSA padding of --raw-rsa-key: pkcs1, oaep-sha1, oaep-sha256, oaep-sha384, oaep-sha512.
    #[arg(long, default_value = "oaep-sha256")]
    pub rsa_padding: String,
    /// Raw keys: the key namespace (provider id).
    #[arg(long, default_value = "rampart")]
    pub key_namespace: String,
    /// Raw keys: the key name.
    #[arg(long, default_value = "raw-key")]
    pub key_name: String,
}

/// Input and output shared by both commands.
#[derive(Debug, Args, Clone)]
pub struct IoArgs {
    /// Input files or directories (`-`: standard input).
    #[arg(long = "input", short = 'i', required = true, num_args = 1.., value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    /// Output file, or directory for several inputs (`-`: standard output).
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: PathBuf,
    /// Descend into input directories.
    #[arg(long, short = 'r')]
    pub recursive: bool,
    /// Suffix added to output file names in a directory (default .encrypted / .decrypted).
    #[arg(long)]
    pub suffix: Option<String>,
    /// Encryption context pairs `key=value`. On decrypt: pairs the message must hold.
    #[arg(long = "context", short = 'c', value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Commitment policy: require-encrypt-require-decrypt (default),
    /// require-encrypt-allow-decrypt, forbid-encrypt-allow-decrypt.
    #[arg(long)]
    pub commitment_policy: Option<String>,
    /// Never show a progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `rampart encrypt`.
#[derive(Debug, Args)]
pub struct EncryptArgs {
    #[command(flatten)]
    pub io: IoArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Algorithm suite (default AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384).
    #[arg(long)]
    pub algorithm: Option<String>,
    /// Plaintext bytes per frame.
    #[arg(long, default_value_t = 4096)]
    pub frame_length: u32,
}

/// `rampart decrypt`.
#[derive(Debug, Args)]
pub struct DecryptArgs {
    #[command(flatten)]
    pub io: IoArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Context keys the message must hold (any value).
    #[arg(long = "required-context-key", value_name = "KEY")]
    pub required_keys: Vec<String>,
    /// Most encrypted data keys a message may carry.
    #[arg(long)]
    pub max_encrypted_data_keys: Option<usize>,
    /// Refuse signed messages, and so stream plaintext out as it is authenticated.
    #[arg(long)]
    pub decrypt_unsigned: bool,
}
