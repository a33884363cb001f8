"""A stand-in for Alibaba Cloud SMS (dysmsapi 2017-05-25) on 127.0.0.1, for tests.

It checks what the real service checks before it sends: the AccessKey, the signature (its
own implementation of signature version 1.0, so that a mistake in the app's is not mirrored
here), a fresh nonce, the parameters SendSms and QuerySendDetails require, the number and
the template code. It answers with the service's JSON and keeps what it accepted.
"""

import base64
import hashlib
import hmac
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote_plus, urlsplit

COMMON = ("AccessKeyId", "Action", "Format", "RegionId", "SignatureMethod", "SignatureNonce",
          "SignatureVersion", "Timestamp", "Version", "Signature")
REQUIRED = {
    "SendSms": ("PhoneNumbers", "SignName", "TemplateCode"),
    "QuerySendDetails": ("PhoneNumber", "SendDate", "PageSize", "CurrentPage"),
}


def _encode(value: str) -> str:
    # The documented recipe: form-encode, then + -> %20, * -> %2A, %7E -> ~.
    return quote_plus(value, safe="*").replace("+", "%20").replace("*", "%2A").replace(
        "%7E", "~")


def expected_signature(secret: str, params: dict[str, str]) -> str:
    canonical = "&".join(f"{_encode(k)}={_encode(params[k])}" for k in sorted(params))
    string_to_sign = "GET&%2F&" + _encode(canonical)
    digest = hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunStub:
    def __init__(self, key_id: str, secret: str, template_codes: set[str]):
        self.key_id, self.secret, self.template_codes = key_id, secret, template_codes
        self.sent: list[dict] = []  # SendSms calls accepted, with their BizId
        self.queries: list[dict] = []  # QuerySendDetails calls
        self.fail_next: list[str] = []  # error codes for the next SendSms calls
        self.status: dict[str, int] = {}  # BizId -> SendStatus (1 waiting, 2 failed, 3 ok)
        self._nonces: set[str] = set()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, answer = stub.answer(dict(parse_qsl(urlsplit(self.path).query,
                                                            keep_blank_values=True)))
                body = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "AliyunStub":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, params: dict[str, str]) -> tuple[int, dict]:
        request_id = str(uuid.uuid4()).upper()

        def error(status: int, code: str, message: str) -> tuple[int, dict]:
            return status, {"Code": code, "Message": message, "RequestId": request_id}

        missing = [name for name in COMMON + REQUIRED.get(params.get("Action"), ())
                   if not params.get(name)]
        if missing:
            return error(400, "MissingParameter", f"missing {', '.join(missing)}")
        if params["AccessKeyId"] != self.key_id:
            return error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if (params["SignatureMethod"], params["SignatureVersion"], params["Version"]) != (
                "HMAC-SHA1", "1.0", "2017-05-25"):
            return error(400, "InvalidParameter", "unsupported signature or version")
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", params["Timestamp"]):
            return error(400, "InvalidTimeStamp.Format", "Specified time stamp is not valid.")
        signed = {k: v for k, v in params.items() if k != "Signature"}
        if not hmac.compare_digest(params["Signature"], expected_signature(self.secret, signed)):
            return error(400, "SignatureDoesNotMatch",
                         "Specified signature is not matched with our calculation.")
        if params["SignatureNonce"] in self._nonces:
            return error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        self._nonces.add(params["SignatureNonce"])
        if params["Action"] == "SendSms":
            return self._send(params, request_id, error)
        if params["Action"] == "QuerySendDetails":
            return self._query(params, request_id)
        return error(400, "InvalidAction.NotFound", "Specified api is not found.")

    def _send(self, params, request_id, error):
        if self.fail_next:
            code = self.fail_next.pop(0)
            return error(200, code, f"told to fail with {code}")
        if not re.fullmatch(r"1\d{10}", params["PhoneNumbers"]):
            return error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if params["TemplateCode"] not in self.template_codes:
            return error(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            template_param = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法")
        biz_id = f"{len(self.sent) + 1:06d}^0"
        self.sent.append({**params, "TemplateParam": template_param, "BizId": biz_id})
        return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id}

    def _query(self, params, request_id):
        self.queries.append(params)
        found = [sent for sent in self.sent
                 if sent["PhoneNumbers"] == params["PhoneNumber"]
                 and params.get("BizId") in (None, sent["BizId"])]
        details = [{"PhoneNum": sent["PhoneNumbers"], "TemplateCode": sent["TemplateCode"],
                    "SendStatus": self.status.get(sent["BizId"], 1),
                    "ErrCode": {2: "FAILED", 3: "DELIVERED"}.get(
                        self.status.get(sent["BizId"], 1), "")} for sent in found]
        return 200, {"Code": "OK", "Message": "OK", "RequestId": request_id,
                     "TotalCount": len(details),
                     "SmsSendDetailDTOs": {"SmsSendDetailDTO": details}}
