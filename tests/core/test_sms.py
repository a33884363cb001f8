"""The SMS contract every feature sends through, and its backends: the console (tests), a
file (development) and Alibaba Cloud SMS, against a local stub of its API."""

import json
import re
import socket
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest

from app.core import sms
from app.core.sms import Sms, SmsFailed, percent_encode, provider, render, rpc_signature, send_sms
from tests.core.sms_stub import AliyunStub

KEY_ID, SECRET = "LTAI-test-key", "test-secret"
CODES = {"recovery_code": "SMS_100001"}


def test_console_backend_keeps_what_it_sends(app):
    message_id = send_sms("13700000001", "recovery_code", code=123456, minutes=10)
    assert message_id.startswith("console-")
    assert provider().sent[-1] == Sms("13700000001", "recovery_code",
                                      {"code": "123456", "minutes": "10"})
    assert provider().delivery_status(message_id, "13700000001", datetime.now(UTC)) == (
        "delivered")


def test_a_template_is_rendered_with_its_parameters_and_refused_without_them(app):
    assert render("recovery_code", {"code": "246810", "minutes": "10"}) == (
        "您的验证码为246810，10分钟内有效。如非本人操作，请忽略。")
    with pytest.raises(SmsFailed, match="minutes") as missing:
        send_sms("13700000001", "recovery_code", code=246810)
    assert missing.value.permanent
    with pytest.raises(SmsFailed, match="no SMS template") as unknown:
        send_sms("13700000001", "no_such_template")
    assert unknown.value.permanent


@pytest.fixture
def use_backend(app, monkeypatch):
    """Switch ``SMS_BACKEND`` (and other settings) for one test."""

    def use(backend: str, **settings):
        monkeypatch.setitem(app.config, "SMS_BACKEND", backend)
        for name, value in settings.items():
            monkeypatch.setitem(app.config, name, value)
        app.extensions.pop("gongzhi_sms", None)

    yield use
    app.extensions.pop("gongzhi_sms", None)


def test_file_backend_appends_a_json_line_a_developer_can_read(app, use_backend, tmp_path):
    use_backend("file", SMS_FILE=str(tmp_path / "outbox.jsonl"))

    first = send_sms("13700000001", "recovery_code", code=111111, minutes=10)
    send_sms("13700000002", "recovery_code", code=222222, minutes=5)

    lines = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text().splitlines()]
    assert [(line["phone"], line["text"]) for line in lines] == [
        ("13700000001", "您的验证码为111111，10分钟内有效。如非本人操作，请忽略。"),
        ("13700000002", "您的验证码为222222，5分钟内有效。如非本人操作，请忽略。"),
    ]
    sent_at = datetime.now(UTC)
    assert provider().delivery_status(first, "13700000001", sent_at) == "delivered"
    assert provider().delivery_status("file-unknown", "13700000001", sent_at) == "failed"


def test_signature_matches_the_example_in_alibaba_clouds_documentation():
    # The SendSms example of the SMS service's signature documentation.
    params = {
        "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML",
        "OutId": "123", "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
    }
    assert rpc_signature("testSecret", params) == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_percent_encoding_is_rfc_3986_as_the_signature_needs():
    assert percent_encode("a b*c~d+e/f") == "a%20b%2Ac~d%2Be%2Ff"
    assert percent_encode("共治") == "%E5%85%B1%E6%B2%BB"


@pytest.fixture
def aliyun(use_backend):
    with AliyunStub(KEY_ID, SECRET, set(CODES.values())) as stub:
        use_backend("aliyun", SMS_ALIYUN_ENDPOINT=stub.url, SMS_ALIYUN_ACCESS_KEY_ID=KEY_ID,
                    SMS_ALIYUN_ACCESS_KEY_SECRET=SECRET, SMS_SIGN_NAME="共治社区",
                    SMS_TEMPLATE_CODES=CODES)
        yield stub


def test_aliyun_sends_the_template_code_signature_and_parameters(aliyun):
    biz_id = send_sms("13700000001", "recovery_code", code=246810, minutes=10)

    assert [(m["BizId"], m["PhoneNumbers"], m["SignName"], m["TemplateCode"], m["TemplateParam"])
            for m in aliyun.sent] == [
        (biz_id, "13700000001", "共治社区", "SMS_100001", {"code": "246810", "minutes": "10"})]


