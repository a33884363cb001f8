"""The demo community's notice board has something of every kind to show."""

from sqlalchemy import func, select

from app.extensions import db, utcnow
from app.notices.models import Notice, NoticeKind, NoticeRead
from app.notices.services import read_rate


def test_the_demo_board_has_a_pinned_an_expired_a_building_and_a_well_read_notice(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    notices = db.session.execute(select(Notice).where(
        Notice.kind == NoticeKind.ANNOUNCEMENT).order_by(Notice.id)).scalars().all()
    pinned, expired, building, read = notices
    assert pinned.pinned and pinned.expires_at is None
    assert expired.expires_at < utcnow()
    assert [b.name for b in building.scope_buildings] == ["3栋"]
    assert db.session.execute(select(func.count(NoticeRead.id)).where(
        NoticeRead.notice_id == read.id)).scalar_one() == 9
    assert read_rate(read).overall.readers == 9
    # The demo's closed polls put their result notices on the board by themselves.
    assert db.session.execute(select(func.count(Notice.id)).where(
        Notice.kind == NoticeKind.RESULT_NOTICE)).scalar_one() >= 2
