"""Stored files in a folder or an S3-compatible bucket (moto's server on 127.0.0.1)."""

import socket

import pytest

from app.core import uploads
from app.core.storage import LocalStorage, S3Storage, StoredFileMissing, s3_client, storage
from tests.conftest import skip_or_fail
from tests.proposals.conftest import clean_photo, jpeg_with_gps

BUCKET = "gongzhi-test"
PDF = b"%PDF-1.7\n%%EOF\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_settings():
    """An S3 server of our own on a free port, with an empty bucket; its settings."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        skip_or_fail("moto[server] is not installed (pip install -e '.[test]')")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    settings = {"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
                "S3_BUCKET": BUCKET, "S3_REGION": "us-east-1", "S3_ACCESS_KEY_ID": "test",
                "S3_SECRET_ACCESS_KEY": "test", "S3_ADDRESSING_STYLE": "path"}
    s3_client(settings).create_bucket(Bucket=BUCKET)
    yield settings
    server.stop()


@pytest.fixture
def bucket(s3_settings):
    """The bucket, emptied after the test."""
    client = s3_client(s3_settings)
    yield S3Storage(client, BUCKET)
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])


@pytest.fixture(params=["local", "s3"])
def files(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "uploads")
    return request.getfixturevalue("bucket")


@pytest.fixture
def s3_app(app, s3_settings, bucket, tmp_path, monkeypatch):
    """The app storing into the bucket; its instance folder is empty and must stay so."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    for name, value in s3_settings.items():
        monkeypatch.setitem(app.config, name, value)
    yield app
    app.extensions.pop("storage", None)


def test_a_stored_file_is_read_back_until_it_is_deleted(files):
    assert not files.exists("notices/abc")
    files.put("notices/abc", PDF, "application/pdf")
    assert files.exists("notices/abc") and files.get("notices/abc") == PDF
    files.delete("notices/abc")
    assert not files.exists("notices/abc")
    with pytest.raises(StoredFileMissing):
        files.get("notices/abc")
    files.delete("notices/abc")  # deleting twice is no error


@pytest.mark.parametrize("bad", ["", "/etc/passwd", "../secret", "proposals/../../x",
                                 "proposals//x", "proposals/./x"])
def test_a_key_cannot_leave_its_folder(files, bad):
    with pytest.raises(ValueError):
        files.put(bad, b"x", "text/plain")


def test_a_photo_goes_to_the_bucket_and_is_served_from_it(s3_app, bucket, tmp_path):
    stored = uploads.store(uploads.PHOTOS, clean_photo(jpeg_with_gps()))
    keys = {f"proposals/{stored}.jpg", f"proposals/{stored}-thumb.jpg"}
    assert {k for k in keys if bucket.exists(k)} == keys
    assert not (tmp_path / "instance" / "uploads").exists()
    with s3_app.test_request_context():
        response = uploads.serve(uploads.PHOTOS, stored, uploads.JPEG, thumb=True)
        response.direct_passthrough = False
        assert response.get_data() == bucket.get(f"proposals/{stored}-thumb.jpg")
        assert response.mimetype == "image/jpeg"
        # The browser may revalidate, but learns nothing of where the file is kept.
        assert response.headers["ETag"] and stored not in response.headers["ETag"]
    uploads.discard(uploads.PHOTOS, stored)
    assert not any(bucket.exists(k) for k in keys)


def test_a_missing_file_is_not_found(s3_app):
    from werkzeug.exceptions import NotFound

    with s3_app.test_request_context(), pytest.raises(NotFound):
        uploads.serve(uploads.PHOTOS, "0" * 32, uploads.JPEG)


def test_migrate_local_copies_the_folder_under_the_same_keys(s3_app, bucket, tmp_path):
    local = LocalStorage(tmp_path / "instance" / "uploads")
    local.put("proposals/old.jpg", b"jpeg", "image/jpeg")
    local.put("notices/old", PDF, "application/pdf")
    runner = s3_app.test_cli_runner()
    first = runner.invoke(args=["storage", "migrate-local"])
    assert "Copied 2 files" in first.output, first.output
    assert bucket.get("proposals/old.jpg") == b"jpeg" and bucket.get("notices/old") == PDF
    assert storage().get("notices/old") == PDF
    again = runner.invoke(args=["storage", "migrate-local"])
    assert "Copied 0 files" in again.output and "2 were already there" in again.output


def test_migrate_local_wants_a_bucket(app):
    result = app.test_cli_runner().invoke(args=["storage", "migrate-local"])
    assert result.exit_code != 0 and "STORAGE_BACKEND=s3" in result.output
