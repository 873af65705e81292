"""KMS `Recipient` (Nitro Enclaves attestation) through boto3: the tests make their own root,
intermediate and enclave certificates (P-384) with `cryptography`, an attestation document
(COSE_Sign1 over CBOR, ES384) with `cbor2`, and start a server trusting that root
(RAMPART_KMS_ATTESTATION_ROOT). CiphertextForRecipient is opened with the OpenSSL CLI (a second
CMS implementation) and the enclave's RSA private key; forged and untrusted documents are
refused."""

from __future__ import annotations

import datetime
import json
import subprocess

import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from harness import DEV_SQLITE, SECURE_POSTGRES, expect_error

NOW = datetime.datetime.now(datetime.timezone.utc)
INVALID = r"^The attestation document in the Recipient parameter is not valid: "


def _cert(name: str, key, issuer_name: str, issuer_key, ca: bool) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(hours=1))
        .not_valid_after(NOW + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA384())


class Pki:
    """A root, an intermediate and an enclave certificate, like AWS's Nitro chain."""

    def __init__(self, tag: str):
        self.root_key = ec.generate_private_key(ec.SECP384R1())
        self.root = _cert(f"{tag} root", self.root_key, f"{tag} root", self.root_key, True)
        inter_key = ec.generate_private_key(ec.SECP384R1())
        self.inter = _cert(f"{tag} intermediate", inter_key, f"{tag} root", self.root_key, True)
        self.leaf_key = ec.generate_private_key(ec.SECP384R1())
        self.leaf = _cert(f"{tag} enclave", self.leaf_key, f"{tag} intermediate", inter_key,
                          False)

    def der(self, cert: x509.Certificate) -> bytes:
        return cert.public_bytes(serialization.Encoding.DER)

    def document(self, public_key: bytes, signer=None, pcr0: bytes = bytes(48)) -> bytes:
        payload = cbor2.dumps({
            "module_id": "i-0123456789abcdef0-enc0123456789abcdef",
            "digest": "SHA384",
            "timestamp": int(NOW.timestamp() * 1000),
            "pcrs": {0: pcr0, 1: bytes([1]) * 48, 2: bytes([2]) * 48},
            "certificate": self.der(self.leaf),
            "cabundle": [self.der(self.root), self.der(self.inter)],
            "public_key": public_key,
            "user_data": None,
            "nonce": None,
        })
        protected = cbor2.dumps({1: -35})
        signed = cbor2.dumps(["Signature1", protected, b"", payload])
        der_sig = (signer or self.leaf_key).sign(signed, ec.ECDSA(hashes.SHA384()))
        r, s = decode_dss_signature(der_sig)
        signature = r.to_bytes(48, "big") + s.to_bytes(48, "big")
        return cbor2.dumps([protected, {}, payload, signature])


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    pki = Pki("rampart test")
    path = tmp_path_factory.mktemp("nitro") / "root.pem"
    path.write_bytes(pki.root.public_bytes(serialization.Encoding.PEM))
    pki.root_path = path
    return pki


@pytest.fixture(scope="module", params=[DEV_SQLITE, SECURE_POSTGRES])
def kms(request, pki, tmp_path_factory, pg_databases):
    from conftest import ServerFactory

    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        server = factory(request.param,
                         extra_env={"RAMPART_KMS_ATTESTATION_ROOT": str(pki.root_path)})
        yield server.client()
    finally:
        factory.close()


