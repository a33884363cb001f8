"""A real receiver for the webhook tests: an HTTP server on 127.0.0.1 (a random port) in a
thread, which checks each delivery's signature as a receiving system would and answers with
the codes a test scripts."""

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.webhooks.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verify


@dataclass
class Received:
    event: str
    delivery: str
    body: bytes
    signature_ok: bool
    host: str = ""

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    secret: str = ""
    other_secrets: list[str] = field(default_factory=list)  # of more hooks that send here
    answers: list[int] = field(default_factory=list)  # codes to answer, in turn; then 200
    received: list[Received] = field(default_factory=list)

    def events(self) -> list[str]:
        return [r.event for r in self.received]


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            header = self.headers.get(SIGNATURE_HEADER, "")
            ok = any(verify(secret, header, body, int(time.time()))
                     for secret in [receiver.secret, *receiver.other_secrets])
            receiver.received.append(Received(self.headers.get(EVENT_HEADER, ""),
                                              self.headers.get(DELIVERY_HEADER, ""), body, ok,
                                              self.headers.get("Host", "")))
            code = 401 if not ok else (receiver.answers.pop(0) if receiver.answers else 200)
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    found = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    found.url = f"http://127.0.0.1:{server.server_port}/events"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nobody listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
