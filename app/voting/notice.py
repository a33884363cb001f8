"""The result notice (表决结果公告) of a closed poll, as a document: for owners the preliminary
one with its publication period (公示期) and objection channel, then the final one with how
the objections were handled; for an organisation or the residents one notice, signed by the
right body and citing the right law, with no objection period."""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import User
from app.community.models import MemberRole, Membership, Organisation, OrganisationKind
from app.core.documents import (
    ITEMS,
    PARAGRAPH,
    SIGN_HERE,
    Block,
    Document,
    long_date,
    long_datetime,
    to_markdown,
)
from app.core.signals import poll_closed, poll_finalised
from app.extensions import db
from app.notices.models import Notice, NoticeKind
from app.notices.services import post_document_notice, retire_notices
from app.voting.labels import (
    DEEMED_SIDE_LABELS,
    OUTCOME_LABELS,
    RULE_LABELS,
    YES_NO_LABELS,
    describe_in_words,
    matter_label,
)
from app.voting.models import (
    Channel,
    ElectorateKind,
    Objection,
    Poll,
    PollStatus,
    QuestionKind,
    RollEntry,
)
from app.voting.rules import (
    APPROVE,
    CIVIL_CODE_278,
    SOURCES,
    DeemedCount,
    Result,
    Rule,
)
from app.voting.services import VotingRefused, deemed_count, results


def issuing_organisation(poll: Poll) -> Organisation | None:
    """Who announces a poll's result: the organisation that held the poll; for owners the
    owners' committee (业委会, which announces the owners' assembly's decisions), for
    residents the neighbourhood committee (居委会); else the proposal's organisation."""
    if poll.organisation_id:
        return db.session.get(Organisation, poll.organisation_id)
    first = (OrganisationKind.NEIGHBOURHOOD_COMMITTEE
             if poll.electorate == ElectorateKind.RESIDENTS
             else OrganisationKind.OWNERS_COMMITTEE)
    return (_organisation_of_kind(poll, first) or poll.proposal.organisation
            or _organisation_of_kind(poll, OrganisationKind.NEIGHBOURHOOD_COMMITTEE))


def _organisation_of_kind(poll: Poll, kind: str) -> Organisation | None:
    return db.session.execute(select(Organisation).where(
        Organisation.community_id == poll.community_id, Organisation.kind == kind)
        .order_by(Organisation.id)).scalars().first()


def _issuer(poll: Poll, organisation: Organisation | None) -> str:
    """The name that signs the notice; the community's when no organisation can."""
    return organisation.name if organisation else poll.proposal.community.name


def _contact(organisation: Organisation | None) -> str:
    """The chair of the issuing organisation, whom readers can ask."""
    if organisation is None:
        return ""
    chair = db.session.execute(select(User.name).join(Membership, Membership.user_id == User.id)
                               .where(Membership.organisation_id == organisation.id,
                                      Membership.role == MemberRole.CHAIR)
                               .order_by(Membership.id)).scalars().first()
    return chair or ""


def legal_basis(poll: Poll, organisation: Organisation | None) -> str:
    """The law and article the poll's decision rests on, as the notice cites it."""
    rule = Rule(poll.rule)
    if poll.electorate == ElectorateKind.OWNERS:
        return _("%(law)s; owners and areas counted under Art. 8–9 of the Supreme People's "
                 "Court's interpretation on the separate ownership of buildings",
                 law=CIVIL_CODE_278)
    if rule in SOURCES:
        return SOURCES[rule]
    name = organisation.name if organisation else poll.proposal.community.name
    return _("the rules of procedure of %(organisation)s", organisation=name)


def _count_table(poll: Poll, result: Result, labels: dict, owners: bool) -> list[list[str]]:
    """The ballots as cast: every option, and invalid ballots (废票), which take part and
    approve nothing."""
    header = [_("Option"), _("People")] + ([_("Area (square metres)")] if owners else [])
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


