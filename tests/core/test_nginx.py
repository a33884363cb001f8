"""The nginx configuration in docs/ serves a hashed static name as the file, gzipped, with
a year's cache. Run where nginx is installed; skipped elsewhere."""

import gzip
import os
import re
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from app.core.assets import StaticFiles
from config import PROJECT_ROOT

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx(tmp_path):
    if NGINX is None:
        pytest.skip("nginx is not installed")
    port = _free_port()
    server = (PROJECT_ROOT / "docs" / "nginx.conf").read_text()
    server = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{port};", server)
    server = re.sub(r"\n\s*ssl_certificate\S* [^;]+;", "", server)
    server = server.replace("/srv/gongzhi/static/", f"{PROJECT_ROOT / 'static'}/")
    temp = "\n".join(f"{kind}_temp_path {tmp_path / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        f"daemon off;\nuser root;\npid {tmp_path / 'nginx.pid'};\n"
        f"error_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{\ninclude /etc/nginx/mime.types;\naccess_log off;\n{temp}\n{server}\n}}\n")
    process = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                               stderr=subprocess.DEVNULL)
    # No timed waits: the suite also runs under libfaketime, which breaks them. A refused
    # connection to 127.0.0.1 answers at once, so trying again is cheap.
    for _ in range(200_000):
        if process.poll() is not None:
            break  # nginx gave up: the error log says why
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            break
        except ConnectionRefusedError:
            os.sched_yield()
    else:
        process.kill()
    if process.poll() is not None or process.returncode is not None:
        process.wait()
        pytest.fail((tmp_path / "error.log").read_text())
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait()


def test_nginx_serves_the_hashed_names_from_disk_gzipped_for_a_year(nginx):
    files = StaticFiles(PROJECT_ROOT / "static")
    hashed = files.hashed["css/app.css"]
    request = urllib.request.Request(f"{nginx}/static/{hashed}",
                                     headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        body = gzip.decompress(response.read())
    assert body == (PROJECT_ROOT / "static" / "css" / "app.css").read_bytes()
    script = files.hashed["vendor/htmx/htmx-2.0.11.min.js"]
    with urllib.request.urlopen(f"{nginx}/static/{script}") as response:
        assert response.read() == (PROJECT_ROOT / "static" / script.replace(
            f".{files.assets[script].digest}", "")).read_bytes()
