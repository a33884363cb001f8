"""The poll pages: who may do what, the voting steps, results, bulletin and staff actions."""

import io
import zipfile

import pytest
from sqlalchemy import func, select

from app.community.models import MemberRole, Organisation, OrganisationKind
from app.extensions import db
from app.notices.models import Notification
from app.proposals.states import Status
from app.voting.models import Ballot, Objection, Poll, PollStatus
from app.voting.services import current_ballot, entry_for
from tests.voting.conftest import closed_poll, make_poll


def vote(client, poll, choice):
    return client.post(f"/polls/{poll.id}/vote", data={"choice": choice})


def ballots() -> int:
    return db.session.execute(select(func.count(Ballot.id))).scalar_one()


# --- Creating -------------------------------------------------------------------------------


def new_poll_data(**changes):
    data = {"question": "是否同意加装电梯？", "kind": "yes_no", "rule": "civil_code_ordinary",
            "electorate": "owners", "matter": "0", "organisation": "",
            "opens_at": "2098-01-01T09:00",
            "closes_at": "2099-01-08T20:00", "allow_change": "y", "visibility": "after_close",
            "secrecy": "secret", "objection_days": "3", "max_choices": "1", "seats": "1"}
    return {**data, **changes}


def test_a_chair_puts_a_proposal_to_a_vote_that_opens_at_once(estate, en, login):
    login(estate.chair)
    page = en.get(f"/p/{estate.proposal.id}/polls/new")
    assert page.status_code == 200 and "Civil Code Art. 278, major matter" in page.text
    assert "（六）Raising the maintenance fund" in page.text
    response = en.post(f"/p/{estate.proposal.id}/polls/new", data=new_poll_data(
        electorate="residents", rule="simple_majority", opens_at="2020-01-01T09:00"))
    poll = db.session.execute(select(Poll)).scalar_one()
    assert response.location.endswith(f"/polls/{poll.id}")
    assert poll.status == PollStatus.OPEN and poll.total_people == 3 and poll.matter is None
    assert poll.closes_at.hour == 12  # 20:00 in Shanghai is 12:00 UTC


def test_an_owners_decision_names_its_item_and_waits_for_the_notice_period(estate, en, login):
    login(estate.chair)
    en.post(f"/p/{estate.proposal.id}/polls/new",
            data=new_poll_data(matter="6", rule="civil_code_major"))
    poll = db.session.execute(select(Poll)).scalar_one()
    assert (poll.matter, poll.rule, poll.status) == (6, "civil_code_major", PollStatus.SCHEDULED)
    page = en.get(f"/polls/{poll.id}").text
    assert "Civil Code Art. 278 item （六）: Raising the maintenance fund" in page
    assert "opens at the earliest 15 days later" in page


def test_a_future_poll_waits(estate, en, login):
    login(estate.chair)
    en.post(f"/p/{estate.proposal.id}/polls/new",
            data=new_poll_data(opens_at="2098-01-01T09:00"))
    poll = db.session.execute(select(Poll)).scalar_one()
    assert poll.status == PollStatus.SCHEDULED
    assert "Voting has not opened yet." in en.get(f"/polls/{poll.id}").text
    # The proposal, still in deliberation, links to the poll it is waiting for.
    assert f'href="/polls/{poll.id}"' in en.get(f"/p/{estate.proposal.id}").text


@pytest.mark.parametrize("who", ["staff", "tenant", "owner", "outsider"])
def test_only_chairs_create_polls(estate, client, login, who):
    user = {"staff": estate.staff, "tenant": estate.tenant, "owner": estate.owners[1],
            "outsider": estate.outsider}[who]
    login(user)
    assert client.get(f"/p/{estate.proposal.id}/polls/new").status_code == 403
    assert client.post(f"/p/{estate.proposal.id}/polls/new",
                       data=new_poll_data()).status_code == 403
    assert db.session.execute(select(func.count(Poll.id))).scalar_one() == 0


