"""The result notice (表决结果公告) of a closed poll, as a document: the preliminary one with
its objection period, then the final one."""

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from app.community.models import Organisation, OrganisationKind
from app.core.documents import Document, to_markdown
from app.core.signals import poll_closed, poll_finalised
from app.extensions import db
from app.notices.models import Notice, NoticeKind
from app.notices.services import post_document_notice, retire_notices
from app.voting.labels import (
    DEEMED_SIDE_LABELS,
    OUTCOME_LABELS,
    RULE_LABELS,
    YES_NO_LABELS,
    describe_condition,
    matter_label,
)
from app.voting.models import ElectorateKind, Poll, PollStatus, QuestionKind
from app.voting.rules import APPROVE, OWNER_RULES, DeemedCount, Result, Rule
from app.voting.services import VotingRefused, deemed_count, results


def issuing_organisation(poll: Poll) -> Organisation | None:
    """Who announces a poll's result: the organisation that held the poll, else the owners'
    committee, else the proposal's organisation, else the neighbourhood committee."""
    if poll.organisation_id:
        return db.session.get(Organisation, poll.organisation_id)

    def committee(kind: str) -> Organisation | None:
        return db.session.execute(select(Organisation).where(
            Organisation.community_id == poll.community_id, Organisation.kind == kind)
            .order_by(Organisation.id)).scalars().first()

    return (committee(OrganisationKind.OWNERS_COMMITTEE) or poll.proposal.organisation
            or committee(OrganisationKind.NEIGHBOURHOOD_COMMITTEE))


def _issuer(poll: Poll) -> str:
    """The name that signs the notice; the community's when no organisation can."""
    organisation = issuing_organisation(poll)
    return organisation.name if organisation else poll.proposal.community.name


def _count_table(poll: Poll, result: Result, labels: dict, owners: bool) -> list[list[str]]:
    """The ballots as cast: every option, and invalid ballots (废票), which take part and
    approve nothing."""
    header = [_("Option"), _("People")] + ([_("Area (m²)")] if owners else [])
    rows = [header]
    for option in result.options:
        row = [str(labels[option.option]), str(option.people)]
        rows.append(row + ([f"{option.area:,.2f}"] if owners else []))
    invalid = result.participants - sum(option.people for option in result.options)
    if poll.kind == QuestionKind.YES_NO and invalid:
        area = result.participating_area - sum(option.area for option in result.options)
        rows.append([_("Invalid ballots (废票)"), str(invalid)]
                    + ([f"{area:,.2f}"] if owners else []))
    return rows


def _deemed_rows(poll: Poll, count: DeemedCount, owners: bool) -> list[list[str]]:
    """The owners added by the clause, as rows of their own below the ballots cast."""
    if count.side is None:
        return []
    label = _("Deemed %(side)s under %(clause)s: served, did not vote",
              side=YES_NO_LABELS[count.side], clause=poll.deemed_consent_clause)
    return [[label, str(count.people)] + ([f"{count.area:,.2f}"] if owners else [])]


def matter_paragraph(poll: Poll) -> list[str]:
    """The Art. 278 item an owners' decision is on, as a paragraph of the notice."""
    label = matter_label(poll)
    return [_("Matter: %(matter)s.", matter=label)] if label else []


def deemed_paragraphs(poll: Poll, count: DeemedCount | None) -> list[str]:
    """The clause quoted, and who it added: nobody when 从多数 finds area and headcount
    disagreeing."""
    if count is None:
        return []
    paragraphs = [_("The rules of procedure, %(article)s: “%(text)s” (%(side)s)",
                    article=poll.deemed_consent_clause, text=poll.deemed_consent_text,
                    side=DEEMED_SIDE_LABELS[poll.deemed_consent_side])]
    if count.split:
        paragraphs.append(_("Among those who voted, the majority by area and the majority by "
                            "headcount disagree (or are even): the clause adds nobody."))
    elif count.side is not None:
        paragraphs.append(_("The clause adds the %(people)d owners with %(area)s m² who were "
                            "served the notice and did not vote, to “%(side)s”.",
                            people=count.people, area=f"{count.area:,.2f}",
                            side=YES_NO_LABELS[count.side]))
    return paragraphs


def verdict_lines(count: DeemedCount, outcome_labels=OUTCOME_LABELS) -> list[str]:
    """Both verdicts: the raw count's, then the official one, resting on the clause."""
    return [
        _("Result of the ballots cast: %(outcome)s.",
          outcome=outcome_labels[count.raw.outcome]),
        *[describe_condition(c) for c in (*count.deemed.quorum,
                                          *count.deemed.option(APPROVE).conditions)],
        _("Official result, resting on the deemed-consent clause: %(outcome)s.",
          outcome=outcome_labels[count.deemed.outcome]),
    ]