@pytest.fixture(scope="module")
def enclave(tmp_path_factory):
    """The enclave's RSA key pair: (PEM private key path, DER SubjectPublicKeyInfo)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("enclave") / "key.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return path, public


def open_envelope(blob: bytes, key_path, tmp_path) -> bytes:
    """Opens CiphertextForRecipient with `openssl cms` (CMS EnvelopedData, RSAES-OAEP)."""
    src = tmp_path / "envelope.der"
    src.write_bytes(blob)
    out = subprocess.run(
        ["openssl", "cms", "-decrypt", "-inform", "DER", "-in", str(src), "-inkey",
         str(key_path), "-binary"],
        capture_output=True, check=True,
    )
    return out.stdout


def recipient(pki: Pki, enclave, **kwargs) -> dict:
    return {"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256",
            "AttestationDocument": pki.document(enclave[1], **kwargs)}


def test_decrypt_for_an_attested_enclave(kms, pki, enclave, tmp_path):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"for the enclave only")["CiphertextBlob"]
    out = kms.decrypt(CiphertextBlob=blob, Recipient=recipient(pki, enclave))
    assert "Plaintext" not in out
    assert out["KeyId"].endswith(key)
    assert open_envelope(out["CiphertextForRecipient"], enclave[0], tmp_path) == \
        b"for the enclave only"
    # Two answers envelope under fresh content keys.
    again = kms.decrypt(CiphertextBlob=blob, Recipient=recipient(pki, enclave))
    assert again["CiphertextForRecipient"] != out["CiphertextForRecipient"]


def test_data_keys_and_random_for_an_attested_enclave(kms, pki, enclave, tmp_path):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    out = kms.generate_data_key(KeyId=key, KeySpec="AES_256", Recipient=recipient(pki, enclave))
    assert "Plaintext" not in out and "KeyMaterialId" not in out
    data_key = open_envelope(out["CiphertextForRecipient"], enclave[0], tmp_path)
    assert len(data_key) == 32
    assert kms.decrypt(CiphertextBlob=out["CiphertextBlob"])["Plaintext"] == data_key
    random = kms.generate_random(NumberOfBytes=48, Recipient=recipient(pki, enclave))
    assert "Plaintext" not in random
    assert len(open_envelope(random["CiphertextForRecipient"], enclave[0], tmp_path)) == 48
    pair = kms.generate_data_key_pair(KeyId=key, KeyPairSpec="ECC_NIST_P256",
                                      Recipient=recipient(pki, enclave))
    assert "PrivateKeyPlaintext" not in pair
    private_der = open_envelope(pair["CiphertextForRecipient"], enclave[0], tmp_path)
    private = serialization.load_der_private_key(private_der, None)
    public = private.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    assert public == pair["PublicKey"]


def test_forged_and_untrusted_documents_are_refused(kms, pki, enclave):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"secret")["CiphertextBlob"]
    forged = recipient(pki, enclave, signer=ec.generate_private_key(ec.SECP384R1()))
    expect_error(kms.decrypt, "ValidationException", INVALID + r"its COSE signature",
                 CiphertextBlob=blob, Recipient=forged)
    stranger = Pki("someone else")
    expect_error(kms.decrypt, "ValidationException", INVALID + r".*trusted root",
                 CiphertextBlob=blob, Recipient=recipient(stranger, enclave))
    garbage = {"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": b"\x00"}
    expect_error(kms.generate_random, "ValidationException", INVALID,
                 NumberOfBytes=16, Recipient=garbage)


def test_policy_conditions_on_the_attested_image(kms, pki, enclave, tmp_path):
    account = kms.create_key()["KeyMetadata"]["AWSAccountId"]
    image = "ab" * 48
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "only the enclave image decrypts", "Effect": "Deny", "Principal": "*",
         "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringNotEquals": {"kms:RecipientAttestation:ImageSha384": image}}},
        {"Sid": "and only with its PCR1", "Effect": "Deny", "Principal": "*",
         "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringNotEquals": {"kms:RecipientAttestation:PCR1": "01" * 48}}},
    ]}
    key = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"image-bound")["CiphertextBlob"]
    expect_error(kms.decrypt, "AccessDeniedException", CiphertextBlob=blob)
    other_image = recipient(pki, enclave, pcr0=bytes(48))
    expect_error(kms.decrypt, "AccessDeniedException", CiphertextBlob=blob, Recipient=other_image)
    out = kms.decrypt(CiphertextBlob=blob,
                      Recipient=recipient(pki, enclave, pcr0=bytes.fromhex(image)))
    assert open_envelope(out["CiphertextForRecipient"], enclave[0], tmp_path) == b"image-bound"


def test_derive_shared_secret_for_an_attested_enclave(kms, pki, enclave, tmp_path):
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
    peer = ec.generate_private_key(ec.SECP256R1())
    peer_public = peer.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    out = kms.derive_shared_secret(KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH",
                                   PublicKey=peer_public, Recipient=recipient(pki, enclave))
    assert "SharedSecret" not in out
    kms_public = serialization.load_der_public_key(
        kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])
    expected = peer.exchange(ec.ECDH(), kms_public)
    assert open_envelope(out["CiphertextForRecipient"], enclave[0], tmp_path) == expected
