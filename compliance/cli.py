"""``flask`` commands: ``check`` for one answer; it registers the commands that live with their
package (``data ...`` in :mod:`compliance.data.cli`, ``prune-codes`` in
:mod:`compliance.results.codes`)."""


import click
from flask import current_app
from flask.cli import with_appcontext

from compliance.core.params import ParamError
from compliance.data.db import get_dataset

from .config import LOCAL_BASE_URL
from .core import places
from .data.cli import data_cli
from .results import api_fields, run_check
from .results.codes import prune_codes_command


def _cli_errors(error: ParamError) -> str:
    """Every bad option at once, as the form and the API report them, each with the
    airlines or airports it may have meant."""
    lines = []
    for item in error.errors:
        lines.append(f"--{item.param}: {item.detail}")
        lines.extend(f"    {c['code']}  {c['name']}" for c in item.candidates)
    return "\n".join(lines)


@click.command("check")
@with_appcontext
@click.argument("model", required=False)
@click.option("--brand")
@click.option("--serial", help="Serial or batch code, for recalls that cover only some units.")
@click.option("--wh", help="Capacity in watt-hours, as printed.")
@click.option("--mah", help="Capacity in mAh.")
@click.option("--v", "volts", help="Nominal cell voltage for --mah (default assumed 3.7 V).")
@click.option("--count", help="How many power banks the traveller carries.")
@click.option("--ccc", type=click.Choice(["true", "false"]), help="Bears China's CCC mark.")
@click.option("--unlabelled", is_flag=True, help="The capacity label is missing or unreadable.")
@click.option("--airline", help="Operating airline: IATA or ICAO code, or its name (EK, Emirates).")
@click.option("--origin", help="Departure airport: code, name or city (DXB, Dubai).")
@click.option("--destination", help="Arrival airport: code, name or city (LHR, Heathrow).")
@click.option("--date", help="Travel date, YYYY-MM-DD (default today).")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
def check_command(model, volts, as_json, unlabelled, **options):
    """May this power bank fly? Prints the verdict, reasons and sources."""
    values = {"model": model, "v": volts, "unlabelled": "true" if unlabelled else None, **options}
    values = {k: v for k, v in values.items() if v is not None}
    with current_app.test_request_context(base_url=_base_url()):
        try:
            result = run_check(values)
        except ParamError as error:
            raise click.UsageError(_cli_errors(error)) from None
        fields = api_fields(result)
    if as_json:
        click.echo(current_app.json.dumps(fields, indent=2, ensure_ascii=False))
        return
    click.echo(f"{fields['verdict'].upper()}: {fields['headline']}")
    device = fields["device"]
    if device["wh"] is not None:
        click.echo(f"Capacity: {device['wh']} Wh ({device['wh_source']})")
    for match in fields["recall"]["matches"]:
        click.echo(f"Recall: {match['agency']} {match['date'] or ''} {match['product']} "
                   f"[{match['status']}] {match['source_url']}")
    for condition in fields["conditions"]:
        click.echo(f"Condition: {condition['text']} ({condition['issuer']})")
    for note in device["assumptions"]:
        click.echo(f"Note: {note}")
    for notice in fields["notices"]:
        click.echo(f"Notice: {notice['text']}")
    for reading in places.readings(values, get_dataset(), places.TRIP_NAME_PARAMS):
        click.echo(f"Read as: {reading['typed']!r} -> {reading['code']} ({reading['name']})")
    for reason in fields["reasons"]:
        click.echo(f"- {reason['issuer']}: {reason['verdict']}: {reason['text']} "
                   f"<{reason['source_url']}>")
    if fields["missing"]:
        click.echo("Missing: " + ", ".join(fields["missing"]))
    click.echo(f"Result: {fields['result_url']}")
    if current_app.config["SECRET_KEY_IS_DEVELOPMENT"] and not current_app.testing:
        click.echo("Warning: FLASK_SECRET_KEY is not set, so this result is signed with the "
                   "development key and will not verify on a deployed site.", err=True)
    click.echo(f"Data version: {fields['data_version']}")


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"] or LOCAL_BASE_URL


def init_app(app) -> None:
    app.cli.add_command(data_cli)
    app.cli.add_command(prune_codes_command)
    app.cli.add_command(check_command)
