"""Outbound identity federation through boto3 on secure servers (SQLite and PostgreSQL): IAM's
Enable/Disable/GetOutboundWebIdentityFederation(Info) per account, STS GetWebIdentityToken
refused while the feature is off, and once on a JWT that PyJWT verifies against the JWKS
fetched over HTTPS from the issuer's discovery document (RS256 and ES384), with AWS's
claims; callers without sts:GetWebIdentityToken (or outside its audience condition) are
denied; disabling refuses tokens again and the discovery documents answer 404."""

from __future__ import annotations

import datetime

import jwt
import pytest
import requests

from harness import allow, create_role, create_user_with_key, eventually, expect_error, policy_doc, \
    trust_policy, unique

AUD = "https://api.example.com"
DISABLED = "OutboundWebIdentityFederationDisabledException"
NAMESPACE = "https://sts.amazonaws.com/"


def account_clients(server):
    """IAM and STS clients of a new account's root, and the account id."""
    created = server.create_account()
    iam = server.client_for("iam", created)
    sts = server.client_for("sts", created, region="eu-west-1")
    return iam, sts, created["AccountId"]


def fetch(server, url: str) -> requests.Response:
    return requests.get(url, verify=str(server.ca_bundle), timeout=10)


def verified(server, issuer: str, token: str, alg: str, audience: str = AUD) -> dict:
    """The token's claims once PyJWT verified it with the key its `kid` names in the JWKS the
    issuer's discovery document points to."""
    config = fetch(server, f"{issuer}/.well-known/openid-configuration")
    assert config.status_code == 200, config.text
    config = config.json()
    assert config["issuer"] == issuer
    keys = fetch(server, config["jwks_uri"]).json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    [jwk] = [k for k in keys if k["kid"] == kid]
    key = jwt.PyJWK(jwk, algorithm=alg)
    return jwt.decode(token, key.key, algorithms=[alg], audience=audience, issuer=issuer)


def test_the_feature_is_off_until_enabled(secure_server):
    iam, sts, _ = account_clients(secure_server)
    expect_error(sts.get_web_identity_token, DISABLED, status=403, Audience=[AUD],
                 SigningAlgorithm="RS256")
    expect_error(iam.get_outbound_web_identity_federation_info, "FeatureDisabled", status=404)
    expect_error(iam.disable_outbound_web_identity_federation, "FeatureDisabled", status=404)


def test_tokens_verify_against_the_issuer_jwks(secure_server):
    iam, sts, account = account_clients(secure_server)
    issuer = iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    assert issuer.startswith(f"https://localhost:{secure_server.port}/_rampart/sts/outbound/")
    expect_error(iam.enable_outbound_web_identity_federation, "FeatureEnabled", status=409)
    info = iam.get_outbound_web_identity_federation_info()
    assert (info["IssuerIdentifier"], info["JwtVendingEnabled"]) == (issuer, True)
    for alg in ("RS256", "ES384"):
        out = sts.get_web_identity_token(Audience=[AUD, "second"], SigningAlgorithm=alg,
                                         DurationSeconds=120,
                                         Tags=[{"Key": "team", "Value": "data"}])
        claims = verified(secure_server, issuer, out["WebIdentityToken"], alg)
        assert jwt.get_unverified_header(out["WebIdentityToken"])["alg"] == alg
        assert claims["sub"] == f"arn:aws:iam::{account}:root"
        assert claims["aud"] == [AUD, "second"]
        assert claims["exp"] - claims["iat"] == 120
        assert int(out["Expiration"].timestamp()) == claims["exp"]
        assert claims[NAMESPACE]["aws_account"] == account
        assert claims[NAMESPACE]["source_region"] == "eu-west-1"
        assert claims[NAMESPACE]["request_tags"] == {"team": "data"}
        with pytest.raises(jwt.InvalidAudienceError):
            verified(secure_server, issuer, out["WebIdentityToken"], alg, audience="other")
    default = sts.get_web_identity_token(Audience=[AUD], SigningAlgorithm="ES384")
    claims = verified(secure_server, issuer, default["WebIdentityToken"], "ES384")
    assert (claims["aud"], claims["exp"] - claims["iat"]) == (AUD, 300)


