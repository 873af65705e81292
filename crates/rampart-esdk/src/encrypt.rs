//! Streaming encryption: the header is written first, then a frame each time a frame's worth
//! of plaintext is known not to be the last, then the final frame and the signature.

use crate::body::{self, Content, FINAL_FRAME_MARK};
use crate::cmm::{EncryptionRequest, MaterialsManager};
use crate::context::EncryptionContext;
use crate::error::{Error, Result};
use crate::header::{FRAMED, HeaderBody};
use crate::keys::{self, DerivedKey};
use crate::materials::CommitmentPolicy;
use crate::signer::Signer;
use crate::suite::{AlgorithmSuite, IV_LEN};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use std::io::Write;

/// The default plaintext bytes per frame, as the SDKs use.
pub const DEFAULT_FRAME_LENGTH: u32 = 4096;

/// How a message is encrypted.
#[derive(Debug, Clone)]
pub struct EncryptOptions {
    /// The suite (default: the policy's default, the committing signed suite).
    pub suite: Option<AlgorithmSuite>,
    /// The encryption context stored in the header.
    pub context: EncryptionContext,
    /// Plaintext bytes per frame.
    pub frame_length: u32,
    /// Which suites may be used.
    pub policy: CommitmentPolicy,
    /// The most plaintext the message may hold (more fails the write); lets a caching
    /// materials manager count bytes before the data is seen.
    pub max_plaintext_length: Option<u64>,
}

impl Default for EncryptOptions {
    fn default() -> Self {
        Self {
            suite: None,
            context: EncryptionContext::new(),
            frame_length: DEFAULT_FRAME_LENGTH,
            policy: CommitmentPolicy::default(),
            max_plaintext_length: None,
        }
    }
}

/// Writes one encrypted message to `W` as plaintext is written to it; [`Encryptor::finish`]
/// ends the message (dropping it without `finish` leaves a truncated message).
pub struct Encryptor<W: Write> {
    out: W,
    key: DerivedKey,
    message_id: Vec<u8>,
    frame_length: usize,
    pending: Vec<u8>,
    sequence: u32,
    signer: Option<Signer>,
    /// Plaintext bytes still allowed by `max_plaintext_length`.
    allowance: Option<u64>,
}

impl<W: Write> Encryptor<W> {
    /// Gets materials from `cmm`, writes the header to `out`, and is ready for plaintext.
    pub fn new(out: W, cmm: &dyn MaterialsManager, options: &EncryptOptions) -> Result<Self> {
        if options.frame_length == 0 {
            return Err(Error::Usage("the frame length must be at least 1"));
        }
        let request = EncryptionRequest {
            suite: options.suite,
            context: &options.context,
            policy: options.policy,
            max_plaintext_length: options.max_plaintext_length,
        };
        let materials = cmm.encryption_materials(&request)?;
        let suite = materials.suite;
        options.policy.check_encrypt(suite)?;
        let data_key = materials.data_key.as_ref().ok_or(Error::Crypto)?;
        let mut message_id = vec![0u8; suite.message_id_len()];
        SystemRandom::new().fill(&mut message_id)?;
        let header = HeaderBody {
            suite,
            suite_data: keys::commit_key(suite, data_key, &message_id)?,
            message_id: message_id.clone(),
            context: materials.context.clone(),
            encrypted_data_keys: materials.encrypted_data_keys.clone(),
            content_type: FRAMED,
            frame_length: options.frame_length,
        };
        let key = DerivedKey::derive(suite, data_key, &message_id)?;
        let signer = match (suite.signing(), &materials.signing_key) {
            (Some(signing), Some(pkcs8)) => Some(Signer::new(signing, pkcs8)?),
            (Some(_), None) => {
                return Err(Error::Keyring("no signing key for a signed suite".into()));
            }
            (None, _) => None,
        };
        let mut encryptor = Self {
            out,
            key,
            message_id,
            frame_length: options.frame_length as usize,
            pending: Vec::with_capacity(options.frame_length as usize + 1),
            sequence: 1,
            signer,
            allowance: options.max_plaintext_length,
        };
        encryptor.write_header(&header)?;
        Ok(encryptor)
    }

