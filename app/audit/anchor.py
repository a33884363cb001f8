"""Signed chain heads kept outside the database, with no Flask and no database.

An anchor is a JSON file with the heads of the audit log and of every poll's chain, signed
with an Ed25519 key that is not in the database. Whoever can rewrite the database cannot
sign a new anchor, so a chain that no longer extends an anchored head (truncated, or edited
with its hashes recomputed) is caught by ``flask audit verify --anchor FILE``.
"""

import base64
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)


class AnchorError(Exception):
    """An anchor file or key that cannot be used, with the reason."""


def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode()


def write_private_key(path: Path) -> Ed25519PrivateKey:
    """A new signing key in PEM (PKCS#8), readable by its owner only; never overwrites."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return key


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise AnchorError(f"cannot read the signing key {path}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorError(f"{path} is not an Ed25519 private key")
    return key


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def sign(payload: dict, key: Ed25519PrivateKey) -> dict:
    """The anchor document: the payload, the signature over its canonical JSON, the key."""
    return {"payload": payload,
            "signature": base64.b64encode(key.sign(_canonical(payload))).decode(),
            "public_key": public_key_text(key.public_key())}


def open_anchor(document: dict, key: Ed25519PublicKey) -> dict:
    """The payload of an anchor signed with ``key``, or AnchorError."""
    try:
        payload = document["payload"]
        signature = base64.b64decode(document["signature"])
        key.verify(signature, _canonical(payload))
    except (KeyError, TypeError, ValueError, InvalidSignature):
        raise AnchorError("the anchor's signature does not match the signing key") from None
    return payload