def test_strangers_are_sent_to_log_in(estate, client):
    poll = make_poll(estate)
    for url in (f"/p/{estate.proposal.id}/polls/new", f"/polls/{poll.id}",
                f"/polls/{poll.id}/turnout", f"/polls/{poll.id}/bulletin",
                f"/polls/{poll.id}/offline", f"/polls/{poll.id}/package.zip"):
        assert "/auth/login" in client.get(url).location
    for url in ("confirm", "vote", "close", "extend", "remind", "objections", "offline"):
        assert "/auth/login" in client.post(f"/polls/{poll.id}/{url}").location
    assert ballots() == 0


@pytest.mark.parametrize("changes, message", [
    ({"closes_at": "2019-12-31T09:00"}, "The poll must close after it opens."),
    ({"matter": ""}, "Name the item of Civil Code Art. 278 the owners decide on."),
    ({"matter": "7"}, "The matter fixes the rule"),
    ({"rule": "simple_majority"}, "The matter fixes the rule"),
    ({"matter": "1", "rule": "civil_code_major"}, "The matter fixes the rule"),
    ({"electorate": "residents"}, "The rules of Civil Code Art. 278 count owners by area"),
    ({"opens_at": "2020-01-01T09:00"}, "opens at the earliest 15 days after it is announced"),
    ({"electorate": "organisation", "rule": "committee"},
     "Choose the organisation whose members vote."),
    ({"kind": "choice", "option_lines": "只有一个"}, "Give between 2 and 20 options"),
    ({"turnout_quorum_percent": "50"}, "A turnout quorum is only possible"),
    ({"question": ""}, "This field is required."),
])
def test_bad_input_is_explained_and_kept(estate, en, login, changes, message):
    login(estate.chair)
    page = en.post(f"/p/{estate.proposal.id}/polls/new",
                   data=new_poll_data(question=changes.get("question", "留着我的问题"),
                                      **{k: v for k, v in changes.items() if k != "question"}))
    assert page.status_code == 200 and message in page.text
    if "question" not in changes:
        assert 'value="留着我的问题"' in page.text
    assert db.session.execute(select(func.count(Poll.id))).scalar_one() == 0


def test_a_proposal_not_in_deliberation_is_refused(estate, en, login):
    estate.proposal.status = Status.COLLECTING
    db.session.commit()
    login(estate.chair)
    page = en.post(f"/p/{estate.proposal.id}/polls/new", data=new_poll_data())
    assert "A poll can only be attached to a proposal in deliberation." in page.text
    assert 'value="是否同意加装电梯？"' in page.text
    assert db.session.execute(select(func.count(Poll.id))).scalar_one() == 0


# --- Voting ---------------------------------------------------------------------------------


def test_an_owner_votes_through_a_confirmation_and_gets_a_receipt(estate, en, login):
    poll = make_poll(estate)
    login(estate.owners[0])
    page = en.get(f"/polls/{poll.id}")
    assert 'name="choice" value="approve"' in page.text
    confirm = en.post(f"/polls/{poll.id}/confirm", data={"choice": "approve"})
    assert "You chose:" in confirm.text and "In favour" in confirm.text
    assert ballots() == 0
    response = vote(en, poll, "approve")
    assert response.location.endswith(f"/polls/{poll.id}#my-ballot")
    receipt = db.session.execute(select(Ballot.receipt)).scalar_one()
    page = en.get(f"/polls/{poll.id}")
    assert "Your ballot is recorded" in page.text and receipt in page.text
    # A change until close keeps one ballot.
    vote(en, poll, "oppose")
    assert ballots() == 1
    assert db.session.execute(select(Ballot.choices)).scalar_one() == ["oppose"]