    fn write_header(&mut self, header: &HeaderBody) -> Result<()> {
        let mut bytes = header.serialize()?;
        let tag = body::header_tag(&self.key, &bytes, &[])?;
        if header.suite.message_version() == 1 {
            bytes.extend_from_slice(&[0u8; IV_LEN]);
        }
        bytes.extend_from_slice(&tag);
        self.emit(&bytes)
    }

    /// Writes message bytes out, feeding the signature.
    fn emit(&mut self, bytes: &[u8]) -> Result<()> {
        if let Some(signer) = self.signer.as_mut() {
            signer.update(bytes);
        }
        self.out.write_all(bytes)?;
        Ok(())
    }

    /// Encrypts the first `len` pending bytes as frame `self.sequence`.
    fn write_frame(&mut self, len: usize, last: bool) -> Result<()> {
        let sequence = self.sequence;
        let content = if last {
            Content::FinalFrame
        } else {
            Content::Frame
        };
        let aad = body::body_aad(&self.message_id, content, sequence, len as u64);
        let iv = body::frame_iv(sequence);
        let mut frame = Vec::with_capacity(len + 40);
        if last {
            frame.extend_from_slice(&FINAL_FRAME_MARK.to_be_bytes());
        }
        frame.extend_from_slice(&sequence.to_be_bytes());
        frame.extend_from_slice(&iv);
        if last {
            frame.extend_from_slice(&(len as u32).to_be_bytes());
        }
        let start = frame.len();
        frame.extend_from_slice(&self.pending[..len]);
        let tag = self.key.seal(iv, &aad, &mut frame[start..])?;
        frame.extend_from_slice(&tag);
        self.pending.drain(..len);
        self.sequence = sequence
            .checked_add(1)
            .filter(|s| *s != FINAL_FRAME_MARK)
            .ok_or(Error::Usage(
                "the message has too many frames for its frame length",
            ))?;
        self.emit(&frame)
    }

    /// Writes the final frame and the signature, and answers the output.
    ///
    /// The final frame is always shorter than a frame: plaintext that ends on a frame boundary
    /// gets an empty final frame, as the other SDKs write it (the Python SDK refuses a final
    /// frame of the full frame length).
    pub fn finish(mut self) -> Result<W> {
        while self.pending.len() >= self.frame_length {
            self.write_frame(self.frame_length, false)?;
        }
        self.write_frame(self.pending.len(), true)?;
        if let Some(signer) = self.signer.take() {
            let signature = signer.finish()?;
            let mut footer = (signature.len() as u16).to_be_bytes().to_vec();
            footer.extend_from_slice(&signature);
            self.out.write_all(&footer)?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for Encryptor<W> {
    /// Takes plaintext; a frame is written once more than a frame's worth is pending, so the
    /// last bytes always go in the final frame.
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = (2 * self.frame_length)
            .saturating_sub(self.pending.len())
            .max(1);
        let take = buf.len().min(room);
        if let Some(allowance) = self.allowance.as_mut() {
            *allowance = allowance.checked_sub(take as u64).ok_or(Error::Usage(
                "more plaintext than the declared maximum plaintext length",
            ))?;
        }
        self.pending.extend_from_slice(&buf[..take]);
        while self.pending.len() > self.frame_length {
            self.write_frame(self.frame_length, false)?;
        }
        Ok(take)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Encrypts `plaintext` in one call (its length is the declared maximum).
pub fn encrypt(
    plaintext: &[u8],
    cmm: &dyn MaterialsManager,
    options: &EncryptOptions,
) -> Result<Vec<u8>> {
    let mut options = options.clone();
    options.max_plaintext_length = Some(plaintext.len() as u64);
    let mut encryptor = Encryptor::new(Vec::new(), cmm, &options)?;
    encryptor.write_all(plaintext)?;
    encryptor.finish()
}
