"""A request signed for a service Rampart does not serve gets the protocol's "unknown" error
with a message naming that service and listing the served ones; a request signed for a served
service keeps AWS's exact answer (awsJson's UnknownOperationException has no message)."""
import json

import pytest
from botocore.exceptions import ClientError

SERVED = ("kms", "iam", "sts", "ssm", "secretsmanager", "acm", "events", "wafv2")


def refusal(call):
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]


def assert_names(error, service):
    message = error.get("Message", "")
    assert f"Rampart does not serve the '{service}' service." in message, error
    served = message.split("Rampart serves: ", 1)[1]
    for name in SERVED:
        assert name in served, (name, message)
    assert service not in served.split(", "), message


def test_an_aws_json_service_not_served_is_named(server):
    error = refusal(lambda: server.client("dynamodb").list_tables())
    assert error["Code"] == "UnknownOperationException"
    assert_names(error, "dynamodb")


def test_a_query_service_not_served_is_named(server):
    error = refusal(lambda: server.client("sns").list_topics())
    assert error["Code"] == "InvalidAction"
    assert_names(error, "sns")


def test_a_rest_json_service_not_served_is_named(server):
    error = refusal(lambda: server.client("lambda").list_functions())
    assert error["Code"] == "UnknownOperationException"
    assert_names(error, "lambda")


def test_a_rest_xml_service_not_served_is_named(server):
    error = refusal(lambda: server.client("route53").list_hosted_zones())
    assert error["Code"] == "UnknownOperationException"
    assert_names(error, "route53")


def test_an_unknown_target_of_a_served_service_keeps_aws_answer(server):
    resp = server.kms_raw("Nope_20141101.ListKeys", b"{}")
    assert resp.status == 400 and resp.error_type == "UnknownOperationException"
    assert set(json.loads(resp.body)) == {"__type"}, resp.body


def test_nothing_changes_after_a_refusal(server):
    kms = server.client()
    before = kms.list_keys()["Keys"]
    refusal(lambda: server.client("dynamodb").create_table(
        TableName="t", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST"))
    assert kms.list_keys()["Keys"] == before
