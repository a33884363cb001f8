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
from app.voting.labels import OUTCOME_LABELS, RULE_LABELS, YES_NO_LABELS, describe_condition
from app.voting.models import ElectorateKind, Poll, PollStatus, QuestionKind
from app.voting.rules import OWNER_RULES, Result, Rule
from app.voting.services import VotingRefused, results


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
    header = [_("Option"), _("People")] + ([_("Area (m²)")] if owners else [])
    rows = [header]
    for option in result.options:
        row = [str(labels[option.option]), str(option.people)]
        rows.append(row + ([f"{option.area:,.2f}"] if owners else []))
    return rows


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
    if poll.published_result:
        heads = poll.published_result
        paragraphs.append(_(
            "Proof of the count: the voter roll frozen at opening has the hash %(roll)s; the "
            "poll's ballot chain ends at entry %(seq)d with the hash %(chain)s, and the audit "
            "log stood at entry %(audit_seq)d with the hash %(audit)s. With these, anyone can "
            "check the count (flask audit verify).", roll=heads["roll_hash"],
            seq=heads["chain_head"]["seq"], chain=heads["chain_head"]["hash"],
            audit_seq=heads["audit_head"]["seq"], audit=heads["audit_head"]["hash"]))

    closing = [describe_condition(c) for c in official.quorum]
    closing += [describe_condition(c) for option in official.options for c in option.conditions
                if option.option in (official.winners or [])
                or poll.kind == QuestionKind.YES_NO and option.option == "approve"]
    if deemed is not None:
        closing.append(_("Counted with deemed consent under %(clause)s; ballots cast alone: "
                         "%(raw)s.", clause=poll.deemed_consent_clause,
                         raw=OUTCOME_LABELS[raw.outcome]))
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
        table=_count_table(poll, official, labels, owners),
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
