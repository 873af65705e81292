//! SSH public keys, no I/O: the OpenSSH form (`ssh-rsa AAAA... comment`, `ssh-ed25519 ...`)
//! and the PEM SubjectPublicKeyInfo form parsed into one key, RSA keys of at least 2048 bits;
//! its canonical OpenSSH and PEM forms, and its fingerprint as IAM shows it (MD5 of the SSH
//! wire form, colon-separated hex).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};

/// Smallest RSA modulus accepted, in bits.
const MIN_RSA_BITS: usize = 2048;
/// DER of the rsaEncryption and Ed25519 algorithm identifiers' OIDs.
const RSA_OID: &[u8] = &[
    0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01,
];
const ED25519_OID: &[u8] = &[0x06, 0x03, 0x2B, 0x65, 0x70];

/// Why a key body was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// Neither OpenSSH nor PEM public key form (`UnrecognizedPublicKeyEncoding`).
    Unrecognized,
    /// The right form but not a usable key (`InvalidPublicKey`).
    Invalid,
}

/// A parsed public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// Modulus and public exponent, big-endian without leading zeros.
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    Ed25519(Vec<u8>),
}

impl PublicKey {
    /// Parses either form.
    pub fn parse(body: &str) -> Result<PublicKey, KeyError> {
        let body = body.trim();
        let key = if body.starts_with("-----BEGIN") {
            from_pem(body)?
        } else {
            from_openssh(body)?
        };
        key.checked()
    }

    fn checked(self) -> Result<PublicKey, KeyError> {
        match &self {
            PublicKey::Rsa { n, .. } if bits(n) < MIN_RSA_BITS => Err(KeyError::Invalid),
            PublicKey::Ed25519(k) if k.len() != 32 => Err(KeyError::Invalid),
            _ => Ok(self),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            PublicKey::Rsa { .. } => "ssh-rsa",
            PublicKey::Ed25519(_) => "ssh-ed25519",
        }
    }

    /// The SSH wire form (RFC 4253 §6.6).
    pub fn wire(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_string(&mut out, self.type_name().as_bytes());
        match self {
            PublicKey::Rsa { n, e } => {
                put_string(&mut out, &mpint(e));
                put_string(&mut out, &mpint(n));
            }
            PublicKey::Ed25519(k) => put_string(&mut out, k),
        }
        out
    }

    /// `<type> <base64 of the wire form>`.
    pub fn openssh(&self) -> String {
        format!("{} {}", self.type_name(), STANDARD.encode(self.wire()))
    }

    /// The PEM `PUBLIC KEY` (SubjectPublicKeyInfo) form.
    pub fn pem(&self) -> String {
        let (algorithm, key) = match self {
            PublicKey::Rsa { n, e } => {
                let ints = [tlv(0x02, &der_uint(n)), tlv(0x02, &der_uint(e))].concat();
                let null = [0x05, 0x00];
                (tlv(0x30, &[RSA_OID, &null].concat()), tlv(0x30, &ints))
            }
            PublicKey::Ed25519(k) => (tlv(0x30, ED25519_OID), k.clone()),
        };
        let bits = tlv(0x03, &[&[0u8][..], &key].concat());
        let der = tlv(0x30, &[algorithm, bits].concat());
        let text = STANDARD.encode(der);
        let lines: Vec<&str> = text
            .as_bytes()
            .chunks(64)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    /// MD5 of the wire form as `aa:bb:...`.
    pub fn fingerprint(&self) -> String {
        let digest = Md5::digest(self.wire());
        let hex: Vec<String> = digest.iter().map(|b| format!("{b:02x}")).collect();
        hex.join(":")
    }
}

fn from_openssh(body: &str) -> Result<PublicKey, KeyError> {
    let mut parts = body.split_whitespace();
    let kind = parts.next().ok_or(KeyError::Unrecognized)?;
    if kind != "ssh-rsa" && kind != "ssh-ed25519" {
        return Err(KeyError::Unrecognized);
    }
    let blob = parts.next().ok_or(KeyError::Invalid)?;
    let wire = STANDARD.decode(blob).map_err(|_| KeyError::Invalid)?;
    let mut reader = Reader(&wire);
    if reader.string()? != kind.as_bytes() {
        return Err(KeyError::Invalid);
    }
    let key = if kind == "ssh-rsa" {
        let e = strip(reader.string()?);
        let n = strip(reader.string()?);
        PublicKey::Rsa { n, e }
    } else {
        PublicKey::Ed25519(reader.string()?.to_vec())
    };
    if reader.0.is_empty() {
        Ok(key)
    } else {
        Err(KeyError::Invalid)
    }
}

fn from_pem(body: &str) -> Result<PublicKey, KeyError> {
    use x509_parser::prelude::FromDer;
    use x509_parser::public_key::PublicKey as Parsed;
    let (_, block) =
        x509_parser::pem::parse_x509_pem(body.as_bytes()).map_err(|_| KeyError::Unrecognized)?;
    if block.label != "PUBLIC KEY" {
        return Err(KeyError::Unrecognized);
    }
    let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(&block.contents)
        .map_err(|_| KeyError::Invalid)?;
    if spki.algorithm.algorithm.as_bytes() == &ED25519_OID[2..] {
        return Ok(PublicKey::Ed25519(spki.subject_public_key.data.to_vec()));
    }
    match spki.parsed() {
        Ok(Parsed::RSA(rsa)) => Ok(PublicKey::Rsa {
            n: strip(rsa.modulus),
            e: strip(rsa.exponent),
        }),
        _ => Err(KeyError::Unrecognized),
    }
}

/// Reads RFC 4251 strings (a 4-byte big-endian length, then the bytes).
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn string(&mut self) -> Result<&'a [u8], KeyError> {
        let (len, rest) = self.0.split_first_chunk::<4>().ok_or(KeyError::Invalid)?;
        let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| KeyError::Invalid)?;
        if rest.len() < len {
            return Err(KeyError::Invalid);
        }
        let (value, rest) = rest.split_at(len);
        self.0 = rest;
        Ok(value)
    }
}

