//! Streaming decryption: the header is read and authenticated first (commitment, tag), then
//! frames are decrypted one at a time; the signature of signed suites is checked at the end.

use crate::body::{self, Content, FINAL_FRAME_MARK};
use crate::cmm::MaterialsManager;
use crate::context::EncryptionContext;
use crate::error::{Error, Result};
use crate::header::{self, HeaderBody, NON_FRAMED, ReadLimits};
use crate::keys::{self, DerivedKey};
use crate::materials::CommitmentPolicy;
use crate::signer::Verifier;
use crate::suite::{IV_LEN, TAG_LEN};
use std::io::Read;

/// Largest non-framed body read (it is decrypted in memory; the SDKs stopped writing them).
pub const MAX_NON_FRAMED: u64 = 1 << 30;

/// What the frame-by-frame [`Decryptor`] may hand out before the whole message is authenticated.
/// Every frame is authenticated by its own tag before it is returned; a signed message is
/// authentic as a whole only once its signature verified at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Streaming {
    /// Chunks of signed messages are refused ([`decrypt`] reads them whole and releases nothing
    /// before the signature verified). Unsigned messages stream.
    #[default]
    VerifiedOnly,
    /// AWS's "decrypt unsigned": a signed message is refused as soon as its header is read;
    /// unsigned messages stream.
    UnsignedOnly,
    /// Chunks of signed messages are handed out before the signature is checked: the caller
    /// must discard them unless [`Decryptor::finish`] succeeds (`rampart decrypt` writes them
    /// to a private temporary file it renames only then).
    Unverified,
}

/// How messages are decrypted.
#[derive(Debug, Clone, Default)]
pub struct DecryptOptions {
    /// Which suites may be read.
    pub policy: CommitmentPolicy,
    /// Most encrypted data keys a message may carry (`None`: no limit).
    pub max_encrypted_data_keys: Option<usize>,
    /// Pairs the message's encryption context must hold, with these values; checked before
    /// any data key is decrypted.
    pub expected_context: EncryptionContext,
    /// What the frame-by-frame reader may release early.
    pub streaming: Streaming,
}

/// Fails unless every expected pair is in the message's context with the same value.
fn check_expected(expected: &EncryptionContext, stored: &EncryptionContext) -> Result<()> {
    for (key, value) in expected {
        match stored.get(key) {
            Some(found) if found == value => {}
            Some(_) => {
                return Err(Error::Context(format!(
                    "the value of {key:?} differs from the one required"
                )));
            }
            None => {
                return Err(Error::Context(format!(
                    "the message has no {key:?} in its encryption context"
                )));
            }
        }
    }
    Ok(())
}

/// Reads one message from `R`, frame by frame.
pub struct Decryptor<R: Read> {
    input: R,
    header: HeaderBody,
    key: DerivedKey,
    verifier: Option<Verifier>,
    streaming: Streaming,
    sequence: u32,
    done: bool,
}

impl<R: Read> Decryptor<R> {
    /// Reads and authenticates the header, getting the data key from `cmm`.
    pub fn new(mut input: R, cmm: &dyn MaterialsManager, options: &DecryptOptions) -> Result<Self> {
        let limits = ReadLimits {
            max_encrypted_data_keys: options.max_encrypted_data_keys,
        };
        let (header, mut raw) = header::read_body(&mut input, limits)?;
        let suite = header.suite;
        if suite.signing().is_some() && options.streaming == Streaming::UnsignedOnly {
            return Err(Error::Usage(
                "the message is signed, and only unsigned messages may be streamed",
            ));
        }
        check_expected(&options.expected_context, &header.context)?;
        let materials = cmm.decryption_materials(
            suite,
            &header.context,
            &header.encrypted_data_keys,
            options.policy,
        )?;
        let data_key = materials.data_key.as_ref().ok_or(Error::Crypto)?;
        keys::verify_commitment(suite, data_key, &header.message_id, &header.suite_data)?;
        let key = DerivedKey::derive(suite, data_key, &header.message_id)?;
        let body_len = raw.len();
        header::read_into(
            &mut input,
            &mut raw,
            header::auth_len(suite),
            "header authentication",
        )?;
        let (body, auth) = raw.split_at(body_len);
        if suite.message_version() == 1 && auth[..IV_LEN] != [0u8; IV_LEN] {
            return Err(Error::Malformed("header IV is not zero"));
        }
        body::verify_header_tag(&key, body, &[], &auth[auth.len() - TAG_LEN..])?;
        let verifier = match (suite.signing(), &materials.verification_key) {
            (Some(signing), Some(public)) => {
                let text =
                    std::str::from_utf8(public).map_err(|_| Error::Malformed("public key"))?;
                let mut verifier = Verifier::new(signing, text)?;
                verifier.update(&raw);
                Some(verifier)
            }
            _ => None,
        };
        Ok(Self {
            input,
            header,
            key,
            verifier,
            streaming: options.streaming,
            sequence: 1,
            done: false,
        })
    }

