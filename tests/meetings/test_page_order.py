"""The meeting page leads with its task (issue 15): time, place and, once published, the
minutes downloads come before the agenda; a long list of invitees folds for readers."""

from datetime import timedelta

from app.extensions import db
from app.meetings.minutes import publish


def _page(client, meeting) -> str:
    response = client.get(f"/meetings/{meeting.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _observer(meeting):
    return next(a.user for a in meeting.attendees if not a.voting)


def test_published_minutes_lead_the_page_before_the_agenda(make_meeting, login, client):
    meeting = make_meeting()
    publish(meeting, actor=meeting.recorder)
    db.session.commit()
    login(_observer(meeting))
    html = _page(client, meeting)
    agenda = html.index('id="agenda"')
    assert html.index("社区活动室") < html.index('id="minutes-links"') < agenda
    for file_format in ("pdf", "docx", "html"):
        link = f'href="/meetings/{meeting.id}/minutes.{file_format}?version=1"'
        assert link in html and html.index(link) < agenda
    # The agenda now comes before the attendance list, the versions' history after both.
    assert agenda < html.index('id="attendance"') < html.index('id="minutes"')


def test_the_links_at_the_top_are_the_current_version(make_meeting, login, client):
    meeting = make_meeting()
    publish(meeting, actor=meeting.recorder)
    publish(meeting, actor=meeting.recorder, reason="更正出席人数")
    db.session.commit()
    login(_observer(meeting))
    html = _page(client, meeting)
    top = html[html.index('id="minutes-links"'):html.index('id="agenda"')]
    assert f"/meetings/{meeting.id}/minutes.pdf?version=2" in top
    assert "version=1" not in top


def test_no_minutes_no_links_at_the_top(make_meeting, login, client):
    meeting = make_meeting()
    login(_observer(meeting))
    html = _page(client, meeting)
    assert 'id="minutes-links"' not in html
    assert html.index('id="check-in"') < html.index('id="agenda"')


def test_a_long_list_of_invitees_folds_for_readers_not_for_the_recorder(
        make_meeting, login, client):
    meeting = make_meeting(members=10)
    login(_observer(meeting))
    attendance = _page(client, meeting).split('id="attendance"')[1]
    assert "<details class=\"fold\"><summary>" in attendance.split("</section>")[0]
    login(meeting.recorder)
    attendance = _page(client, meeting).split('id="attendance"')[1]
    assert "<details" not in attendance.split("</section>")[0]


def test_a_short_list_of_invitees_stays_open(make_meeting, login, client):
    meeting = make_meeting(starts_in=timedelta(days=-1))
    login(_observer(meeting))
    attendance = _page(client, meeting).split('id="attendance"')[1]
    assert "<details" not in attendance.split("</section>")[0]


def test_long_notes_of_an_item_fold_but_stay_on_the_page(make_meeting, login, client):
    meeting = make_meeting()
    long_item = meeting.items[0]
    long_item.notes = "讨论要点：" + "业主代表发言。" * 80 + "结尾一句"
    db.session.commit()
    login(_observer(meeting))
    html = _page(client, meeting)
    assert f'id="unfold-notes-{long_item.id}"' in html and "结尾一句" in html
    long_item.notes = "简短的要点"
    db.session.commit()
    assert 'class="unfold"' not in _page(client, meeting)
