"""The community's rules for owners' votes: who sets them, what bad input gets, and what
they change: the clause a new poll copies and the objection channel its notice prints."""

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.community.models import Role
from app.core.documents import to_markdown
from app.extensions import db
from app.voting.models import Poll
from app.voting.notice import result_notice
from app.voting.services import close_poll
from tests.voting.conftest import cast_all, make_poll

GOOD = {"notice_days": "15", "deemed_consent_side": "approve",
        "deemed_consent_article": "《业主大会议事规则》第十二条",
        "deemed_consent_text": "业主收到表决通知后未参与表决的，视为同意。",
        "objection_place": "物业服务中心一楼业委会信箱", "objection_phone": "021-5555 0101",
        "sms_cap_per_poll": "5000"}


def _admin(estate, make_user, give_role):
    admin = make_user(name="社区管理员")
    give_role(admin, Role.COMMUNITY_ADMIN, estate.community)
    return admin


def test_only_the_community_admin_sets_the_rules(estate, client, login, make_user, give_role):
    url = f"/c/{estate.community.id}/voting-settings"
    assert client.get(url).status_code in (302, 401)
    for person in (estate.chair, estate.staff, estate.owners[0]):
        login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, data=GOOD).status_code == 403
    db.session.refresh(estate.community)
    assert estate.community.deemed_consent_side == ""
    login(_admin(estate, make_user, give_role))
    assert client.get(url).status_code == 200


def test_bad_input_changes_nothing_and_keeps_what_was_typed(estate, en, login, make_user,
                                                            give_role, count_queries):
    login(_admin(estate, make_user, give_role))
    url = f"/c/{estate.community.id}/voting-settings"
    with count_queries() as queries:
        assert en.get(url).status_code == 200
    assert len(queries) == 4, "\n".join(queries)
    for data, message in [
        ({**GOOD, "deemed_consent_text": ""}, "Quote the clause and name its article"),
        ({**GOOD, "deemed_consent_article": ""}, "Quote the clause and name its article"),
        ({**GOOD, "notice_days": "61"}, "between 0 and 60"),
        ({**GOOD, "notice_days": ""}, "Enter a number."),
        ({**GOOD, "deemed_consent_side": "always"}, "Not a valid choice"),
        ({**GOOD, "objection_phone": "1" * 31}, "30 characters"),
    ]:
        page = en.post(url, data=data).get_data(as_text=True)
        assert message in page, message
        assert "物业服务中心一楼业委会信箱" in page
    db.session.refresh(estate.community)
    assert (estate.community.notice_days, estate.community.deemed_consent_side,
            estate.community.objection_place) == (15, "", "")
    assert db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "community.voting_settings")).first() is None


def test_the_rules_reach_the_next_poll_and_its_notice(estate, en, login, make_user, give_role):
    login(_admin(estate, make_user, give_role))
    url = f"/c/{estate.community.id}/voting-settings"
    assert en.post(url, data={**GOOD, "notice_days": "0"}).status_code == 302
    db.session.refresh(estate.community)
    assert estate.community.deemed_consent_side == "approve"
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "community.voting_settings")).scalar_one()
    assert event.details["before"]["deemed_consent_side"] == ""
    assert event.details["after"]["objection_place"] == GOOD["objection_place"]

    poll = make_poll(estate, secrecy="open_roll")
    assert poll.deemed_consent_text == GOOD["deemed_consent_text"]
    cast_all(poll, estate.owners[:2], ["approve", "approve"])
    close_poll(poll)
    db.session.commit()
    notice = to_markdown(result_notice(db.session.get(Poll, poll.id)))
    assert "物业服务中心一楼业委会信箱" in notice and "021-5555 0101" in notice
    assert GOOD["deemed_consent_text"] in notice

    # Taking the clause out forgets its words; the poll already announced keeps its own.
    en.post(url, data={**GOOD, "notice_days": "0", "deemed_consent_side": ""})
    db.session.refresh(estate.community)
    assert (estate.community.deemed_consent_article, estate.community.deemed_consent_text) \
        == ("", "")
    assert db.session.get(Poll, poll.id).deemed_consent_text == GOOD["deemed_consent_text"]