def test_aliyun_refusals_about_the_message_are_permanent(aliyun):
    with pytest.raises(SmsFailed, match="isv.MOBILE_NUMBER_ILLEGAL") as bad_number:
        send_sms("1370000", "recovery_code", code=1, minutes=10)
    assert bad_number.value.permanent

    aliyun.template_codes.clear()  # the template was withdrawn in the console
    with pytest.raises(SmsFailed, match="isv.SMS_TEMPLATE_ILLEGAL") as withdrawn:
        send_sms("13700000001", "recovery_code", code=1, minutes=10)
    assert withdrawn.value.permanent
    assert aliyun.sent == []


def test_a_template_without_a_code_is_refused_before_calling_the_service(aliyun, use_backend):
    use_backend("aliyun", SMS_TEMPLATE_CODES={})
    with pytest.raises(SmsFailed, match="SMS_TEMPLATE_CODES") as no_code:
        send_sms("13700000001", "recovery_code", code=1, minutes=10)
    assert no_code.value.permanent
    assert aliyun.queries == [] and aliyun.sent == []


def test_aliyun_throttling_is_transient_and_the_next_try_goes_through(aliyun):
    aliyun.fail_next = ["isv.BUSINESS_LIMIT_CONTROL"]

    with pytest.raises(SmsFailed, match="isv.BUSINESS_LIMIT_CONTROL") as throttled:
        send_sms("13700000001", "recovery_code", code=1, minutes=10)
    assert not throttled.value.permanent
    send_sms("13700000001", "recovery_code", code=1, minutes=10)
    assert len(aliyun.sent) == 1


def test_an_unreachable_service_is_transient(app, use_backend):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    use_backend("aliyun", SMS_ALIYUN_ENDPOINT=f"http://127.0.0.1:{port}",
                SMS_ALIYUN_ACCESS_KEY_ID=KEY_ID, SMS_ALIYUN_ACCESS_KEY_SECRET=SECRET,
                SMS_SIGN_NAME="共治社区", SMS_TEMPLATE_CODES=CODES)

    with pytest.raises(SmsFailed) as unreachable:
        send_sms("13700000001", "recovery_code", code=1, minutes=10)
    assert not unreachable.value.permanent


def test_a_wrong_secret_is_refused_by_the_service(aliyun, use_backend):
    use_backend("aliyun", SMS_ALIYUN_ACCESS_KEY_SECRET="not-the-secret")

    with pytest.raises(SmsFailed, match="SignatureDoesNotMatch"):
        send_sms("13700000001", "recovery_code", code=1, minutes=10)
    assert aliyun.sent == []


def test_the_stub_refuses_a_request_changed_after_signing(aliyun):
    query = {"AccessKeyId": KEY_ID, "Action": "SendSms", "Format": "JSON",
             "RegionId": "cn-hangzhou", "SignatureMethod": "HMAC-SHA1",
             "SignatureNonce": "nonce-1", "SignatureVersion": "1.0",
             "Timestamp": "2026-12-01T08:00:00Z", "Version": "2017-05-25",
             "PhoneNumbers": "13700000001", "SignName": "共治社区", "TemplateCode": "SMS_100001"}
    signature = rpc_signature(SECRET, query)
    tampered = {**query, "PhoneNumbers": "13700000002", "Signature": signature}
    url = aliyun.url + "/?" + "&".join(f"{k}={percent_encode(v)}" for k, v in tampered.items())

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url)
    assert json.load(refused.value)["Code"] == "SignatureDoesNotMatch"
    assert aliyun.sent == []


@pytest.mark.parametrize(("send_status", "expected"),
                         [(1, "pending"), (2, "failed"), (3, "delivered")])
def test_aliyun_delivery_status_follows_the_carriers_receipt(aliyun, send_status, expected):
    biz_id = send_sms("13700000001", "recovery_code", code=1, minutes=10)
    aliyun.status[biz_id] = send_status
    # 17:00 UTC is already the next day in Beijing, where the service keeps its dates.
    sent_at = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)

    assert provider().delivery_status(biz_id, "13700000001", sent_at) == expected
    assert (aliyun.queries[-1]["BizId"], aliyun.queries[-1]["SendDate"]) == (biz_id, "20260310")


def test_a_message_the_service_does_not_list_yet_is_pending(aliyun):
    assert provider().delivery_status("000404^0", "13700000001", datetime.now(UTC)) == "pending"


def test_every_template_has_only_placeholders_the_service_accepts():
    # Alibaba Cloud's variables are ${name}; any other "$" would reach the phone as it is.
    for name, text in sms.TEMPLATES.items():
        placeholders = set(re.findall(r"\$\{(\w+)\}", text))
        assert "$" not in render(name, dict.fromkeys(placeholders, "1")), name
