//! ML_KEM_512/768/1024 key material (FIPS 203). Stored as PKCS#8 DER whose privateKey is the
//! `expandedKey` choice of draft-ietf-lamps-kyber-certificates (the FIPS 203 decapsulation key
//! `dk = dk_PKE ‖ ek ‖ H(ek) ‖ z`), because the expanded key is the form aws-lc-rs 1.19 can
//! export and re-import; seed-only private keys are rejected (aws-lc-rs cannot expand a seed).
//! The encapsulation key `ek` is taken from inside `dk` and checked against `H(ek)` (SHA3-256).

use super::MaterialError;
use super::der;
use super::ops::invalid;
use super::spec::Spec;
use aws_lc_rs::digest;
use aws_lc_rs::kem::{self, AlgorithmId, Ciphertext, DecapsulationKey, EncapsulationKey};
use zeroize::Zeroizing;

/// DER of the OID prefix 2.16.840.1.101.3.4.4 (NIST KEM algorithms); the last arc is 1/2/3.
const OID_PREFIX: [u8; 8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04];

/// A loaded ML-KEM key pair.
pub(crate) struct MlKemKey {
    pkcs8: Zeroizing<Vec<u8>>,
    decapsulation: DecapsulationKey<AlgorithmId>,
    encapsulation: EncapsulationKey<AlgorithmId>,
    ciphertext_len: usize,
    spki: Vec<u8>,
}

/// One parameter set: aws-lc-rs algorithm, module rank k, last OID arc, ciphertext length.
struct Params {
    algorithm: &'static kem::Algorithm<AlgorithmId>,
    k: usize,
    oid_arc: u8,
    ciphertext_len: usize,
}

impl Params {
    /// Length of the expanded decapsulation key: 768·k + 96.
    fn dk_len(&self) -> usize {
        768 * self.k + 96
    }

    /// Where `ek` sits inside `dk`: from 384·k, 384·k + 32 bytes long.
    fn ek_range(&self) -> std::ops::Range<usize> {
        384 * self.k..768 * self.k + 32
    }

    /// DER AlgorithmIdentifier { id-alg-ml-kem-* } (no parameters).
    fn algorithm_identifier(&self) -> Vec<u8> {
        let mut oid = OID_PREFIX.to_vec();
        oid.push(self.oid_arc);
        der::tlv(der::SEQUENCE, &der::tlv(der::OID, &oid))
    }
}

fn params_of(spec: Spec) -> Result<Params, MaterialError> {
    let (algorithm, k, oid_arc, ciphertext_len) = match spec {
        Spec::MlKem512 => (&kem::ML_KEM_512, 2, 1, 768),
        Spec::MlKem768 => (&kem::ML_KEM_768, 3, 2, 1088),
        Spec::MlKem1024 => (&kem::ML_KEM_1024, 4, 3, 1568),
        other => {
            return Err(invalid(format!(
                "{} is not an ML-KEM key spec",
                other.as_aws()
            )));
        }
    };
    Ok(Params {
        algorithm,
        k,
        oid_arc,
        ciphertext_len,
    })
}

impl MlKemKey {
    /// A fresh key pair.
    pub(crate) fn generate(spec: Spec) -> Result<MlKemKey, MaterialError> {
        let params = params_of(spec)?;
        let Ok(key) = DecapsulationKey::generate(params.algorithm) else {
            crate::fatal("ML-KEM key generation failed");
        };
        let dk = key
            .key_bytes()
            .map_err(|_| invalid("ML-KEM key could not be encoded"))?;
        let dk = Zeroizing::new(dk.as_ref().to_vec());
        let pkcs8 = Zeroizing::new(encode_pkcs8(&params, &dk));
        MlKemKey::from_bytes(spec, &pkcs8)
    }

