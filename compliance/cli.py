"""``flask`` commands: ``check`` for one answer, ``data ...`` for every data operation."""

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .build import DataError, build_database
from .openflights import write_airlines_csv
from .params import ParamError
from .results import api_fields, run_check

data_cli = AppGroup("data", help="Build, check and import the data under data/.")


@data_cli.command("build")
def build_command():
    """Validate data/ and (re)build the SQLite database atomically."""
    try:
        report = build_database(
            Path(current_app.config["DATA_DIR"]), Path(current_app.config["DATABASE"])
        )
    except DataError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(
            f"{len(error.problems)} problem(s) in the data files; the database was not changed."
        ) from None
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in report.counts.items())
    click.echo(f"Built {report.path} (data version {report.data_version}): {counts}.")
    current_app.extensions["dataset"].get()


@data_cli.group("import")
def import_group():
    """Import records from an official or open format into data/, then rebuild."""


@import_group.command("openflights")
@click.argument("airlines_dat", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("countries_dat", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_openflights_command(airlines_dat: Path, countries_dat: Path):
    """Write data/airlines.csv from OpenFlights airlines.dat and countries.dat (active
    carriers with an IATA code)."""
    target = Path(current_app.config["DATA_DIR"]) / "airlines.csv"
    count = write_airlines_csv(airlines_dat, countries_dat, target)
    click.echo(f"Wrote {count} airlines to {target}.")


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
@click.option("--airline", help="Operating airline, IATA code (e.g. EK).")
@click.option("--origin", help="Departure airport, IATA code.")
@click.option("--destination", help="Arrival airport, IATA code.")
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
            raise click.BadParameter(error.detail, param_hint=f"--{error.param}") from None
        fields = api_fields(result)
    if as_json:
        click.echo(json.dumps(fields, indent=2, ensure_ascii=False))
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
    for reason in fields["reasons"]:
        click.echo(f"- {reason['issuer']}: {reason['verdict']}: {reason['text']} "
                   f"<{reason['source_url']}>")
    if fields["missing"]:
        click.echo("Missing: " + ", ".join(fields["missing"]))
    click.echo(f"Result: {fields['result_url']}")
    click.echo(f"Data version: {fields['data_version']}")


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"] or "http://localhost:5000"


def init_app(app) -> None:
    app.cli.add_command(data_cli)
    app.cli.add_command(check_command)
