"""The person's choices on /me/messages, and the staff's outbox: counts, dead letters,
retry, printable slips."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.messaging.models import MessagePreference, OutboxMessage
from app.messaging.rules import Channel, Status
from app.messaging.services import save_choices
from app.notices.services import notify
from tests.messaging.conftest import poll_details
from tests.voting.test_voting_settings import GOOD


@pytest.fixture
def en(client):
    client.set_cookie("lang", "en")
    return client


def _preference(user):
    db.session.expire_all()
    return db.session.get(MessagePreference, user.id)


def _checked(page: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" value="(\w+)" checked', page))


# --- /me/messages ---------------------------------------------------------------------------


def test_the_defaults_show_and_a_resident_changes_them(estate, en, login):
    resident = estate.residents[0]
    login(resident)
    page = en.get("/me/messages").get_data(as_text=True)
    assert _checked(page, "sms") == {"votes", "meetings", "home"}
    assert _checked(page, "slip") == set()
    assert "No SMS is sent between 21:00 and 08:00" in page

    response = en.post("/me/messages", data={"sms": ["meetings"], "slip": ["votes", "home"]})
    assert response.status_code == 302
    preference = _preference(resident)
    assert (preference.sms, preference.slip) == (["meetings"], ["home", "votes"])
    page = en.get("/me/messages").get_data(as_text=True)
    assert _checked(page, "slip") == {"votes", "home"}


def test_my_account_links_to_the_choices(estate, en, login):
    login(estate.residents[0])
    assert 'href="/me/messages"' in en.get("/me").get_data(as_text=True)


@pytest.mark.parametrize(("data", "error"), [
    ({"sms": ["votes", "lottery"]}, "Choose only from the list."),
    ({"sms": ["votes"], "slip": ["meetings"]}, "link a home to your account first"),
])
def test_bad_choices_are_refused_and_kept(estate, en, login, make_user, data, error):
    homeless = make_user(name="无房")
    login(homeless)
    response = en.post("/me/messages", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and error in page
    assert _preference(homeless) is None
    assert "votes" in _checked(page, "sms")


def test_the_choices_page_costs_a_fixed_number_of_queries(estate, en, login, count_queries):
    resident = estate.residents[0]
    login(resident)
    en.csrf_token()
    with count_queries() as first:
        assert en.get("/me/messages").status_code == 200
    save_choices(resident, sms_categories={"votes"}, slip_categories={"home"})
    db.session.commit()
    with count_queries() as second:
        assert en.post("/me/messages", data={"slip": ["home"]}).status_code == 302
    assert (len(first), len(second)) == (4, 7), "\n".join(first + ["---"] + second)


# --- The staff's outbox ---------------------------------------------------------------------


def _failed(estate, count: int, **fields) -> list[OutboxMessage]:
    messages = [OutboxMessage(user_id=estate.residents[n % len(estate.residents)].id,
                              community_id=estate.community.id, channel=Channel.SMS,
                              template="poll_opened", params={"title": f"议题{n}", "closes": ""},
                              phone="13700000000", status=Status.FAILED,
                              last_error="isv.BUSINESS_LIMIT_CONTROL", attempts=1, **fields)
                for n in range(count)]
    db.session.add_all(messages)
    db.session.commit()
    return messages


def test_staff_see_counts_and_dead_letters_with_the_reason(estate, en, login, clock, sent):
    estate.community.sms_cap_per_poll = 1
    save_choices(estate.residents[2], sms_categories=set(), slip_categories={"votes"})
    db.session.commit()
    notify([r.id for r in estate.residents], "poll_opened", details=poll_details(estate))
    db.session.commit()
    login(estate.staff)
    page = en.get(f"/c/{estate.community.id}/messages").get_data(as_text=True)
    counts = page.split('id="message-counts"', 1)[1].split("</table>", 1)[0]
    cells = [c for c in re.split(r"\s*<[^>]+>\s*", counts) if c.strip()]
    # Waiting, sent, delivered, failed: one sent, one over the cap; one slip to print.
    assert cells[-10:] == ["SMS", "0", "1", "0", "1", "Printed slip", "1", "0", "0", "0"]
    assert "Not sent: the poll's SMS cap was reached" in page
    assert "1 person has a slip waiting." in page


def test_retry_sends_a_dead_letter_again_and_is_audited(estate, en, login, clock, sent):
    [message] = _failed(estate, 1)
    login(estate.staff)
    response = en.post(f"/c/{estate.community.id}/messages/{message.id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == Status.SENT
    assert [s.template for s in sent] == ["poll_opened"]
    assert db.session.execute(select(AuditEvent.target).where(
        AuditEvent.action == "message.retry")).scalar_one() == f"outbox:{message.id}"


def test_retry_refuses_what_has_not_failed_or_is_over_the_cap(estate, en, login, clock, sent):
    [sent_one] = _failed(estate, 1)
    sent_one.status = Status.SENT
    [capped] = _failed(estate, 1, poll_id=estate.poll.id)
    capped.last_error = "cap reached"
    estate.community.sms_cap_per_poll = 0
    db.session.commit()
    login(estate.staff)
    url = f"/c/{estate.community.id}/messages"
    page = en.post(f"{url}/{sent_one.id}/retry", follow_redirects=True).get_data(as_text=True)
    assert "Only a message that failed can be sent again." in page
    page = en.post(f"{url}/{capped.id}/retry", follow_redirects=True).get_data(as_text=True)
    assert "The SMS cap of this poll (0) is reached" in page
    db.session.expire_all()
    assert db.session.get(OutboxMessage, capped.id).status == Status.FAILED
    assert sent == [] and db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "message.retry")).first() is None


def test_a_message_of_another_community_is_not_found(estate, make_estate, en, login):
    [elsewhere] = _failed(make_estate(1), 1)
    login(estate.staff)
    response = en.post(f"/c/{estate.community.id}/messages/{elsewhere.id}/retry")
    assert response.status_code == 404


def test_the_outbox_page_costs_the_same_for_few_or_many_dead_letters(
        make_estate, en, login, count_queries, app, clock, sent):
    app.config["MESSAGES_PER_PAGE"] = 10
    few, many = make_estate(3), make_estate(12)
    _failed(few, 2)
    _failed(many, 25)
    for e in (few, many):
        for resident in e.residents:
            save_choices(resident, sms_categories=set(), slip_categories={"votes"})
        db.session.commit()
        notify([r.id for r in e.residents], "poll_opened", details=poll_details(e))
        db.session.commit()
    counts = []
    for e in (few, many):
        login(e.staff)
        with count_queries() as queries:
            page = en.get(f"/c/{e.community.id}/messages").get_data(as_text=True)
        counts.append(len(queries))
    assert "Page 1 of 3" in page and page.count("Send again") == 10
    assert "12 people have slips waiting." in page
    assert counts[0] == counts[1], "\n".join(queries)


def _slips(estate) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboxMessage).where(
        OutboxMessage.community_id == estate.community.id,
        OutboxMessage.channel == Channel.SLIP).order_by(OutboxMessage.id)).scalars())


def test_slips_print_grouped_by_building_and_are_marked_sent_by_a_post(
        make_estate, en, login, clock, sent):
    estate = make_estate(6)
    for resident in estate.residents[:4]:
        save_choices(resident, sms_categories=set(), slip_categories={"votes", "meetings"})
    db.session.commit()
    notify([r.id for r in estate.residents], "poll_opened", details=poll_details(estate))
    notify([estate.residents[0].id], "poll_closing", details=poll_details(estate, days_left=1))
    db.session.commit()
    login(estate.staff)
    url = f"/c/{estate.community.id}/messages"
    response = en.get(f"{url}/slips.pdf")
    assert response.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert text.index("1栋") < text.index("101 居***") < text.index("2栋") < text.index("3栋")
    assert "201 居***" in text  # the fourth resident, back in the first building
    assert "还有1天截止" in text and "居民00" not in text
    queued = [m.id for m in _slips(estate) if m.status == Status.QUEUED]
    assert len(queued) == 5  # the download marked nothing

    notify([estate.residents[1].id], "poll_closing", details=poll_details(estate, days_left=3))
    db.session.commit()
    response = en.post(f"{url}/slips/printed", data={"up_to": str(max(queued))})
    assert response.status_code == 302
    assert [m.status for m in _slips(estate)] == [Status.SENT] * 5 + [Status.QUEUED]


def test_marking_printed_needs_the_printed_batch(estate, en, login):
    login(estate.staff)
    page = en.post(f"/c/{estate.community.id}/messages/slips/printed",
                   data={"up_to": "many"}).get_data(as_text=True)
    assert "Download the slips first." in page
    assert db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "message.slips_printed")).first() is None


# --- The poll page and the voting settings --------------------------------------------------


def test_the_poll_page_tells_staff_how_many_sms_were_sent(estate, en, login, clock, sent):
    notify([r.id for r in estate.residents], "poll_opened", details=poll_details(estate))
    db.session.commit()
    login(estate.chair)
    page = en.get(f"/polls/{estate.poll.id}").get_data(as_text=True)
    assert "SMS sent: 3 (cap 5000)" in page
    login(estate.residents[0])
    assert "SMS sent" not in en.get(f"/polls/{estate.poll.id}").get_data(as_text=True)


def test_the_cap_is_set_with_the_voting_settings(estate, en, login, give_role):
    from app.community.models import Role

    give_role(estate.chair, Role.COMMUNITY_ADMIN, estate.community)
    login(estate.chair)
    url = f"/c/{estate.community.id}/voting-settings"
    page = en.post(url, data={**GOOD, "sms_cap_per_poll": "-1"}).get_data(as_text=True)
    assert "Enter a whole number from 0 to 1,000,000." in page and 'value="-1"' in page
    assert en.post(url, data={**GOOD, "sms_cap_per_poll": "300"}).status_code == 302
    db.session.expire_all()
    assert estate.community.sms_cap_per_poll == 300


def test_the_community_page_leads_staff_to_the_outbox(estate, en, login):
    url = f"/c/{estate.community.id}"
    login(estate.staff)
    assert f'href="{url}/messages"' in en.get(url).get_data(as_text=True)
    login(estate.residents[0])
    assert f'href="{url}/messages"' not in en.get(url).get_data(as_text=True)
