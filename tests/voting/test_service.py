"""Service of the notice (送达), the matter that fixes the rule, the notice period, and the
result notice with deemed consent."""

from datetime import timedelta

import pytest
from flask_login import login_user
from sqlalchemy import func, select

from app.extensions import db, utcnow
from app.voting.models import ElectorateKind, Poll, PollStatus, RollEntry
from app.voting.recount import recount
from app.voting.services import (
    VotingRefused,
    audit_package,
    close_poll,
    create_poll,
    entry_for,
    official_result,
    open_poll,
    record_paper_service,
    record_public_posting,
    record_sms_delivered,
)
from tests.voting.conftest import cast_all, make_poll


def BEIJING_NOW() -> str:  # noqa: N802  (a constant that moves with the clock)
    """A minute ago, as typed in a form that reads Beijing time."""
    return (utcnow() + timedelta(hours=8, minutes=-1)).strftime("%Y-%m-%dT%H:%M")


def served(poll) -> dict[str, str]:
    return dict(db.session.execute(select(RollEntry.label, RollEntry.served_via).where(
        RollEntry.poll_id == poll.id)).all())


def with_clause(estate, side="approve"):
    estate.community.deemed_consent_article = "议事规则第十二条"
    estate.community.deemed_consent_text = "业主收到表决通知后未参与表决的，视为同意。"
    estate.community.deemed_consent_side = side
    db.session.commit()


# --- The matter fixes the rule, and the notice period ---------------------------------------


@pytest.mark.parametrize("matter, rule, refusal", [
    (6, "civil_code_ordinary", "poll.rule_fixed_by_matter"),  # a major matter, made ordinary
    (7, "simple_majority", "poll.rule_fixed_by_matter"),
    (1, "civil_code_major", "poll.rule_fixed_by_matter"),
    (None, "civil_code_ordinary", "poll.matter_needed"),
    (12, "civil_code_ordinary", "poll.matter_needed"),
])
def test_an_owners_decision_is_counted_by_the_rule_its_item_fixes(estate, matter, rule,
                                                                   refusal):
    with pytest.raises(VotingRefused) as refused:
        make_poll(estate, matter=matter, rule=rule)
    assert refused.value.code == refusal
    assert db.session.execute(select(func.count(Poll.id))).scalar_one() == 0


@pytest.mark.parametrize("matter, rule", [(6, "civil_code_major"), (8, "civil_code_major"),
                                          (5, "civil_code_ordinary"), (9, "civil_code_ordinary")])
def test_items_six_to_eight_are_major_the_rest_ordinary(estate, matter, rule):
    assert make_poll(estate, matter=matter, rule=rule).matter == matter


def test_organisations_and_residents_never_count_by_article_278(estate):
    with pytest.raises(VotingRefused) as refused:
        make_poll(estate, electorate=ElectorateKind.RESIDENTS)
    assert refused.value.code == "poll.civil_code_for_owners_only"
    assert make_poll(estate, electorate=ElectorateKind.RESIDENTS,
                     rule="simple_majority").matter is None


def test_an_owners_poll_opens_no_sooner_than_the_notice_period(estate):
    now = utcnow()
    times = dict(question="是否同意？", rule="civil_code_ordinary", matter=0,
                 electorate=ElectorateKind.OWNERS)
    with pytest.raises(VotingRefused) as refused:
        create_poll(estate.proposal, actor=estate.chair, **times,
                    opens_at=now + timedelta(days=15) - timedelta(minutes=1),
                    closes_at=now + timedelta(days=30))
    assert refused.value.code == "poll.notice_period"
    assert refused.value.message == "业主表决最早于公告（会议通知）之日起 15 日后开始。"
    poll = create_poll(estate.proposal, actor=estate.chair, **times,
                       opens_at=now + timedelta(days=15, seconds=5),
                       closes_at=now + timedelta(days=30))
    with pytest.raises(VotingRefused) as refused:
        open_poll(poll, actor=estate.chair)  # the organiser cannot open it early either
    assert refused.value.code == "poll.notice_period"
    poll.created_at = utcnow() - timedelta(days=15)  # as if announced 15 days ago
    open_poll(poll, actor=estate.chair)
    assert poll.status == PollStatus.OPEN