def result_notice(poll: Poll) -> Document:
    if poll.status not in (PollStatus.CLOSED, PollStatus.FINAL):
        raise VotingRefused("poll.not_closed")
    final = poll.status == PollStatus.FINAL
    owners = poll.electorate == ElectorateKind.OWNERS
    proposal = poll.proposal
    labels = (YES_NO_LABELS if poll.kind == QuestionKind.YES_NO
              else {str(o.id): o.label for o in poll.options})
    raw, deemed = results(poll)
    official = deemed or raw
    count = deemed_count(poll)

    if owners:
        addressee = _("To all owners:")
    elif poll.electorate == ElectorateKind.RESIDENTS:
        addressee = _("To all residents:")
    else:
        addressee = _("To all members of %(organisation)s:", organisation=_issuer(poll))
    basis = (_("Article 278 of the Civil Code of the People's Republic of China")
             if Rule(poll.rule) in OWNER_RULES
             else _("the rules of procedure of %(community)s", community=proposal.community.name))
    paragraphs = [
        _("The vote on the proposal “%(title)s” asked: %(question)s",
          title=proposal.title, question=poll.question),
        _("Legal basis: %(basis)s. Rule: %(rule)s. Voting ran from %(opens)s to %(closes)s "
          "(Beijing time).", basis=basis, rule=RULE_LABELS[poll.rule],
          opens=format_datetime(poll.opens_at, "short"),
          closes=format_datetime(poll.closes_at, "short")),
        *matter_paragraph(poll),
    ]
    if owners:
        paragraphs.append(_(
            "The voter roll, frozen when voting opened, lists %(people)d owners with "
            "%(area)s m² of exclusive area; %(voted)d of them, with %(voted_area)s m², took part.",
            people=poll.total_people, area=f"{poll.total_area:,.2f}",
            voted=raw.participants, voted_area=f"{raw.participating_area:,.2f}"))
    else:
        paragraphs.append(_(
            "The voter roll, frozen when voting opened, lists %(people)d people; %(voted)d of "
            "them took part.", people=poll.total_people, voted=raw.participants))
    if poll.extension_reason:
        paragraphs.append(_("The closing time was extended: %(reason)s",
                            reason=poll.extension_reason))

    paragraphs += deemed_paragraphs(poll, count)
    closing = [describe_condition(c) for c in raw.quorum]
    closing += [describe_condition(c) for option in raw.options for c in option.conditions
                if option.option in (raw.winners or [])
                or poll.kind == QuestionKind.YES_NO and option.option == "approve"]
    if count is not None:
        closing += verdict_lines(count)
    else:
        closing.append(_("Result: %(outcome)s.", outcome=OUTCOME_LABELS[official.outcome]))
    if final:
        closing.append(_("This result is final."))
    else:
        closing.append(_("Owners and residents who object to this result may do so on the poll "
                         "page until %(until)s; after that the result becomes final.",
                         until=format_datetime(poll.objection_until, "short")))
    date = poll.finalised_at if final else poll.closed_at
    return Document(
        title=_("Notice of the result of the vote") if final
        else _("Preliminary result of the vote, for objections"),
        addressee=addressee,
        paragraphs=paragraphs,
        table=_count_table(poll, raw, labels, owners)
        + (_deemed_rows(poll, count, owners) if count is not None else []),
        closing=closing,
        signature=[_issuer(poll), _("(seal)"), format_datetime(date, "yyyy-MM-dd")],
    )


@poll_closed.connect
@poll_finalised.connect
def post_result_notice(poll: Poll) -> Notice | None:
    """Put the poll's result notice (preliminary at close, final after objections) on the
    board, in the community's language; without any organisation to sign it, nothing."""
    organisation = issuing_organisation(poll)
    if organisation is None:
        return None
    retire_notices(poll_id=poll.id)  # the preliminary result, when the final one comes
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        document = result_notice(poll)
        title = _("%(document)s: %(proposal)s", document=document.title,
                  proposal=poll.proposal.title)
    # The document's heading is the notice's own title.
    body = to_markdown(document).removeprefix(f"# {document.title}\n\n")
    notice = post_document_notice(
        community_id=poll.community_id, organisation_id=organisation.id,
        kind=NoticeKind.RESULT_NOTICE, title=title[:120], body=body, poll_id=poll.id)
    notice.published_at = poll.finalised_at or poll.closed_at
    return notice