fn put_string(out: &mut Vec<u8>, value: &[u8]) {
    let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(value);
}

/// A big-endian number without leading zero bytes.
fn strip(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

/// An SSH mpint / DER INTEGER body of a non-negative number: a zero byte first when the
/// high bit is set.
fn mpint(bytes: &[u8]) -> Vec<u8> {
    match bytes.first() {
        Some(b) if b & 0x80 != 0 => [&[0u8][..], bytes].concat(),
        _ => bytes.to_vec(),
    }
}

fn der_uint(bytes: &[u8]) -> Vec<u8> {
    if bytes.is_empty() {
        vec![0]
    } else {
        mpint(bytes)
    }
}

fn bits(n: &[u8]) -> usize {
    n.first()
        .map_or(0, |b| (n.len() - 1) * 8 + (8 - b.leading_zeros() as usize))
}

/// A DER tag-length-value.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes = strip(&len.to_be_bytes());
        out.push(0x80 | u8::try_from(bytes.len()).unwrap_or(0));
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Keys made by `ssh-keygen`, with the fingerprints `ssh-keygen -l -E md5` prints and
    /// the RSA key's `ssh-keygen -e -m PKCS8` form.
    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPfeU6+noAmiTxD1UOHGTcjVFsqqcVd5cCabudrSqZ3a user@host";
    const ED_MD5: &str = "9b:d9:03:d5:be:f6:7d:57:ca:a8:b5:12:4b:0c:d4:93";
    const RSA: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCwHRVucstgM4N1kbLF+v3RHaQqIIFvoR+5YfmvN1AFUmBnsr5OiXUqEJ9uLN+869pX2vR1YvBODOtHPe4TQDyV2mf5wzFu01oPZ7MabT43tAzrJhL3tqL35TJKrvIKNi/rGLVTU7+KmPjAsj/rIF+XREPnSwsicwXSlngXqz3QC0kA+w/8em9HuwMSmug2qBkLnkLuLr0XNXi2bFXuX6r2N3OLcteJdSVnmkvwi/Z+TW9k5ZGijchJSEGu0EVzfbnf/kn+Mg7pDBX7XpK1L8zS5BsJOvl5PkEJkqWB2U3Tv23c0TZWjra3Cxa6itlLg8RQqKeJnB1fN6gW1p1Ntxrp r";
    const RSA_MD5: &str = "1b:21:b6:91:4a:ea:3b:ea:fa:ee:29:a2:0e:a1:31:85";
    const RSA_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsB0VbnLLYDODdZGyxfr9\n0R2kKiCBb6EfuWH5rzdQBVJgZ7K+Tol1KhCfbizfvOvaV9r0dWLwTgzrRz3uE0A8\nldpn+cMxbtNaD2ezGm0+N7QM6yYS97ai9+UySq7yCjYv6xi1U1O/ipj4wLI/6yBf\nl0RD50sLInMF0pZ4F6s90AtJAPsP/HpvR7sDEproNqgZC55C7i69FzV4tmxV7l+q\n9jdzi3LXiXUlZ5pL8Iv2fk1vZOWRoo3ISUhBrtBFc3253/5J/jIO6QwV+16StS/M\n0uQbCTr5eT5BCZKlgdlN079t3NE2Vo62twsWuorZS4PEUKiniZwdXzeoFtadTbca\n6QIDAQAB\n-----END PUBLIC KEY-----\n";

    #[test]
    fn fingerprints_match_ssh_keygen() {
        assert_eq!(PublicKey::parse(ED).unwrap().fingerprint(), ED_MD5);
        assert_eq!(PublicKey::parse(RSA).unwrap().fingerprint(), RSA_MD5);
        assert_eq!(PublicKey::parse(RSA_PEM).unwrap().fingerprint(), RSA_MD5);
    }

    #[test]
    fn openssh_and_pem_forms_convert_both_ways() {
        let rsa = PublicKey::parse(RSA).unwrap();
        assert_eq!(rsa.pem(), RSA_PEM);
        assert_eq!(rsa.openssh(), RSA.rsplit_once(' ').unwrap().0);
        let ed = PublicKey::parse(ED).unwrap();
        assert_eq!(PublicKey::parse(&ed.pem()).unwrap(), ed);
        assert_eq!(ed.openssh(), ED.rsplit_once(' ').unwrap().0);
    }

    #[test]
    fn small_rsa_keys_are_invalid_and_other_forms_unrecognized() {
        let PublicKey::Rsa { n, e } = PublicKey::parse(RSA).unwrap() else {
            panic!("not RSA")
        };
        let small = PublicKey::Rsa {
            n: n[128..].to_vec(),
            e,
        };
        assert_eq!(PublicKey::parse(&small.openssh()), Err(KeyError::Invalid));
        assert_eq!(
            PublicKey::parse("ssh-dss AAAA"),
            Err(KeyError::Unrecognized)
        );
        assert_eq!(PublicKey::parse("ssh-rsa !!!"), Err(KeyError::Invalid));
        let cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert_eq!(PublicKey::parse(cert), Err(KeyError::Unrecognized));
    }
}