# --- Service of the notice ---------------------------------------------------------------------


def test_opening_the_open_poll_or_signing_in_serves_an_owner_online(app, estate, en, login):
    poll = make_poll(estate)
    assert set(served(poll).values()) == {""}
    login(estate.owners[0])
    en.get(f"/polls/{poll.id}")
    with app.test_request_context():
        login_user(estate.owners[1])
    assert served(poll) == {"1栋-101": "online", "1栋-201": "online", "1栋-301": ""}
    entry = entry_for(poll, estate.owners[0])
    assert entry.served_at is not None and entry.served_by_id is None


def test_sms_delivery_serves_and_a_later_service_changes_nothing(estate):
    poll = make_poll(estate)
    entry = entry_for(poll, estate.owners[2])
    delivered = utcnow() - timedelta(minutes=5)
    assert record_sms_delivered(poll, entry, delivered)
    assert not record_sms_delivered(poll, entry, utcnow())
    assert (entry.served_via, entry.served_at) == ("sms", delivered)
    with pytest.raises(VotingRefused) as refused:
        record_sms_delivered(poll, entry_for(poll, estate.owners[1]),
                             utcnow() + timedelta(hours=1))
    assert refused.value.code == "poll.service_time"


def test_no_service_is_recorded_once_the_poll_has_closed(estate):
    poll = make_poll(estate)
    close_poll(poll)
    with pytest.raises(VotingRefused) as refused:
        record_paper_service(poll, entry_for(poll, estate.owners[0]), staff=estate.staff,
                             handed_at=utcnow())
    assert refused.value.code == "poll.service_not_open"


@pytest.mark.parametrize("who, status", [("staff", 200), ("chair", 200), ("owner", 403),
                                         ("tenant", 403), ("outsider", 403)])
def test_only_staff_see_and_record_service(estate, en, login, who, status):
    poll = make_poll(estate)
    user = {"staff": estate.staff, "chair": estate.chair, "owner": estate.owners[0],
            "tenant": estate.tenant, "outsider": estate.outsider}[who]
    entry = entry_for(poll, estate.owners[1])
    login(user)
    assert en.get(f"/polls/{poll.id}/service").status_code == status
    posting = en.post(f"/polls/{poll.id}/service/posting", data={"posted_at": BEIJING_NOW()})
    assert posting.status_code == status  # staff: refused, the rules allow no posting
    response = en.post(f"/polls/{poll.id}/service",
                       data={"entry": entry.id, "handed_at": BEIJING_NOW()})
    assert response.status_code == (302 if status == 200 else 403)
    assert served(poll)["1栋-201"] == ("paper" if status == 200 else "")


def test_staff_record_a_paper_handover_and_see_who_is_left_by_building(estate, en, login):
    poll = make_poll(estate)
    entry = entry_for(poll, estate.owners[1])
    login(estate.staff)
    page = en.get(f"/polls/{poll.id}/service").text
    assert "Not yet served, by building" in page and "1栋 (3)" in page
    response = en.post(f"/polls/{poll.id}/service", data={"entry": entry.id,
                                                           "handed_at": BEIJING_NOW()})
    page = en.get(response.location).text
    assert "Recorded: the notice was handed to 1栋-201." in page and "1栋 (2)" in page
    db.session.refresh(entry)
    assert (entry.served_via, entry.served_by_id) == ("paper", estate.staff.id)


@pytest.mark.parametrize("data, message", [
    ({"entry": "999999", "handed_at": "2020-01-01T10:00"},
     "Choose an owner on the roll who has not been served."),
    ({"handed_at": "2099-01-01T10:00"}, "The time of service must lie between the poll"),
    ({"handed_at": "2020-01-01T10:00"}, "The time of service must lie between the poll"),
    ({"handed_at": ""}, "This field is required."),
])
def test_a_bad_handover_is_explained_and_kept(estate, en, login, data, message):
    poll = make_poll(estate)
    entry = entry_for(poll, estate.owners[1])
    login(estate.staff)
    page = en.post(f"/polls/{poll.id}/service", data={"entry": entry.id, **data})
    assert page.status_code == 200 and message in page.text
    if data.get("handed_at"):
        assert f'value="{data["handed_at"]}"' in page.text
    assert set(served(poll).values()) == {""}


