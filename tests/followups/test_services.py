"""Recording actions, reporting them done, and what that does to the proposal."""

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from app import extensions
from app.audit.models import AuditEvent
from app.community.models import MemberRole
from app.core.storage import storage
from app.core.uploads import PHOTOS, key
from app.extensions import beijing_today, db
from app.followups.models import ActionStatus
from app.followups.services import ActionRefused, mark_done
from app.notices.models import Notification, NotificationKind
from app.proposals.models import ProposalEvent
from app.proposals.states import Status
from tests.proposals.conftest import clean_photo, jpeg_with_gps


def _audit_actions() -> list[str]:
    return list(db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars())


def test_today_is_the_date_in_beijing(app, monkeypatch):
    late_evening_utc = datetime(2026, 11, 29, 17, 30, tzinfo=UTC)  # 01:30 on the 30th there
    monkeypatch.setattr(extensions, "utcnow", lambda: late_evening_utc)
    assert beijing_today() == date(2026, 11, 30)


def test_overdue_means_open_after_the_due_date(setting, give_action):
    action = give_action(days=0)
    today = beijing_today()
    assert not action.is_overdue(today)
    assert action.is_overdue(today + timedelta(days=1))
    action.status = ActionStatus.DONE
    assert not action.is_overdue(today + timedelta(days=1))


def test_the_first_action_starts_the_work_and_tells_the_organisation(
        setting, give_action, add_member, make_user):
    w = setting.w
    member = make_user(name="物业普通成员")
    add_member(w.property_company, member, MemberRole.MEMBER)
    action = give_action("更换 3 号路灯灯泡", days=10)
    assert setting.proposal.status == Status.IN_PROGRESS
    event = db.session.execute(select(ProposalEvent).where(
        ProposalEvent.proposal_id == setting.proposal.id)).scalar_one()
    assert (event.kind, event.actor_id, event.to_status) == ("start_work", None, "in_progress")
    assert event.note == "更换 3 号路灯灯泡"
    assert _audit_actions() == ["followup.add", "proposal.start_work"]
    told = db.session.execute(select(Notification).where(
        Notification.kind == NotificationKind.FOLLOW_UP)).scalars().all()
    assert [n.user_id for n in told] == [w.users["property_staff"].id]
    assert told[0].proposal_id == setting.proposal.id
    assert told[0].details == {"title": "修复小区路灯", "action": "更换 3 号路灯灯泡",
                               "due": action.due_on.isoformat()}
    give_action("修剪树枝")
    assert setting.proposal.status == Status.IN_PROGRESS
    assert _audit_actions().count("proposal.start_work") == 1


def test_an_action_on_a_proposal_still_in_deliberation_leaves_its_status(
        setting, give_action, make_proposal):
    proposal = make_proposal(setting.w.community, setting.w.users["resident"])
    action = give_action(on=proposal)
    assert action.agenda_item_id is None and action.proposal_id == proposal.id
    assert proposal.status == Status.DELIBERATION


def test_done_needs_a_note_or_a_photo_and_happens_once(setting, give_action):
    action = give_action()
    staff = setting.w.users["property_staff"]
    with pytest.raises(ActionRefused) as refused:
        mark_done(action, actor=staff, note="", photo=None)
    assert refused.value.code == "followup.nothing_to_show"
    assert action.status == ActionStatus.OPEN
    mark_done(action, actor=staff, note="已更换", photo=None)
    with pytest.raises(ActionRefused) as refused:
        mark_done(action, actor=staff, note="再次", photo=None)
    assert refused.value.code == "followup.already_done"
    assert action.done_note == "已更换"


def test_the_last_action_done_finishes_the_proposal(setting, give_action):
    first, second = give_action("换灯泡"), give_action("修线路")
    staff = setting.w.users["property_staff"]
    mark_done(first, actor=staff, note="已换", photo=None)
    db.session.commit()
    assert setting.proposal.status == Status.IN_PROGRESS
    mark_done(second, actor=staff, note="线路已修复", photo=None)
    db.session.commit()
    assert setting.proposal.status == Status.DONE
    assert (second.done_by_id, second.status) == (staff.id, ActionStatus.DONE)
    assert second.done_at is not None
    assert _audit_actions()[-3:] == ["followup.done", "followup.done", "proposal.finish"]
    finish = db.session.execute(select(ProposalEvent).where(
        ProposalEvent.kind == "finish")).scalar_one()
    assert (finish.actor_id, finish.note) == (None, "线路已修复")


def test_done_on_a_proposal_not_in_progress_changes_no_status(
        setting, give_action, make_proposal):
    proposal = make_proposal(setting.w.community, setting.w.users["resident"])
    action = give_action(on=proposal)
    mark_done(action, actor=setting.w.users["property_staff"], note="好了", photo=None)
    assert proposal.status == Status.DELIBERATION


def test_a_photo_is_stored_without_its_location(setting, give_action, tmp_path, monkeypatch,
                                                app):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    action = give_action()
    mark_done(action, actor=setting.w.users["property_staff"], note="",
              photo=clean_photo(jpeg_with_gps()))
    stored = storage().get(key(PHOTOS, action.done_photo))
    with Image.open(BytesIO(stored)) as image:
        assert not image.getexif()
    assert b"Test Phone" not in stored
    assert len(action.done_photo) == 32
