//! `rampart encrypt` and `rampart decrypt`: files in the AWS Encryption SDK message format,
//! under KMS keys (Rampart's or AWS's) or raw keys, readable by every AWS Encryption SDK.

pub mod args;
mod failure;
mod files;
mod keys;
mod progress;
mod stream;

use args::{DecryptArgs, EncryptArgs, IoArgs};
use failure::Failure;
use rampart_esdk::{
    AlgorithmSuite, CommitmentPolicy, DecryptOptions, EncryptOptions, EncryptionContext, Streaming,
};
use std::process::ExitCode;

/// Runs `rampart encrypt`; prints what failed and answers the exit code.
pub fn encrypt(args: EncryptArgs) -> ExitCode {
    report(run_encrypt(&args))
}

/// Runs `rampart decrypt`.
pub fn decrypt(args: DecryptArgs) -> ExitCode {
    report(run_decrypt(&args))
}

fn report(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("rampart: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn run_encrypt(args: &EncryptArgs) -> Result<(), Failure> {
    let policy = policy(&args.io)?;
    let suite = match &args.algorithm {
        Some(name) => Some(
            AlgorithmSuite::from_name(&name.to_ascii_uppercase())
                .ok_or_else(|| Failure::usage(format!("unknown algorithm {name:?}")))?,
        ),
        None => None,
    };
    let options = EncryptOptions {
        suite,
        context: context(&args.io)?,
        frame_length: args.frame_length,
        policy,
        max_plaintext_length: None,
    };
    let cmm = keys::materials(&args.keys, false)?;
    for job in files::plan(&args.io, ".encrypted")? {
        stream::encrypt(&job, &cmm, &options, args.io.quiet)?;
    }
    Ok(())
}

fn run_decrypt(args: &DecryptArgs) -> Result<(), Failure> {
    let options = DecryptOptions {
        policy: policy(&args.io)?,
        max_encrypted_data_keys: args.max_encrypted_data_keys,
        expected_context: context(&args.io)?,
        streaming: match args.decrypt_unsigned {
            true => Streaming::UnsignedOnly,
            false => Streaming::Unverified,
        },
    };
    let cmm = keys::materials(&args.keys, true)?;
    for job in files::plan(&args.io, ".decrypted")? {
        stream::decrypt(
            &job,
            &RequiredKeys {
                inner: &cmm,
                keys: &args.required_keys,
            },
            &options,
            args.io.quiet,
        )?;
    }
    Ok(())
}

/// Checks `--required-context-key`s before the data key is decrypted.
struct RequiredKeys<'a> {
    inner: &'a dyn rampart_esdk::MaterialsManager,
    keys: &'a [String],
}

impl rampart_esdk::MaterialsManager for RequiredKeys<'_> {
    fn encryption_materials(
        &self,
        request: &rampart_esdk::EncryptionRequest<'_>,
    ) -> rampart_esdk::Result<rampart_esdk::materials::EncryptionMaterials> {
        self.inner.encryption_materials(request)
    }

    fn decryption_materials(
        &self,
        suite: AlgorithmSuite,
        context: &EncryptionContext,
        encrypted: &[rampart_esdk::EncryptedDataKey],
        policy: CommitmentPolicy,
    ) -> rampart_esdk::Result<rampart_esdk::materials::DecryptionMaterials> {
        if let Some(missing) = self.keys.iter().find(|k| !context.contains_key(*k)) {
            return Err(rampart_esdk::Error::Context(format!(
                "the message has no {missing:?} in its encryption context"
            )));
        }
        self.inner
            .decryption_materials(suite, context, encrypted, policy)
    }
}

fn policy(io: &IoArgs) -> Result<CommitmentPolicy, Failure> {
    match &io.commitment_policy {
        None => Ok(CommitmentPolicy::default()),
        Some(name) => CommitmentPolicy::from_name(&name.replace('-', "_"))
            .ok_or_else(|| Failure::usage(format!("unknown commitment policy {name:?}"))),
    }
}

fn context(io: &IoArgs) -> Result<EncryptionContext, Failure> {
    let mut context = EncryptionContext::new();
    for pair in &io.context {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| Failure::usage(format!("--context {pair:?} is not key=value")))?;
        if context.insert(key.to_owned(), value.to_owned()).is_some() {
            return Err(Failure::usage(format!("--context names {key:?} twice")));
        }
    }
    Ok(context)
}
