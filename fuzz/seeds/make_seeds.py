#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into fuzz/seeds/<target>/ (checked in).

Run from anywhere: `python3 fuzz/seeds/make_seeds.py`. Inputs are real requests: the official
SigV4 suite's signed requests (crates/rampart-auth/tests/data), KMS JSON bodies as the SDKs send
them, IAM/STS forms as botocore writes them, IAM policies, and KMS ciphertext blobs. The
`kms_ciphertext` blob seeds need the `cryptography` package (skipped without it).
"""

import json
import os
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
SUITE = os.path.join(ROOT, "crates", "rampart-auth", "tests", "data", "sigv4-test-suite", "v4")

SUITE_CASES = [
    "get-vanilla",
    "get-header-value-multiline",
    "get-header-key-duplicate",
    "get-utf8",
    "get-relative-relative-normalized",
    "get-slashes-unnormalized",
    "get-space-normalized",
    "get-vanilla-query-order-encoded",
    "get-vanilla-with-session-token",
    "post-header-key-sort",
    "post-sts-header-before",
    "post-x-www-form-urlencoded",
]

CRED = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
SIG = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"


def write(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def sigv4():
    for case in SUITE_CASES:
        with open(os.path.join(SUITE, case, "header-signed-request.txt"), "rb") as f:
            write("sigv4_header", case, f.read())
        with open(os.path.join(SUITE, case, "query-signed-request.txt"), "rb") as f:
            line = f.read().split(b"\n", 1)[0]
        target = line.split(b" ")[1]
        write("sigv4_query", case, target.split(b"?", 1)[1] if b"?" in target else b"")
    write(
        "sigv4_header",
        "http-date",
        "GET / HTTP/1.1\nHost:example.amazonaws.com\nDate:Sun, 30 Aug 2015 12:36:00 GMT\n"
        f"Authorization:AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=date;host, "
        f"Signature={SIG}\n\n",
    )
    write(
        "sigv4_header",
        "kms-target",
        "POST / HTTP/1.1\nHost:kms.us-east-1.amazonaws.com\nX-Amz-Date:20150830T123600Z\n"
        "Content-Type:application/x-amz-json-1.1\nX-Amz-Target:TrentService.Encrypt\n"
        "X-Amz-Content-Sha256:UNSIGNED-PAYLOAD\n"
        f"Authorization:AWS4-HMAC-SHA256 Credential={CRED}, "
        f"SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature={SIG}\n"
        '\n{"KeyId":"alias/app","Plaintext":"aGVsbG8="}',
    )
    # Regression: a Date whose UTC instant is in year 10000 panicked in the skew check.
    write(
        "sigv4_header",
        "regression-http-date-year-10000",
        "GET / HTTP/1.1\nHost:example.amazonaws.com\nDate:Fri, 31 Dec 9999 23:59:59 -2359\n"
        f"Authorization:AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=date;host, Signature=00\n\n",
    )
    write("sigv4_header", "incomplete", "GET / HTTP/1.1\nHost:h\nAuthorization:AWS4-HMAC-SHA256 Credential=a/b\n\n")
    write(
        "sigv4_query",
        "expires-token",
        "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request"
        "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=604800&X-Amz-Security-Token=IQoJb3JpZ2luX2Vj%2B%2F%3D"
        f"&X-Amz-SignedHeaders=host&X-Amz-Signature={SIG}",
    )
    write("sigv4_query", "no-expires", f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={CRED}"
          "&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host%3Bx-amz-date&X-Amz-Signature=00")


KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KEY}"
POLICY = json.dumps({
    "Version": "2012-10-17",
    "Id": "key-default-1",
    "Statement": [{
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "kms:*",
        "Resource": "*",
    }],
})


def kms_operations():
    path = os.path.join(ROOT, "crates", "rampart-kms", "src", "generated", "operations.rs")
    with open(path) as f:
        text = f.read()
    block = text.split("pub const OPERATIONS", 1)[1].split("];", 1)[0]
    return re.findall(r'"(\w+)"', block)


def json_request():
    for op in kms_operations():
        write("json_request", f"empty-{op}", f"{op}\n{{}}")
    bodies = {
        "Encrypt": {"KeyId": "alias/app", "Plaintext": "aGVsbG8gd29ybGQ=",
                    "EncryptionContext": {"app": "billing"}, "GrantTokens": ["t1"]},
        "Decrypt": {"CiphertextBlob": "AQRrZXkxAAAAAQ==", "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                    "DryRun": False},
        "GenerateDataKey": {"KeyId": KEY_ARN, "KeySpec": "AES_256", "NumberOfBytes": 32},
        "CreateKey": {"Description": "app key", "KeyUsage": "ENCRYPT_DECRYPT", "KeySpec": "SYMMETRIC_DEFAULT",
                      "Policy": POLICY, "Tags": [{"TagKey": "team", "TagValue": "blue"}],
                      "MultiRegion": True, "BypassPolicyLockoutSafetyCheck": False},
        "CreateGrant": {"KeyId": KEY, "GranteePrincipal": "arn:aws:iam::111122223333:role/app",
                        "Operations": ["Encrypt", "Decrypt"],
                        "Constraints": {"EncryptionContextSubset": {"app": "billing"}}},
        "Sign": {"KeyId": KEY, "Message": "bWVzc2FnZQ==", "MessageType": "RAW",
                 "SigningAlgorithm": "ECDSA_SHA_256"},
        "ListAliases": {"KeyId": KEY, "Limit": 50, "Marker": "eyJrIjoxfQ=="},
        "ScheduleKeyDeletion": {"KeyId": KEY, "PendingWindowInDays": 7},
        "ImportKeyMaterial": {"KeyId": KEY, "ImportToken": "AAAA", "EncryptedKeyMaterial": "AAAA",
                              "ValidTo": 1767225600, "ExpirationModel": "KEY_MATERIAL_EXPIRES"},
        "GenerateRandom": {"NumberOfBytes": 1024, "Recipient": {
            "KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": "AAAA"}},
        "PutKeyPolicy": {"KeyId": KEY, "PolicyName": "default", "Policy": POLICY},
        "TagResource": {"KeyId": KEY, "Tags": [{"TagKey": "a", "TagValue": "b"}]},
    }
    for op, body in bodies.items():
        write("json_request", f"body-{op}", f"{op}\n{json.dumps(body)}")
    write("json_request", "not-json", "Encrypt\n{\"KeyId\":")
    write("json_request", "unknown-field", "DescribeKey\n{\"KeyId\":\"k\",\"Nope\":1}")


def query_request():
    forms = {
        "iam-create-user": "Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fteam%2F"
                           "&Tags.member.1.Key=team&Tags.member.1.Value=blue",
        "iam-put-user-policy": "Action=PutUserPolicy&Version=2010-05-08&UserName=alice&PolicyName=p"
                               "&PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D",
        "iam-create-role": "Action=CreateRole&Version=2010-05-08&RoleName=app&MaxSessionDuration=3600"
                           "&AssumeRolePolicyDocument=%7B%7D&PermissionsBoundary=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FX",
        "iam-list-users": "Action=ListUsers&Version=2010-05-08&MaxItems=10&Marker=abc",
        "iam-tag-role": "Action=TagRole&RoleName=app&Tags.member.1.Key=a&Tags.member.1.Value=1"
                        "&Tags.member.2.Key=b&Tags.member.2.Value=2",
        "iam-untag-user": "Action=UntagUser&UserName=alice&TagKeys.member.1=a&TagKeys.member.2=b",
        "iam-create-policy-version": "Action=CreatePolicyVersion&PolicyArn=arn%3Aaws%3Aiam%3A%3A1%3Apolicy%2Fp"
                                     "&PolicyDocument=%7B%7D&SetAsDefault=true",
        "iam-simulate": "Action=SimulatePrincipalPolicy&PolicySourceArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Auser%2Falice&ActionNames.member.1=s3%3AGetObject"
                        "&ContextEntries.member.1.ContextKeyName=aws%3AUserName"
                        "&ContextEntries.member.1.ContextKeyValues.member.1=alice"
                        "&ContextEntries.member.1.ContextKeyType=string",
        "sts-assume-role": "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp"
                           "&RoleSessionName=s1&DurationSeconds=900&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FX"
                           "&Tags.member.1.Key=k&Tags.member.1.Value=v&TransitiveTagKeys.member.1=k"
                           "&ProvidedContexts.member.1.ProviderArn=arn%3Aaws%3Aiam%3A%3Aaws%3Acontextprovider%2FIdentityCenter"
                           "&ProvidedContexts.member.1.ContextAssertion=eyJhbGciOiJub25lIn0",
        "sts-session-token": "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3600"
                             "&SerialNumber=arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fa&TokenCode=123456",
        "sts-caller-identity": "Action=GetCallerIdentity&Version=2011-06-15",
        "query-then-body": "Action=GetAccessKeyInfo\nAccessKeyId=AKIAIOSFODNN7EXAMPLE&Version=2011-06-15",
    }
    for name, form in forms.items():
        write("query_request", name, form)


def policy():
    docs = {
        "key-default": json.loads(POLICY),
        "identity-conditions": {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Own", "Effect": "Allow", "Action": ["iam:*AccessKey*", "iam:Get*"],
                 "Resource": "arn:aws:iam::*:user/${aws:username}"},
                {"Effect": "Deny", "NotAction": "kms:Encrypt", "NotResource": "arn:aws:kms:*:*:key/*",
                 "Condition": {"Bool": {"aws:SecureTransport": "false"},
                               "IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]}}},
                {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
                 "Condition": {"StringEquals": {"kms:EncryptionContext:app": "billing"},
                               "ForAllValues:StringLike": {"aws:TagKeys": ["team", "env*"]},
                               "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                               "NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"},
                               "Null": {"aws:RequestTag/team": "false"}}},
            ],
        },
        "trust": {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:root"],
                                                           "Service": "ec2.amazonaws.com"},
                          "Action": ["sts:AssumeRole", "sts:TagSession"],
                          "Condition": {"StringEqualsIfExists": {"sts:ExternalId": "x"},
                                        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}},
        },
        "not-principal": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
                           "Action": "*", "Resource": "*"},
                          {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
                           "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "${aws:username}"},
                                         "BinaryEquals": {"kms:RecipientAttestation:ImageSha384": "AQID"}}}],
        },
        "old-version": {"Version": "2008-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "arn:aws:iam::111122223333:user/team/*"}]},
        "variables-default": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:CreateUser",
             "Resource": "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:PrincipalTag/team, 'none'}/*"}]},
    }
    for name, doc in docs.items():
        write("policy", name, json.dumps(doc, indent=1))
    write("policy", "syntax-error", '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",')


def kms_ciphertext():
    # Even first byte: `<id len><key id><plaintext>` to encrypt and decrypt back.
    write("kms_ciphertext", "roundtrip", bytes([0, len(KEY)]) + KEY.encode() + b"hello world")
    write("kms_ciphertext", "roundtrip-context-arn", bytes([2, len(KEY_ARN)]) + KEY_ARN.encode() + b"x" * 64)
    # Odd first byte: a blob as Decrypt receives it.
    header = bytes([1, len(KEY)]) + KEY.encode() + (1).to_bytes(4, "big")
    write("kms_ciphertext", "blob-bad-tag", bytes([1]) + header + bytes(16 + 12) + b"ciphertext" + bytes(16))
    write("kms_ciphertext", "blob-truncated", bytes([3]) + header[:20])
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    except ImportError:
        return
    # The same blob layout and key schedule as rampart-crypto's symmetric.rs, under the fuzz
    # target's backing key (32 bytes of 7).
    for mode, context in [(1, b""), (3, b"\x00\x00\x00\x03app\x00\x00\x00\x07billing")]:
        salt, nonce = bytes(range(16)), bytes(range(12))
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                   info=b"rampart/kms/symmetric/v1").derive(bytes([7] * 32))
        head = header + salt + nonce
        blob = head + AESGCM(key).encrypt(nonce, b"secret plaintext", head + context)
        write("kms_ciphertext", f"blob-valid-{mode}", bytes([mode]) + blob)


if __name__ == "__main__":
    for target in os.listdir(SEEDS):
        if os.path.isdir(os.path.join(SEEDS, target)):
            shutil.rmtree(os.path.join(SEEDS, target))
    sigv4()
    json_request()
    query_request()
    policy()
    kms_ciphertext()