def test_a_role_session_token_names_the_role(secure_server):
    iam, _, account = account_clients(secure_server)
    issuer = iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    name = unique("worker")
    role = create_role(iam, name, trust_policy({"AWS": f"arn:aws:iam::{account}:root"}),
                       policy_doc(allow("sts:GetWebIdentityToken")),
                       Tags=[{"Key": "env", "Value": "prod"}])
    user = create_user_with_key(iam, unique("caller"), policy_doc(allow("sts:AssumeRole")))
    caller = secure_server.client_for("sts", user, region="eu-west-1")
    creds = eventually(lambda: caller.assume_role(RoleArn=role["Arn"], RoleSessionName="s1"))
    session = secure_server.client_for("sts", creds["Credentials"], region="eu-west-1")
    out = eventually(lambda: session.get_web_identity_token(Audience=[AUD],
                                                            SigningAlgorithm="RS256"))
    claims = verified(secure_server, issuer, out["WebIdentityToken"], "RS256")
    assert claims["sub"] == role["Arn"]
    assert claims[NAMESPACE]["principal_tags"] == {"env": "prod"}
    expect_error(session.get_web_identity_token, "SessionDurationEscalationException",
                 status=403, Audience=[AUD], SigningAlgorithm="RS256", DurationSeconds=3600)


def test_callers_need_the_permission_and_its_conditions(secure_server):
    iam, sts, account = account_clients(secure_server)
    iam.enable_outbound_web_identity_federation()
    none = create_user_with_key(iam, unique("none"), policy_doc(allow("sts:GetCallerIdentity")))
    denied = secure_server.client_for("sts", none, region="eu-west-1")
    arn = none["User"]["Arn"]
    eventually(lambda: denied.get_caller_identity())
    expect_error(denied.get_web_identity_token, "AccessDenied",
                 rf"^User: {arn} is not authorized to perform: sts:GetWebIdentityToken on "
                 r"resource: \*$", status=403, Audience=[AUD], SigningAlgorithm="RS256")
    condition = {"ForAllValues:StringEquals": {"sts:IdentityTokenAudience": AUD},
                 "NumericLessThanEquals": {"sts:DurationSeconds": "300"}}
    scoped = create_user_with_key(
        iam, unique("scoped"), policy_doc(allow("sts:GetWebIdentityToken", condition=condition)))
    client = secure_server.client_for("sts", scoped, region="eu-west-1")
    token = eventually(lambda: client.get_web_identity_token(Audience=[AUD],
                                                             SigningAlgorithm="ES384"))
    assert token["WebIdentityToken"].count(".") == 2
    expect_error(client.get_web_identity_token, "AccessDenied", status=403,
                 Audience=["https://elsewhere.example"], SigningAlgorithm="ES384")
    expect_error(client.get_web_identity_token, "AccessDenied", status=403, Audience=[AUD],
                 SigningAlgorithm="ES384", DurationSeconds=900)
    expect_error(sts.get_web_identity_token, "ValidationError", status=400, Audience=[AUD],
                 SigningAlgorithm="HS256")


def test_disabling_refuses_tokens_and_hides_the_documents(secure_server):
    iam, sts, _ = account_clients(secure_server)
    issuer = iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    token = sts.get_web_identity_token(Audience=[AUD], SigningAlgorithm="RS256")
    iam.disable_outbound_web_identity_federation()
    expect_error(sts.get_web_identity_token, DISABLED, status=403, Audience=[AUD],
                 SigningAlgorithm="RS256")
    expect_error(iam.get_outbound_web_identity_federation_info, "FeatureDisabled", status=404)
    for document in ("openid-configuration", "jwks.json"):
        assert fetch(secure_server, f"{issuer}/.well-known/{document}").status_code == 404
    assert fetch(secure_server, f"{issuer}x/.well-known/jwks.json").status_code == 404
    # Enabling again answers the same issuer, whose keys still verify the earlier token.
    assert iam.enable_outbound_web_identity_federation()["IssuerIdentifier"] == issuer
    verified(secure_server, issuer, token["WebIdentityToken"], "RS256")


def test_signing_keys_survive_a_restart(make_server):
    server = make_server("secure-sqlite")
    iam, sts, _ = account_clients(server)
    issuer = iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    path = issuer.split(f":{server.port}", 1)[1]
    token = sts.get_web_identity_token(Audience=[AUD], SigningAlgorithm="ES384")
    before = fetch(server, f"{issuer}/.well-known/jwks.json").json()
    server.restart()
    after = fetch(server, f"{server.endpoint}{path}/.well-known/jwks.json").json()
    assert after == before and len(after["keys"]) == 1
    [jwk] = after["keys"]
    key = jwt.PyJWK(jwk, algorithm="ES384")
    claims = jwt.decode(token["WebIdentityToken"], key.key, algorithms=["ES384"], audience=AUD)
    assert claims["iss"] == issuer
    assert datetime.datetime.fromtimestamp(claims["exp"], datetime.timezone.utc) > \
        datetime.datetime.now(datetime.timezone.utc)
