"""One POST to a webhook, over a connection to the address the target check vetted.

``http.client`` would resolve the host name again when it connects, and a name may answer a
public address to the check and a private one a moment later (DNS rebinding). These
connections open their socket to the vetted address and keep everything else about the
host name: the Host header, and for https the SNI and the certificate's check against the
name. No redirect is followed (``http.client`` follows none): a redirect could lead past the
check. No proxy either: a proxy would resolve the name itself."""

import http.client
import socket
import ssl
from urllib.parse import urlsplit


class BadAnswer(OSError):
    """The receiver answered something that is not HTTP."""


class PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int | None, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int | None, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, address: str, body: bytes, headers: dict[str, str],
         timeout: float) -> int:
    """POST ``body`` to ``url`` through ``address``; the answer's status code. Raises
    OSError when there is no answer: TimeoutError, ssl.SSLError, BadAnswer, or another for
    a connection that failed."""
    parts = urlsplit(url)
    connection_class = PinnedHTTPSConnection if parts.scheme == "https" else PinnedHTTPConnection
    connection = connection_class(parts.hostname, parts.port, address, timeout)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers=headers)
        return connection.getresponse().status
    except http.client.HTTPException as error:
        raise BadAnswer(type(error).__name__) from error
    finally:
        connection.close()
