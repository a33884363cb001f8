"""Every text a form accepts fits the column it is stored in.

The test walks every form of every feature and finds each text field; each must be named
below with the column it fills (its Length must not exceed the column's), or with why no
column bounds it. A new text field that is in neither list fails here until someone says
where it goes, so that over-long input is a form error, never a database error.
"""

import importlib
import inspect
import pkgutil

import pytest
from wtforms import Form, StringField
from wtforms.validators import Length

import app as app_package
from app.extensions import db

# Form field → the "table.column" it is written to (or compared with).
STORED = {
    "api.TokenForm.name": "api_tokens.name",
    "auth.RegisterForm.name": "users.name",
    "community.BuildingForm.name": "buildings.name",
    "community.CommunityForm.name": "communities.name",
    "community.CommunityForm.address": "communities.address",
    "community.GridForm.name": "grids.name",
    "community.OrganisationForm.name": "organisations.name",
    "community.LinkRequestForm.unit": "units.number",
    "community.LinkRequestForm.note": "verification_requests.note",
    "community.DecisionForm.reason": "verification_requests.reason",
    "community.DecisionForm.replace_reason": "verification_requests.reason",
    "community.RosterImportForm.developer": "owners.name",
    "discussion.DecideForm.reason": "comments.moderation_reason",
    "discussion.ReportForm.note": "reports.note",
    "discussion._BodyForm.body": "comments.body",
    "discussion._MemberForm.reason": "mutes.reason",
    "followups.ActionForm.description": "follow_up_actions.description",
    "followups.DoneForm.note": "follow_up_actions.done_note",
    "meetings.MeetingForm.title": "meetings.title",
    "meetings.MeetingForm.place": "meetings.place",
    "meetings.MeetingForm.online_link": "meetings.online_link",
    "meetings.CancelForm.reason": "meetings.cancel_reason",
    "meetings.GuestForm.name": "meeting_attendees.guest_name",
    "meetings.InviteForm.phone": "users.phone",
    "meetings.CheckInForm.code": "meetings.check_in_code",
    "meetings.ItemForm.notes": "agenda_items.notes",
    "meetings.ItemForm.resolution": "agenda_items.resolution",
    "meetings.PublishForm.reason": "minutes.correction_reason",
    "notices.NoticeForm.title": "notices.title",
    "notices.NoticeForm.body": "notices.body",
    "proposals.ProposalForm.title": "proposals.title",
    "proposals.ProposalForm.body": "proposals.body",
    "proposals.ReasonForm.reason": "proposal_events.note",
    "proposals.MergeForm.note": "proposal_events.note",
    "proposals.PartyReviewForm.text": "party_reviews.text",
    "voting.AnswerForm.answer": "objections.answer",
    "voting.ExtendForm.reason": "polls.extension_reason",
    "voting.ObjectionForm.text": "objections.text",
    "voting.OfflineForm.paper_number": "roll_entries.paper_number",
    "voting.OfflineForm.reference": "roll_entries.reference",
    "privacy.DeletionRequestForm.reason": "deletion_requests.reason",
    "voting.VotingSettingsForm.deemed_consent_article": "communities.deemed_consent_article",
    "voting.VotingSettingsForm.deemed_consent_text": "communities.deemed_consent_text",
    "voting.VotingSettingsForm.objection_place": "communities.objection_place",
    "voting.VotingSettingsForm.objection_phone": "communities.objection_phone",
    "community.PartyStandingForm.leave_reason": "memberships.leave_reason",
    "voting.PollForm.question": "polls.question",
    "webhooks.WebhookForm.url": "webhooks.url",
}

# Form field → why no column's length applies to it as typed.
UNBOUNDED = {
    "voting.OfflineForm.proxy_phone": "finds the holder's account by phone; not stored",
    "voting.OfflineForm.proxy_id_number": "stored only once normalised to the 18 characters "
                                          "of a valid ID number (check digit)",
    "auth.LoginForm.phone": "a PhoneField: only an 11-digit number validates",
    "auth.RegisterForm.phone": "a PhoneField: only an 11-digit number validates",
    "community.PersonRoleForm.phone": "a PhoneField: only an 11-digit number validates",
    "discussion._MemberForm.phone": "a PhoneField: only an 11-digit number validates",
    "proposals.ListFilterForm.q": "a search: compared, never stored",
    "auth.LoginForm.password": "a password: only its hash is stored",
    "auth.RegisterForm.password": "a password: only its hash is stored",
    "auth.RegisterForm.confirm": "a password: only its hash is stored",
    "auth.ChangePasswordForm.current": "a password: only its hash is stored",
    "auth.ChangePasswordForm.password": "a password: only its hash is stored",
    "auth.ChangePasswordForm.confirm": "a password: only its hash is stored",
    "community.LinkRequestForm.step": "which step of the form: compared, never stored",
    "discussion._MemberForm.user_id": "a user's id: looked up, never stored as typed",
    "voting.PollForm.option_lines": "split into poll_options.label, each line checked "
                                    "against its 200 characters by validate_option_lines",
    "recovery.ForgotForm.phone": "a PhoneField: only an 11-digit number validates",
    "recovery.ResetForm.phone": "a PhoneField: only an 11-digit number validates",
    "recovery.ResetForm.code": "a one-time code: compared with a hash, never stored",
    "recovery.ResetForm.password": "a password: only its hash is stored",
    "recovery.ResetForm.confirm": "a password: only its hash is stored",
    "recovery.StaffCodeForm.phone": "a PhoneField: only an 11-digit number validates",
}


def _text_fields() -> dict[str, object]:
    """"feature.Form.field" → the unbound field, for each text field a form declares."""
    found = {}
    for module_info in pkgutil.iter_modules(app_package.__path__):
        try:
            module = importlib.import_module(f"app.{module_info.name}.forms")
        except ModuleNotFoundError:
            continue
        for form_name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, Form) or form.__module__ != module.__name__:
                continue
            for field_name, unbound in vars(form).items():
                field_class = getattr(unbound, "field_class", None)
                if field_class is not None and issubclass(field_class, StringField):
                    found[f"{module_info.name}.{form_name}.{field_name}"] = unbound
    return found


def _length_limits(unbound) -> list[int]:
    validators = unbound.kwargs.get("validators") or []
    return [v.max for v in validators if isinstance(v, Length) and v.max != -1]


def test_every_text_field_of_every_form_is_accounted_for(app):
    assert set(_text_fields()) == set(STORED) | set(UNBOUNDED)


@pytest.mark.parametrize("key", sorted(STORED))
def test_a_field_is_no_longer_than_its_column(app, key):
    table, column = STORED[key].split(".")
    length = db.metadata.tables[table].c[column].type.length
    limits = _length_limits(_text_fields()[key])
    if length is None:
        return  # TEXT: the form's own limit is a matter of taste, not of storage
    assert limits, f"{key} has no Length, but {STORED[key]} holds {length} characters"
    assert max(limits) <= length, f"{key} allows {max(limits)}; {STORED[key]} holds {length}"