def _ballots_by_channel(poll: Poll) -> str:
    """From the roll's voted marks: a secret poll's ballot rows do not say how they came."""
    counts = dict(db.session.execute(
        select(RollEntry.voted_channel, func.count(RollEntry.id))
        .where(RollEntry.poll_id == poll.id, RollEntry.voted_at.is_not(None))
        .group_by(RollEntry.voted_channel)).all())
    return _("Ballots by channel: online %(online)d, paper %(paper)d, proxy %(proxy)d.",
             online=counts.get(Channel.ONLINE, 0), paper=counts.get(Channel.PAPER, 0),
             proxy=counts.get(Channel.PROXY, 0))


def _objection_blocks(poll: Poll) -> list[Block]:
    """How the objections of the publication period were handled, for the final notice."""
    objections = db.session.execute(select(Objection).where(Objection.poll_id == poll.id)
                                    .order_by(Objection.id)).scalars().all()
    if not objections:
        return [Block(PARAGRAPH, _("No objection was received during the publication "
                                   "period."))]
    return [Block(PARAGRAPH, _("%(count)d objections were received during the publication "
                               "period; each, and how it was handled:",
                               count=len(objections))),
            Block(ITEMS, items=[
                _("Objection: %(text)s Answer: %(answer)s", text=o.text,
                  answer=o.answer or _("not answered")) for o in objections])]


def _title(poll: Poll, owners: bool, final: bool) -> str:
    if Rule(poll.rule) == Rule.ADVISORY:
        return _("Result of the consultation")
    if not owners:
        return _("Notice of the result of the vote")
    return (_("Notice of the result of the vote") if final
            else _("Preliminary result of the vote, for objections"))


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
        *[describe_in_words(c) for c in (*count.deemed.quorum,
                                          *count.deemed.option(APPROVE).conditions)],
        _("Official result, resting on the deemed-consent clause: %(outcome)s.",
          outcome=outcome_labels[count.deemed.outcome]),
    ]


def result_notice(poll: Poll) -> Document:
    if poll.status not in (PollStatus.CLOSED, PollStatus.FINAL):
        raise VotingRefused("poll.not_closed")
    final = poll.status == PollStatus.FINAL
    owners = poll.electorate == ElectorateKind.OWNERS
    advisory = Rule(poll.rule) == Rule.ADVISORY
    proposal = poll.proposal
    organisation = issuing_organisation(poll)
    issuer = _issuer(poll, organisation)
    labels = (YES_NO_LABELS if poll.kind == QuestionKind.YES_NO
              else {str(o.id): o.label for o in poll.options})
    count = deemed_count(poll)
    raw, deemed = (count.raw, count.deemed) if count is not None else results(poll)
    official = deemed or raw

    if owners:
        addressee = _("To all owners:")
    elif poll.electorate == ElectorateKind.RESIDENTS:
        addressee = _("To all residents:")
    else:
        addressee = _("To all members of %(organisation)s:", organisation=issuer)
    paragraphs = [
        _("The vote on the proposal “%(title)s” asked: %(question)s",
          title=proposal.title, question=poll.question),
        _("Rule: %(rule)s. Voting ran from %(opens)s to %(closes)s (Beijing time).",
          rule=RULE_LABELS[poll.rule], opens=long_datetime(poll.opens_at),
          closes=long_datetime(poll.closes_at)),
        *matter_paragraph(poll),
    ]
    if not advisory:
        paragraphs.append(_("Legal basis: %(basis)s.",
                            basis=legal_basis(poll, organisation)))
    if owners:
        paragraphs.append(_(
            "The voter roll, frozen when voting opened, lists %(people)d owners with "
            "%(area)s square metres of exclusive area; %(voted)d of them, with %(voted_area)s "
            "square metres, took part.",
            people=poll.total_people, area=f"{poll.total_area:,.2f}",
            voted=raw.participants, voted_area=f"{raw.participating_area:,.2f}"))
    else:
        paragraphs.append(_(
            "The voter roll, frozen when voting opened, lists %(people)d people; %(voted)d of "
            "them took part.", people=poll.total_people, voted=raw.participants))
    paragraphs.append(_ballots_by_channel(poll))
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

    paragraphs += deemed_paragraphs(poll, count)
    closing = [describe_in_words(c) for c in raw.quorum]
    closing += [describe_in_words(c) for option in raw.options for c in option.conditions
                if option.option in (raw.winners or [])
                or poll.kind == QuestionKind.YES_NO and option.option == "approve"]
    if count is not None:
        closing += verdict_lines(count)
    else:
        closing.append(_("Result: %(outcome)s.", outcome=OUTCOME_LABELS[official.outcome]))
    if owners and final:
        closing.append(_("This result is final."))
    blocks = _publication_blocks(poll, owners, final, organisation, issuer)
    blocks += _signature_blocks(poll, owners)
    date = poll.finalised_at if final else poll.closed_at
    return Document(
        title=_title(poll, owners, final),
        addressee=addressee,
        paragraphs=paragraphs,
        table=_count_table(poll, raw, labels, owners)
        + (_deemed_rows(poll, count, owners) if count is not None else []),
        closing=closing,
        blocks=blocks,
        signature=[issuer, _("(seal)"), long_date(date)],
    )