def test_a_non_owner_cannot_vote_in_an_owners_poll(estate, en, login):
    poll = make_poll(estate)
    for user in (estate.tenant, estate.staff, estate.chair):
        login(user)
        page = en.get(f"/polls/{poll.id}")
        assert "You are not on this poll's voter roll" in page.text
        assert en.post(f"/polls/{poll.id}/confirm", data={"choice": "approve"}
                       ).status_code == 403
        assert vote(en, poll, "approve").status_code == 403
    login(estate.outsider)
    assert en.get(f"/polls/{poll.id}").status_code == 403
    assert vote(en, poll, "approve").status_code == 403
    assert ballots() == 0


def test_nobody_votes_twice_without_changes(estate, en, login):
    poll = make_poll(estate, allow_change=False)
    login(estate.owners[1])
    vote(en, poll, "approve")
    response = vote(en, poll, "oppose")
    assert response.status_code == 302
    page = en.get(response.location)
    assert "You have already voted and this poll does not allow changes." in page.text
    assert db.session.execute(select(Ballot.choices)).scalar_one() == ["approve"]


def test_a_bad_choice_is_refused(estate, en, login):
    poll = make_poll(estate)
    login(estate.owners[1])
    page = en.get(en.post(f"/polls/{poll.id}/confirm", data={"choice": "maybe"}).location)
    assert "That choice is not on the ballot." in page.text
    assert vote(en, poll, "maybe").status_code == 302 and ballots() == 0


def test_choices_stay_hidden_before_close_even_from_staff(estate, en, login):
    poll = make_poll(estate)  # results only after close, the default
    login(estate.owners[0])
    vote(en, poll, "approve")
    for user in (estate.chair, estate.staff, estate.owners[0]):
        login(user)
        page = en.get(f"/polls/{poll.id}").text
        assert "Results are shown after the poll closes." in page
        assert "People in favour" not in page
        turnout = en.get(f"/polls/{poll.id}/turnout", headers={"HX-Request": "true"}).text
        assert "1 of 3 people" in turnout and 'hx-trigger="every 30s"' in turnout
        assert "In favour" not in turnout
        assert en.get(f"/polls/{poll.id}/bulletin").status_code == 404
    login(estate.chair)
    assert en.get(f"/polls/{poll.id}/package.zip").status_code == 404
    assert en.get(f"/polls/{poll.id}/turnout").location.endswith(f"/polls/{poll.id}#turnout")


def test_after_vote_results_show_to_the_voter(estate, en, login):
    poll = make_poll(estate, visibility="after_vote")
    login(estate.owners[1])
    assert "Results are shown once you have voted." in en.get(f"/polls/{poll.id}").text
    vote(en, poll, "approve")
    page = en.get(f"/polls/{poll.id}").text
    assert "Results so far (not final)" in page and "People in favour" in page


# --- After close ----------------------------------------------------------------------------


def test_the_preliminary_result_explains_itself(estate, en, login):
    poll = closed_poll(estate)
    login(estate.tenant)
    page = en.get(f"/polls/{poll.id}").text
    assert "Preliminary result" in page and "Objections until" in page
    assert "180.00 m² of 300.00 m² = 60.00 %" in page
    assert "✓ holds" in page and "Passed" in page


def test_the_bulletin_lists_receipts_and_finds_mine(estate, en, login):
    poll = closed_poll(estate, secrecy="open_roll")
    login(estate.owners[2])
    mine = current_ballot(poll, entry_for(poll, estate.owners[2])).receipt
    page = en.get(f"/polls/{poll.id}/bulletin").text
    assert f"Find my receipt: {mine}" in page and 'class="mine"' in page
    assert "1栋-301" in page and "孙" not in page
    login(estate.outsider)
    assert en.get(f"/polls/{poll.id}/bulletin").status_code == 403


def test_the_organiser_downloads_the_audit_package(estate, client, login):
    poll = closed_poll(estate)
    login(estate.owners[0])
    assert client.get(f"/polls/{poll.id}/package.zip").status_code == 403
    login(estate.chair)
    response = client.get(f"/polls/{poll.id}/package.zip")
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert sorted(names) == ["ballots.csv", "chain.json", "roster.csv"]