    /// A key pair from PKCS#8 DER with an expanded private key of the spec's parameter set.
    pub(crate) fn from_bytes(spec: Spec, pkcs8: &[u8]) -> Result<MlKemKey, MaterialError> {
        let params = params_of(spec)?;
        let dk = decode_pkcs8(&params, pkcs8).ok_or_else(|| {
            invalid(format!(
                "expected a {} private key in PKCS#8 DER",
                spec.as_aws()
            ))
        })?;
        let ek = &dk[params.ek_range()];
        let hash_at = params.ek_range().end;
        if digest::digest(&digest::SHA3_256, ek).as_ref() != &dk[hash_at..hash_at + 32] {
            return Err(invalid(
                "ML-KEM private key is inconsistent (H(ek) mismatch)",
            ));
        }
        let unusable = |_| invalid("ML-KEM key is not usable");
        let decapsulation = DecapsulationKey::new(params.algorithm, dk).map_err(unusable)?;
        let encapsulation = EncapsulationKey::new(params.algorithm, ek).map_err(unusable)?;
        let spki = der::tlv(
            der::SEQUENCE,
            &[
                params.algorithm_identifier(),
                der::tlv(der::BIT_STRING, &[&[0u8][..], ek].concat()),
            ]
            .concat(),
        );
        Ok(MlKemKey {
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
            decapsulation,
            encapsulation,
            ciphertext_len: params.ciphertext_len,
            spki,
        })
    }

    pub(crate) fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.pkcs8.clone()
    }

    pub(crate) fn public_key_der(&self) -> Vec<u8> {
        self.spki.clone()
    }

    /// The shared secret of `ciphertext`. Only a wrong length fails: ML-KEM decapsulation of a
    /// tampered ciphertext yields an unrelated secret (implicit rejection), not an error.
    pub(crate) fn decapsulate(
        &self,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        if ciphertext.len() != self.ciphertext_len {
            return Err(MaterialError::InvalidCiphertext);
        }
        let secret = self
            .decapsulation
            .decapsulate(Ciphertext::from(ciphertext))
            .map_err(|_| MaterialError::InvalidCiphertext)?;
        Ok(Zeroizing::new(secret.as_ref().to_vec()))
    }

    /// A fresh `(ciphertext, shared secret)` to this key.
    pub(crate) fn encapsulate(&self) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), MaterialError> {
        let Ok((ciphertext, secret)) = self.encapsulation.encapsulate() else {
            crate::fatal("ML-KEM encapsulation failed");
        };
        Ok((
            ciphertext.as_ref().to_vec(),
            Zeroizing::new(secret.as_ref().to_vec()),
        ))
    }
}

/// PKCS#8 v1: SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING { OCTET STRING dk } }.
fn encode_pkcs8(params: &Params, dk: &[u8]) -> Vec<u8> {
    let private_key = der::tlv(der::OCTET_STRING, &der::tlv(der::OCTET_STRING, dk));
    let body = [
        der::tlv(der::INTEGER, &[0]),
        params.algorithm_identifier(),
        private_key,
    ]
    .concat();
    der::tlv(der::SEQUENCE, &body)
}

/// The expanded `dk` of a PKCS#8 v1 ML-KEM key of `params` (`expandedKey` or `both` choice).
fn decode_pkcs8<'a>(params: &Params, pkcs8: &'a [u8]) -> Option<&'a [u8]> {
    let body = der::read_all(pkcs8, der::SEQUENCE)?;
    let (version, rest) = der::read(body, der::INTEGER)?;
    if version != [0] {
        return None;
    }
    let identifier = params.algorithm_identifier();
    let rest = rest.strip_prefix(identifier.as_slice())?;
    let private_key = der::read_all(rest, der::OCTET_STRING)?;
    let dk = match der::read_all(private_key, der::OCTET_STRING) {
        Some(dk) => dk,
        None => expanded_of_both(private_key)?,
    };
    (dk.len() == params.dk_len()).then_some(dk)
}

/// The `both` choice: SEQUENCE { seed OCTET STRING (64), expandedKey OCTET STRING }.
fn expanded_of_both(private_key: &[u8]) -> Option<&[u8]> {
    let both = der::read_all(private_key, der::SEQUENCE)?;
    let (seed, rest) = der::read(both, der::OCTET_STRING)?;
    if seed.len() != 64 {
        return None;
    }
    der::read_all(rest, der::OCTET_STRING)
}