    /// The message's encryption context (as stored, with `aws-crypto-public-key` if signed).
    pub fn context(&self) -> &EncryptionContext {
        &self.header.context
    }

    /// The parsed header.
    pub fn header(&self) -> &HeaderBody {
        &self.header
    }

    /// True for messages of a signed suite: their plaintext is authentic only once
    /// [`Decryptor::finish`] succeeds.
    pub fn is_signed(&self) -> bool {
        self.verifier.is_some()
    }

    /// The next chunk of plaintext (one frame), or `None` after the last frame.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        if self.verifier.is_some() && self.streaming == Streaming::VerifiedOnly {
            return Err(Error::Usage(
                "a signed message is released only once its signature is verified: use decrypt(), or Streaming::Unverified and discard the output unless finish() succeeds",
            ));
        }
        let chunk = if self.header.content_type == NON_FRAMED {
            self.done = true;
            self.non_framed()?
        } else {
            self.frame()?
        };
        Ok(Some(chunk))
    }

    fn read_exact(&mut self, n: usize, what: &'static str) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        header::read_into(&mut self.input, &mut buf, n, what)?;
        if let Some(verifier) = self.verifier.as_mut() {
            verifier.update(&buf);
        }
        Ok(buf)
    }

    fn read_u32(&mut self, what: &'static str) -> Result<u32> {
        let b = self.read_exact(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn frame(&mut self) -> Result<Vec<u8>> {
        let mut sequence = self.read_u32("frame sequence number")?;
        let last = sequence == FINAL_FRAME_MARK;
        if last {
            sequence = self.read_u32("final frame sequence number")?;
        }
        if sequence != self.sequence {
            return Err(Error::Malformed("frame out of sequence"));
        }
        let iv = self.iv()?;
        let frame_length = self.header.frame_length;
        let len = if last {
            self.read_u32("final frame length")?
        } else {
            frame_length
        };
        if len > frame_length {
            return Err(Error::Malformed("final frame longer than the frame length"));
        }
        let content = if last {
            Content::FinalFrame
        } else {
            Content::Frame
        };
        let mut sealed = self.read_exact(len as usize + TAG_LEN, "frame content")?;
        let aad = body::body_aad(&self.header.message_id, content, sequence, u64::from(len));
        let plain = self
            .key
            .open(iv, &aad, &mut sealed, "frame authentication tag")?;
        sealed.truncate(plain);
        self.sequence = sequence.wrapping_add(1);
        self.done = last;
        Ok(sealed)
    }

    fn iv(&mut self) -> Result<[u8; IV_LEN]> {
        let bytes = self.read_exact(IV_LEN, "frame IV")?;
        let mut iv = [0u8; IV_LEN];
        iv.copy_from_slice(&bytes);
        Ok(iv)
    }

    fn non_framed(&mut self) -> Result<Vec<u8>> {
        let iv = self.iv()?;
        let b = self.read_exact(8, "content length")?;
        let mut len = [0u8; 8];
        len.copy_from_slice(&b);
        let len = u64::from_be_bytes(len);
        if len > MAX_NON_FRAMED {
            return Err(Error::Malformed("non-framed body too large to decrypt"));
        }
        let mut sealed = self.read_exact(len as usize + TAG_LEN, "content")?;
        let aad = body::body_aad(&self.header.message_id, Content::SingleBlock, 1, len);
        let plain = self
            .key
            .open(iv, &aad, &mut sealed, "content authentication tag")?;
        sealed.truncate(plain);
        Ok(sealed)
    }

    /// After the last chunk: checks the signature (signed suites) and that nothing follows
    /// the message. Answers the input.
    pub fn finish(mut self) -> Result<R> {
        if !self.done {
            return Err(Error::Usage("finish called before the last frame was read"));
        }
        if let Some(verifier) = self.verifier.take() {
            let mut len = Vec::new();
            header::read_into(&mut self.input, &mut len, 2, "signature length")?;
            let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
            let mut signature = Vec::new();
            header::read_into(&mut self.input, &mut signature, len, "signature")?;
            verifier.verify(&signature)?;
        }
        let mut probe = [0u8; 1];
        if self.input.read(&mut probe)? != 0 {
            return Err(Error::Malformed("bytes after the end of the message"));
        }
        Ok(self.input)
    }
}

/// Decrypts a whole message in memory: no plaintext is returned unless every tag and the
/// signature verified. Answers the plaintext and the message's encryption context.
pub fn decrypt(
    message: &[u8],
    cmm: &dyn MaterialsManager,
    options: &DecryptOptions,
) -> Result<(Vec<u8>, EncryptionContext)> {
    let options = DecryptOptions {
        streaming: Streaming::Unverified,
        ..options.clone()
    };
    let mut decryptor = Decryptor::new(message, cmm, &options)?;
    let mut plaintext = Vec::new();
    while let Some(chunk) = decryptor.next_chunk()? {
        plaintext.extend_from_slice(&chunk);
    }
    let context = decryptor.context().clone();
    decryptor.finish()?;
    Ok((plaintext, context))
}
