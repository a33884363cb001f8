"""The restore drill: back up a seeded database and an upload, wipe both, restore, and find
the row and the file again. On SQLite always; on PostgreSQL when TEST_DATABASE_URL is set,
in a database of the drill's own so the suite's database is never replaced."""

import shutil
import tarfile
import uuid
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, select, text

from app import create_app
from app.community.models import Community
from app.extensions import db
from tests.conftest import POSTGRES_URL, skip_or_fail


def _seed(drill_app) -> None:
    with drill_app.app_context():
        upgrade()
        db.session.add(Community(name="翠湖花园", address="湖滨路 8 号"))
        db.session.commit()
    photo = Path(drill_app.instance_path) / "uploads" / "proposal_photos" / "abc.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\xff\xd8 a photo")


def _community_names(drill_app) -> list[str]:
    with drill_app.app_context():
        names = list(db.session.execute(select(Community.name)).scalars())
        db.session.remove()
        return names


def _drill(drill_app, tmp_path, wipe_database) -> None:
    _seed(drill_app)
    runner = drill_app.test_cli_runner()
    archive = tmp_path / "backups" / "gongzhi.tar.gz"
    made = runner.invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert "1 uploaded files" in made.output
    with tarfile.open(archive) as packed:
        assert "uploads/proposal_photos/abc.jpg" in packed.getnames()

    wipe_database()
    shutil.rmtree(Path(drill_app.instance_path) / "uploads")
    with drill_app.app_context():
        db.session.remove()
        db.engine.dispose()

    restored = runner.invoke(args=["restore", "--yes", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert _community_names(drill_app) == ["翠湖花园"]
    photo = Path(drill_app.instance_path) / "uploads" / "proposal_photos" / "abc.jpg"
    assert photo.read_bytes() == b"\xff\xd8 a photo"


def _drill_app(uri: str, tmp_path, monkeypatch):
    monkeypatch.setenv("GONGZHI_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": uri})


def test_restore_drill_on_sqlite(tmp_path, monkeypatch):
    # A relative path, as in the default DATABASE_URL: the file lives in the instance folder.
    drill_app = _drill_app("sqlite:///drill.db", tmp_path, monkeypatch)
    database = tmp_path / "instance" / "drill.db"

    def wipe():
        with drill_app.app_context():
            db.engine.dispose()
        database.unlink()

    _drill(drill_app, tmp_path, wipe)


def test_restore_drill_on_postgresql(tmp_path, monkeypatch):
    if not POSTGRES_URL:
        skip_or_fail("TEST_DATABASE_URL is not set")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        skip_or_fail("pg_dump and pg_restore are not installed")
    name = f"gongzhi_drill_{uuid.uuid4().hex[:8]}"
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    uri = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    drill_app = _drill_app(uri, tmp_path, monkeypatch)

    def wipe():
        with drill_app.app_context(), db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))

    try:
        _drill(drill_app, tmp_path, wipe)
    finally:
        with drill_app.app_context():
            db.engine.dispose()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        server.dispose()


def test_restore_refuses_an_archive_of_another_database_kind(tmp_path, monkeypatch):
    archive = tmp_path / "not-a-backup.tar.gz"
    archive.write_bytes(b"not a tar file")
    drill_app = _drill_app(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, monkeypatch)
    result = drill_app.test_cli_runner().invoke(args=["restore", "--yes", str(archive)])
    assert result.exit_code != 0 and "is not a Gongzhi backup" in result.output


def test_an_in_memory_database_cannot_be_backed_up(tmp_path, monkeypatch):
    drill_app = _drill_app("sqlite://", tmp_path, monkeypatch)
    result = drill_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.tar.gz")])
    assert result.exit_code != 0 and "in-memory" in result.output
    assert not (tmp_path / "b.tar.gz").exists()
