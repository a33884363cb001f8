"""How long one password check takes with each hashing choice (best of 7 on one core).

    .venv/bin/python bench/password_hash.py

A login checks one hash; the figure bounds the logins a worker can take each second.
"""

import time

from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import PASSWORD_HASH_METHOD

METHODS = [PASSWORD_HASH_METHOD, "scrypt:32768:8:1", "scrypt:65536:8:1", "pbkdf2:sha256:600000"]


def best_check_ms(method: str) -> float:
    stored = generate_password_hash("correct horse", method=method)
    times = []
    for _ in range(7):
        started = time.perf_counter()
        check_password_hash(stored, "correct horse")
        times.append(time.perf_counter() - started)
    return min(times) * 1000


if __name__ == "__main__":
    print("| method | one check | |")
    print("|---|---|---|")
    for method in METHODS:
        chosen = "in use" if method == PASSWORD_HASH_METHOD else ""
        print(f"| {method} | {best_check_ms(method):.0f} ms | {chosen} |")