def test_objections_are_filed_by_voters_and_answered_by_the_organiser(estate, en, login):
    poll = closed_poll(estate)
    login(estate.tenant)
    assert en.post(f"/polls/{poll.id}/objections", data={"text": "x"}).status_code == 403
    login(estate.owners[2])
    page = en.post(f"/polls/{poll.id}/objections", data={"text": ""})
    assert "This field is required." in page.text
    en.post(f"/polls/{poll.id}/objections", data={"text": "计票有误"})
    objection = db.session.execute(select(Objection)).scalar_one()
    answer_url = f"/polls/{poll.id}/objections/{objection.id}/answer"
    assert en.post(answer_url, data={f"o-{objection.id}-answer": "无误"}).status_code == 403
    login(estate.chair)
    page = en.post(answer_url, data={f"o-{objection.id}-answer": " "})
    assert "This field is required." in page.text and objection.answer == ""
    en.post(answer_url, data={f"o-{objection.id}-answer": "已复核"})
    page = en.get(f"/polls/{poll.id}").text
    assert "计票有误" in page and "已复核" in page


# --- Staff ----------------------------------------------------------------------------------


def test_staff_enter_paper_ballots_but_never_over_an_online_one(estate, en, login):
    poll = make_poll(estate)
    login(estate.owners[0])
    vote(en, poll, "approve")
    online = entry_for(poll, estate.owners[0])
    paper = entry_for(poll, estate.owners[1])
    login(estate.owners[1])
    assert en.get(f"/polls/{poll.id}/offline").status_code == 403
    login(estate.staff)
    page = en.get(f"/polls/{poll.id}/offline").text
    assert f'<option value="{paper.id}">{paper.label}</option>' in page
    assert online.label not in page
    refused = en.post(f"/polls/{poll.id}/offline", data={
        "entry": paper.id, "choice": "oppose", "channel": "paper", "reference": "档案盒3"})
    assert "Give the paper ballot's number." in refused.text
    assert 'value="档案盒3"' in refused.text and ballots() == 1
    en.post(f"/polls/{poll.id}/offline", data={
        "entry": paper.id, "choice": "oppose", "channel": "paper", "paper_number": "017",
        "reference": "档案盒3"})
    db.session.refresh(paper)
    assert (paper.voted_channel, paper.entered_by_id, paper.paper_number) == (
        "paper", estate.staff.id, "017")


def test_close_extend_and_remind_belong_to_the_chair(estate, en, login):
    poll = make_poll(estate)
    login(estate.staff)
    for url in ("close", "remind"):
        assert en.post(f"/polls/{poll.id}/{url}").status_code == 403
    login(estate.chair)
    assert en.post(f"/polls/{poll.id}/close").status_code == 403  # no early close allowed
    page = en.post(f"/polls/{poll.id}/extend", data={"closes_at": "2099-02-01T10:00",
                                                     "reason": ""})
    assert "This field is required." in page.text and 'value="2099-02-01T10:00"' in page.text
    en.post(f"/polls/{poll.id}/extend", data={"closes_at": "2099-02-01T10:00",
                                              "reason": "春节"})
    assert "The closing time was extended: 春节" in en.get(f"/polls/{poll.id}").text
    login(estate.owners[0])
    vote(en, poll, "approve")
    login(estate.chair)
    en.post(f"/polls/{poll.id}/remind")
    reminded = db.session.execute(select(Notification.user_id).where(
        Notification.kind == "poll_reminder")).scalars().all()
    assert sorted(reminded) == sorted(u.id for u in estate.owners[1:])


def test_the_chair_closes_early_when_the_poll_allows_it(estate, en, login):
    poll = make_poll(estate, allow_early_close=True)
    login(estate.chair)
    en.post(f"/polls/{poll.id}/close")
    db.session.refresh(poll)
    assert poll.status == PollStatus.CLOSED