def test_a_public_posting_serves_only_where_the_rules_allow_it(estate, en, login):
    poll = make_poll(estate)
    record_sms_delivered(poll, entry_for(poll, estate.owners[0]), utcnow())
    with pytest.raises(VotingRefused) as refused:
        record_public_posting(poll, staff=estate.staff, posted_at=utcnow())
    assert refused.value.code == "poll.posting_not_allowed"
    login(estate.staff)
    assert "Public posting" not in en.get(f"/polls/{poll.id}/service").text
    estate.community.public_posting_serves = True
    db.session.commit()
    response = en.post(f"/polls/{poll.id}/service/posting", data={"posted_at": BEIJING_NOW()})
    assert "The posting served 2 owners." in en.get(response.location).text
    assert served(poll) == {"1栋-101": "sms", "1栋-201": "posting", "1栋-301": "posting"}


def test_the_service_page_costs_the_same_however_long_the_roll(make_estate, login, client,
                                                                count_queries):
    counts = []
    for owners in (3, 12):
        estate = make_estate(owners)
        poll = make_poll(estate)
        login(estate.staff)
        with count_queries() as queries:
            assert client.get(f"/polls/{poll.id}/service").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == 8


# --- Deemed consent on the poll and its notice ----------------------------------------------


def test_the_notice_shows_the_raw_count_first_then_the_deemed_rows_and_both_verdicts(
        estate, runner, tmp_path):
    with_clause(estate)
    poll = make_poll(estate)
    assert poll.deemed_consent_clause == "议事规则第十二条"
    cast_all(poll, estate.owners[:1], ["approve"])
    record_sms_delivered(poll, entry_for(poll, estate.owners[1]), utcnow())
    close_poll(poll)
    db.session.commit()
    output = tmp_path / "notice.md"
    result = runner.invoke(args=["notice", "export", str(poll.id), "--format", "md",
                                 "--output", str(output), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    raw_row = text.index("| In favour | 1 | 100.00 |")
    deemed_row = text.index("| Deemed In favour under 议事规则第十二条: served, did not vote | 1 "
                            "| 80.00 |")
    assert raw_row < deemed_row
    assert "业主收到表决通知后未参与表决的，视为同意。" in text
    assert "Result of the ballots cast: Not passed: too few took part." in text
    # 2 of 3 owners and 180 of 300 m² (60 %) take part with the deemed: still too few by area.
    assert "Official result, resting on the deemed-consent clause: Not passed: too few" in text
    assert "Matter: Another matter, decided as an ordinary one." in text


def test_a_poll_created_before_the_clause_keeps_counting_without_it(estate):
    poll = make_poll(estate)
    with_clause(estate)
    assert not poll.deemed_consent


def test_the_audit_package_says_who_was_served_and_recounts_the_deemed_result(estate):
    with_clause(estate, "majority")
    # An open-roll poll: a secret poll's package names no owner, so no one recounts it at home.
    poll = make_poll(estate, secrecy="open_roll")
    cast_all(poll, estate.owners[:2], ["approve", "approve"])
    record_sms_delivered(poll, entry_for(poll, estate.owners[2]), utcnow())
    close_poll(poll)
    package = audit_package(poll)
    assert package["roster.csv"].splitlines()[0] == "unit,building,area_m2,owner,served"
    recounted = recount(package["roster.csv"], package["ballots.csv"], "civil-code-ordinary",
                        deemed="majority")
    official = official_result(poll)
    assert recounted["passed_with_deemed"] == (official.outcome == "passed")
    assert (recounted["deemed_owners"], recounted["deemed_area"]) == (1, "120.00")
    assert official.participants == 3
