"""The recount on the command line: ``flask tally`` and the ``gongzhi-tally`` script are this
one command. It needs neither the Flask app nor its settings, so that anyone who installs the
package can check a poll's result with nothing else."""

import json
import sys
from pathlib import Path

import click

from app.voting.recount import DEEMED_SIDES, RECOUNT_RULES, RecountError, recount


@click.command("tally")
@click.argument("roster", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("ballots", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rule", required=True, type=click.Choice(sorted(RECOUNT_RULES)))
@click.option("--deemed", type=click.Choice(sorted(DEEMED_SIDES)), default=None,
              help="Also count with deemed consent as the rules' clause says: served owners "
                   "who did not vote approve, or follow the voters' majority by area and "
                   "headcount. Needs the served column in ROSTER.csv.")
def tally_command(roster: Path, ballots: Path, rule: str, deemed: str | None):
    """Recount a poll from ROSTER.csv and BALLOTS.csv (see the README); print JSON."""
    texts = []
    for path in (roster, ballots):
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            click.echo(f"error: {path.name}: not UTF-8 text", err=True)
            sys.exit(2)
    try:
        result = recount(*texts, rule, deemed=deemed, roster_name=roster.name,
                         ballots_name=ballots.name)
    except RecountError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))