def test_an_organisation_votes_among_its_members(estate, en, login):
    login(estate.chair)
    committee = db.session.execute(select(Organisation.id).where(
        Organisation.community_id == estate.community.id)).scalar_one()
    assert f'<option value="{committee}">业委会</option>' in en.get(
        f"/p/{estate.proposal.id}/polls/new").text
    en.post(f"/p/{estate.proposal.id}/polls/new", data=new_poll_data(
        electorate="organisation", organisation=committee, rule="committee",
        opens_at="2020-01-01T09:00"))
    poll = db.session.execute(select(Poll)).scalar_one()
    assert poll.total_people == 2 and poll.matter is None  # the chair and the staff member
    page = en.get(f"/polls/{poll.id}").text
    assert 'value="approve"' in page
    # 指导规则 Art. 39: the agenda 7 days ahead, the decision within 3 days, with their dates.
    assert "the agenda is to be posted by December 25, 2019" in page
    assert "the decision is to be published by January 11, 2099" in page
    login(estate.owners[0])
    assert "Only the organisation's members vote." in en.get(f"/polls/{poll.id}").text


def test_a_party_branch_chair_enters_offline_ballots_but_not_its_staff(
        estate, en, login, make_org, make_user, add_member):
    """Chairs of the proposal's community enter paper ballots as the verifying staff do;
    the party branch's staff, who verify nobody, do not."""
    branch = make_org(estate.community, OrganisationKind.PARTY_BRANCH, "党支部")
    party_chair, party_staff = make_user(name="书记"), make_user(name="支委")
    add_member(branch, party_chair, MemberRole.CHAIR)
    add_member(branch, party_staff, MemberRole.STAFF)
    poll = make_poll(estate)
    paper = entry_for(poll, estate.owners[1])
    login(party_staff)
    assert en.get(f"/polls/{poll.id}/offline").status_code == 403
    login(party_chair)
    assert "Enter paper and proxy ballots" in en.get(f"/polls/{poll.id}").text
    en.post(f"/polls/{poll.id}/offline", data={
        "entry": paper.id, "choice": "oppose", "channel": "paper", "paper_number": "018",
        "reference": "档案盒4"})
    db.session.refresh(paper)
    assert (paper.voted_channel, paper.entered_by_id) == ("paper", party_chair.id)


def test_only_the_chair_extends_a_poll_and_only_to_later(estate, en, login):
    poll = make_poll(estate)
    closes_at = poll.closes_at
    extension = {"closes_at": "2099-02-01T10:00", "reason": "春节"}
    login(estate.staff)
    assert en.post(f"/polls/{poll.id}/extend", data=extension).status_code == 403
    db.session.refresh(poll)
    assert poll.closes_at == closes_at
    login(estate.chair)
    page = en.post(f"/polls/{poll.id}/extend", data={**extension, "closes_at": "2020-01-01T10:00"})
    assert "Nothing was changed" in page.text
    db.session.refresh(poll)
    assert poll.closes_at == closes_at


def test_a_poll_waits_for_the_party_branch_where_the_community_asks(estate, en, login):
    """The chair is told on the form, and the poll is not saved."""
    estate.community.party_review_categories = [estate.proposal.category]
    db.session.commit()
    login(estate.chair)
    url = f"/p/{estate.proposal.id}/polls/new"
    notice = "A poll can only be attached to a proposal in deliberation"
    assert notice in en.get(url).text
    en.post(url, data=new_poll_data())
    assert db.session.execute(select(func.count(Poll.id))).scalar_one() == 0
    estate.community.party_review_categories = []
    db.session.commit()
    assert notice not in en.get(url).text


def test_the_turnout_piece_is_for_those_who_see_the_proposal(estate, client, login):
    poll = make_poll(estate)
    login(estate.outsider)
    assert client.get(f"/polls/{poll.id}/turnout",
                      headers={"HX-Request": "true"}).status_code == 403
    login(estate.tenant)
    assert client.get(f"/polls/{poll.id}/turnout",
                      headers={"HX-Request": "true"}).status_code == 200
