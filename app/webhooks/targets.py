"""Which URLs a webhook may send to. The server makes the request, so a URL that reaches
the server's own network (loopback, private ranges, link-local cloud metadata) would let
whoever registers a hook probe it: refused unless the setting allows private targets."""

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

MAX_URL_LENGTH = 500

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_unspecified or ip.is_reserved)


def target_refusal(url: str, *, https_only: bool, allow_private: bool,
                   resolver: Resolver = resolve) -> str | None:
    """The refusal code for a webhook URL, or None if it may be used."""
    return vetted_address(url, https_only=https_only, allow_private=allow_private,
                          resolver=resolver)[0]


def vetted_address(url: str, *, https_only: bool, allow_private: bool,
                   resolver: Resolver = resolve) -> tuple[str | None, str | None]:
    """(the refusal code, None), or (None, the address that was checked). A delivery
    connects to that very address: resolving the name again when connecting would let a
    name that answers a public address to the check and 127.0.0.1 a moment later (DNS
    rebinding) lead the POST into the server's own network."""
    if len(url) > MAX_URL_LENGTH:
        return "webhook.url_too_long", None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "webhook.url_malformed", None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "webhook.url_malformed", None
    if https_only and parts.scheme != "https":
        return "webhook.https_only", None
    if parts.username or parts.password:
        return "webhook.url_credentials", None
    if parts.fragment:
        return "webhook.url_fragment", None
    try:
        addresses = resolver(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError):
        return "webhook.host_unknown", None
    if not addresses:
        return "webhook.host_unknown", None
    if not allow_private and not all(is_public_address(a) for a in addresses):
        return "webhook.private_target", None
    return None, addresses[0]