def _publication_blocks(poll: Poll, owners: bool, final: bool,
                        organisation: Organisation | None, issuer: str) -> list[Block]:
    """The publication period and the objection channel (owners' decisions only), how the
    objections were handled, and what happens next."""
    blocks: list[Block] = []
    if owners and not final:
        blocks.append(Block(PARAGRAPH, _(
            "Publication period: from %(start)s to %(end)s.",
            start=long_datetime(poll.closed_at), end=long_datetime(poll.objection_until))))
        blocks.append(Block(PARAGRAPH, _(
            "Owners who object to this result may, within the publication period, file the "
            "objection with its reasons on the poll page, or hand it in writing to %(issuer)s.",
            issuer=issuer)))
        community = poll.proposal.community
        if community.objection_place or community.objection_phone:
            blocks.append(Block(PARAGRAPH, _(
                "Objections in writing: %(place)s; phone: %(phone)s.",
                place=community.objection_place or "—",
                phone=community.objection_phone or "—")))
    if owners and final:
        blocks += _objection_blocks(poll)
    contact = _contact(organisation)
    if contact:
        blocks.append(Block(PARAGRAPH, _("Contact person: %(name)s (%(organisation)s)",
                                         name=contact, organisation=issuer)))
    if not owners:
        next_step = _("Next steps: %(issuer)s records this result with the proposal, which "
                      "shows its follow-up actions.", issuer=issuer)
    elif final:
        next_step = _("Next steps: %(issuer)s carries out the decision; its follow-up actions "
                      "and their progress are shown with the proposal.", issuer=issuer)
    else:
        next_step = _("Next steps: after the publication period the result becomes final "
                      "and is posted again with the objections and how they were handled.")
    blocks.append(Block(PARAGRAPH, next_step))
    return blocks


def _signature_blocks(poll: Poll, owners: bool) -> list[Block]:
    """Lines for the scrutineer and the teller to sign, and who supervised the count."""
    blocks = [Block(PARAGRAPH, _("Scrutineer (监票人), signature:") + " " + SIGN_HERE),
              Block(PARAGRAPH, _("Teller (计票人), signature:") + " " + SIGN_HERE)]
    supervisor = (_organisation_of_kind(poll, OrganisationKind.NEIGHBOURHOOD_COMMITTEE)
                  if owners else None)
    if supervisor is not None:
        blocks.append(Block(PARAGRAPH, _("Supervised by: %(organisation)s",
                                         organisation=supervisor.name)))
    return blocks


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
