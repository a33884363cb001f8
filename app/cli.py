"""Command-line tools: ``flask seed-demo``, ``flask roster import``, ``flask audit verify``
(with ``keygen`` and ``anchor``), ``flask roles grant``, ``flask tally`` (the independent
recount), ``flask voting remind-due``, ``flask notice export``, ``flask minutes export``
and ``flask translate``; ``flask jobs work`` and ``flask jobs status`` live in app/core/jobs.py,
``flask storage migrate-local`` in app/core/storage.py;
``flask backup``, ``flask restore`` and ``flask retention purge`` live in
app/privacy/commands.py."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from app.audit.anchor import (
    AnchorError,
    load_private_key,
    open_anchor,
    public_key_text,
    sign,
    write_private_key,
)
from app.audit.services import hash_at, verify_chain
from app.audit.services import head as audit_head
from app.community.messages import roster_error_message
from app.community.models import Community, Role
from app.community.roster import RosterFileError, parse_roster
from app.community.services import (
    grant_role,
    has_role,
    import_roster,
    roster_context,
    user_by_phone,
)
from app.core.documents import FORMATS, render
from app.core.jobs import jobs_group
from app.core.storage import storage_group
from app.demo import DEMO_PASSWORD, seed_demo
from app.extensions import db, utcnow
from app.meetings import minutes as meeting_minutes
from app.messaging.commands import COMMANDS as MESSAGING_COMMANDS
from app.phones import normalise_phone
from app.privacy.commands import COMMANDS as PRIVACY_COMMANDS
from app.voting.models import Poll
from app.voting.notice import result_notice
from app.voting.services import VotingRefused, due_polls, refresh, remind_closing
from app.voting.tally_command import tally_command
from app.voting.verification import BREAKS, poll_chain_hash_at, poll_heads, verify_polls
from app.webhooks.commands import webhooks_group
from config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "app" / "translations"
POT_FILE = PROJECT_ROOT / "app" / "translations" / "messages.pot"


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(roster_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(roles_group)
    app.cli.add_command(translate_group)
    app.cli.add_command(tally_command)
    app.cli.add_command(polls_group)
    app.cli.add_command(voting_group)
    app.cli.add_command(notice_group)
    app.cli.add_command(minutes_group)
    app.cli.add_command(jobs_group)
    app.cli.add_command(storage_group)
    app.cli.add_command(webhooks_group)
    for command in PRIVACY_COMMANDS + MESSAGING_COMMANDS:
        app.cli.add_command(command)


@click.command("seed-demo")
def seed_demo_command():
    """Load the demo community (once; later runs only print the logins)."""
    created, logins = seed_demo()
    db.session.commit()
    click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login in logins:
        click.echo(f"  {login.phone}  {login.role:<48} {login.name}")


def _community(identifier: str) -> Community:
    query = select(Community).where(Community.name == identifier)
    if identifier.isdigit():
        query = select(Community).where(Community.id == int(identifier))
    community = db.session.execute(query).scalar_one_or_none()
    if community is None:
        raise click.ClickException(f"No community {identifier!r} (give its id or exact name).")
    return community


@click.group("roster")
def roster_group():
    """Unit rosters."""


@roster_group.command("import")
@click.argument("community")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--developer", help="The name under which the developer's unsold units appear.")
def roster_import_command(community: str, file: Path, developer: str | None):
    """Import FILE (CSV or XLSX) into COMMUNITY (id or name), all rows or none."""
    target = _community(community)
    data = file.read_bytes()
    known_grids, building_grids = roster_context(target)
    with force_locale("en"):
        try:
            parsed = parse_roster(data, file.name, known_grids=known_grids,
                                  building_grids=building_grids, developer_name=developer)
        except RosterFileError as exc:
            raise click.ClickException(roster_error_message(exc.code, exc.params)) from None
        if parsed.errors:
            for error in parsed.errors:
                click.echo(f"line {error.line}: {roster_error_message(error.code, error.params)}",
                           err=True)
            raise click.ClickException(
                f"{len({e.line for e in parsed.errors})} bad rows; nothing was imported.")
    report = import_roster(target, parsed, actor=None, source=file.name,
                           digest=hashlib.sha256(data).hexdigest())
    db.session.commit()
    summary = report.summary()
    click.echo(", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in summary.items()))
    for change in report.area_changes:
        click.echo(f"  {change.unit}: area {change.old} → {change.new} m²")
    for change in report.owner_changes:
        click.echo(f"  {change.unit}: owners {'、'.join(change.old) or '—'} → "
                   f"{'、'.join(change.new)}")


@click.group("audit")
def audit_group():
    """The hash-chained audit log."""


@audit_group.command("verify")
@click.option("--anchor", "anchor_file", type=click.Path(exists=True, dir_okay=False,
                                                          path_type=Path),
              help="A file from `flask audit anchor`: the chains must still extend its heads.")
def audit_verify_command(anchor_file: Path | None):
    """Check every link of the audit log and of every poll's chain, recount every poll from
    its chain and compare it with the stored roll, ballots and published result; with
    --anchor, check that no chain was truncated or rewritten since the anchor. Exit 1 and
    name every problem if there is one."""
    count, broken, head = verify_chain()
    problems = []
    if broken is not None:
        problems.append(f"Audit log BROKEN at entry {broken.seq}: {BREAKS[broken.problem]}.")
    problems += [f"{finding}." for finding in verify_polls()]
    if anchor_file is not None:
        problems += _anchor_problems(anchor_file)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(1)
    polls = db.session.execute(select(func.count(Poll.id))).scalar_one()
    click.echo(f"Audit log intact: {count} entries, head {head}. {polls} poll(s) agree with "
               "their chains." + (" The chains extend the anchored heads." if anchor_file
                                  else ""))


def _signing_key():
    path = current_app.config["AUDIT_ANCHOR_KEY"]
    if not path:
        raise click.ClickException(
            "No signing key: set GONGZHI_AUDIT_ANCHOR_KEY to the path of the Ed25519 key "
            "(create one with `flask audit keygen --output PATH`).")
    try:
        return load_private_key(Path(path))
    except AnchorError as exc:
        raise click.ClickException(str(exc)) from None


def _anchor_problems(anchor_file: Path) -> list[str]:
    try:
        document = json.loads(anchor_file.read_text())
        payload = open_anchor(document, _signing_key().public_key())
        heads = payload["audit"], payload["polls"]
    except (ValueError, KeyError, TypeError, AnchorError) as exc:
        reason = exc if isinstance(exc, AnchorError) else "it is not an anchor file"
        return [f"Anchor {anchor_file} cannot be used: {reason}."]
    audit_head, anchored_polls = heads
    problems = []
    if audit_head and hash_at(audit_head["seq"]) != audit_head["hash"]:
        problems.append(f"Audit log no longer extends the anchored head (entry "
                        f"{audit_head['seq']}): it was truncated or rewritten.")
    for poll_id, poll_head in anchored_polls.items():
        if poll_chain_hash_at(int(poll_id), poll_head["seq"]) != poll_head["hash"]:
            problems.append(f"Poll {poll_id}: the ballot chain no longer extends the anchored "
                            f"head (entry {poll_head['seq']}): it was truncated or rewritten.")
    return problems


@audit_group.command("keygen")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the private key; keep it outside the database's host.")
def audit_keygen_command(output: Path):
    """Create the Ed25519 key that signs anchors (never overwrites a file)."""
    try:
        key = write_private_key(output)
    except FileExistsError:
        raise click.ClickException(f"{output} exists; nothing was written.") from None
    click.echo(f"Wrote {output} (mode 600). Public key: {public_key_text(key.public_key())}")
    click.echo(f"Set GONGZHI_AUDIT_ANCHOR_KEY={output} for `flask audit anchor` and "
               "`flask audit verify --anchor`.")


@audit_group.command("anchor")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def audit_anchor_command(output: Path):
    """Write the signed heads of the audit log and of every poll's chain to OUTPUT; keep
    the file away from the database (another host, print, a notice board)."""
    key = _signing_key()
    audit = audit_head()
    payload = {
        "created_at": utcnow().isoformat(),
        "audit": {"seq": audit[0], "hash": audit[1]} if audit else None,
        "polls": {str(poll_id): {"seq": seq, "hash": hash_}
                  for poll_id, (seq, hash_) in poll_heads().items()},
    }
    output.write_text(json.dumps(sign(payload, key), ensure_ascii=False, indent=1))
    click.echo(f"Wrote {output}: audit log head {payload['audit']}, "
               f"{len(payload['polls'])} poll chain(s).")


@click.group("roles")
def roles_group():
    """Roles outside organisations."""


@roles_group.command("grant")
@click.argument("phone")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.option("--community", help="Community id or name (every role but platform_admin).")
def roles_grant_command(phone: str, role: str, community: str | None):
    """Give the registered user with PHONE a ROLE, e.g. the first platform administrator."""
    try:
        user = user_by_phone(normalise_phone(phone) or "")
    except ValueError:
        user = None
    if user is None:
        raise click.ClickException(f"Nobody has registered with {phone}.")
    if (role == Role.PLATFORM_ADMIN) == (community is not None):
        raise click.ClickException(
            "platform_admin takes no --community; every other role needs one.")
    target = _community(community) if community else None
    if has_role(user, target.id if target else None, role):
        click.echo(f"{user.name} already has {role}.")
        return
    grant_role(user, target, role, actor=None)
    db.session.commit()
    click.echo(f"{user.name} is now {role}.")


@click.group("polls")
def polls_group():
    """Polls."""


@polls_group.command("close-due")
def polls_close_due_command():
    """Open, close and finalise every poll whose time has come (run it from cron)."""
    moved = 0
    for poll in due_polls():
        refresh(poll)
        moved += 1
    db.session.commit()
    click.echo(f"{moved} poll(s) moved on.")


@click.group("voting")
def voting_group():
    """Reminders about open votes."""


@voting_group.command("remind-due")
def voting_remind_due_command():
    """Remind non-voters 3 days and 1 day before a poll closes, each once (run it from
    cron, e.g. hourly: running it again sends nothing twice)."""
    sent = remind_closing()
    db.session.commit()
    click.echo(f"{sent} poll(s) sent a closing reminder.")


@click.group("notice")
def notice_group():
    """Result notices (表决结果公告)."""


@notice_group.command("export")
@click.argument("poll_id", type=int)
@click.option("--format", "file_format", required=True, type=click.Choice(sorted(FORMATS)))
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", default="zh_Hans", type=click.Choice(["zh_Hans", "en"]))
def notice_export_command(poll_id: int, file_format: str, output: Path, lang: str):
    """Write the preliminary or final result notice of a closed poll."""
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        raise click.ClickException(f"No poll {poll_id}.")
    with force_locale(lang):
        try:
            document = result_notice(poll)
        except VotingRefused:
            raise click.ClickException(f"Poll {poll_id} is not closed yet.") from None
    output.write_bytes(render(document, file_format, current_app.config["DOCUMENT_FONT"] or None))
    click.echo(f"Wrote {output}.")


@click.group("minutes")
def minutes_group():
    """Meeting minutes (会议纪要)."""


@minutes_group.command("export")
@click.argument("meeting_id", type=int)
@click.option("--format", "file_format", required=True, type=click.Choice(sorted(FORMATS)))
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--version", "version", type=int,
              help="A published version; default: the latest.")
@click.option("--draft", is_flag=True, help="The draft from the current records instead.")
@click.option("--lang", default="zh_Hans", type=click.Choice(["zh_Hans", "en"]),
              help="The language of a draft (a published version keeps its own).")
def minutes_export_command(meeting_id: int, file_format: str, output: Path,
                           version: int | None, draft: bool, lang: str):
    """Write the latest published minutes of a meeting, an older version, or the draft."""
    meeting = meeting_minutes.load_meeting(meeting_id)
    if meeting is None:
        raise click.ClickException(f"No meeting {meeting_id}.")
    if draft and version is not None:
        raise click.ClickException("Give --draft or --version, not both.")
    language = lang
    with force_locale(lang):
        if draft:
            document = meeting_minutes.draft_minutes(meeting)
        else:
            versions = meeting_minutes.versions_of(meeting)
            if not versions:
                raise click.ClickException(
                    f"Meeting {meeting_id} has no published minutes (use --draft for the "
                    "draft).")
            chosen = next((v for v in versions if version in (None, v.version)), None)
            if chosen is None:
                raise click.ClickException(
                    f"Meeting {meeting_id} has no version {version} of its minutes "
                    f"(versions: {', '.join(str(v.version) for v in reversed(versions))}).")
            document = meeting_minutes.published_document(chosen)
            language = chosen.language
    output.write_bytes(render(document, file_format, current_app.config["DOCUMENT_FONT"] or None,
                              language="en" if language == "en" else "zh-Hans"))
    click.echo(f"Wrote {output}.")


@click.group("translate")
def translate_group():
    """Translation catalogues (pybabel around app/translations)."""


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)


@translate_group.command("update")
def translate_update():
    """Extract the strings and merge them into every catalogue."""
    _pybabel("extract", "-F", str(TRANSLATIONS / "babel.cfg"), "-k", "_l", "--no-location",
             "--sort-output", "-o", str(POT_FILE), str(PROJECT_ROOT))
    _pybabel("update", "-i", str(POT_FILE), "-d", str(TRANSLATIONS), "--no-fuzzy-matching",
             "--ignore-obsolete")


@translate_group.command("compile")
def translate_compile():
    """Compile the catalogues the app reads."""
    _pybabel("compile", "-d", str(TRANSLATIONS))
