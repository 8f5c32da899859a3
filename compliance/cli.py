"""``flask`` commands: ``check`` for one answer, ``data ...`` for every data operation."""

import json
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from compliance.core.normalize import brand_keys
from compliance.core.params import ParamError
from compliance.data.build import DataError, build_database, load_sources
from compliance.data.db import get_dataset
from compliance.data.importers.openflights import write_airlines_csv

from .config import LOCAL_BASE_URL
from .core import places
from .results import api_fields, run_check

data_cli = AppGroup("data", help="Build, check and import the data under data/.")


@data_cli.command("build")
def build_command():
    """Validate data/ and (re)build the SQLite database atomically."""
    rebuild()


def rebuild() -> None:
    """Build the database from data/ and make this process serve it; list problems if any."""
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


def _checked_date(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form",
                                 param_hint="--checked") from None


def _run_recall_import(importer, file: Path | None, url: str | None, checked: str | None):
    """Read (or fetch), parse, merge into data/recalls.json, rebuild; nothing changes on error."""
    from compliance.data.importers import ImportProblem, read_json_file
    from compliance.data.importers.merge import import_recalls

    if (file is None) == (url is None):
        raise click.UsageError("give either FILE or --url")
    data_dir = Path(current_app.config["DATA_DIR"])
    try:
        document = read_json_file(file) if file else importer.fetch(url)
        known = brand_keys(load_sources(data_dir))
        parsed = importer.parse(document, _checked_date(checked), known)
        many = getattr(importer, "SUSPICIOUSLY_MANY", None)
        if many and parsed.total > many:
            click.echo(f"warning: {parsed.total} records: did the API ignore a query parameter "
                       "and return its whole corpus?", err=True)
        report = import_recalls(data_dir, parsed.records)
    except (ImportProblem, DataError) as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException("nothing was imported; data/recalls.json is unchanged.") \
            from None
    for note in parsed.skipped:
        click.echo(f"skipped: {note}")
    click.echo(f"{importer.AGENCY}: {parsed.total} records read, {len(parsed.records)} power bank "
               f"recalls: {len(report.added)} added, {len(report.updated)} updated, "
               f"{len(report.unchanged)} unchanged, {len(parsed.skipped)} skipped.")
    for recall_id in report.added:
        click.echo(f"  + {recall_id}")
    for recall_id in report.updated:
        click.echo(f"  ~ {recall_id}")
    if report.changed_file:
        rebuild()
    else:
        click.echo("data/recalls.json unchanged.")


_URL_HELP = "Fetch from the live API instead of FILE (needs network)."
_CHECKED_HELP = "Date recorded as 'checked' on imported records (default today)."


@import_group.command("cpsc")
@click.argument("file", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help=_URL_HELP + " e.g. https://www.saferproducts.gov/RestWebServices/"
              "Recall?ProductName=power%20bank (format=json is added).")
@click.option("--checked", help=_CHECKED_HELP)
def import_cpsc_command(file: Path | None, url: str | None, checked: str | None):
    """Merge power bank recalls from a CPSC Recalls API JSON file into data/recalls.json."""
    from compliance.data.importers import cpsc

    _run_recall_import(cpsc, file, url, checked)


@import_group.command("healthcanada")
@click.argument("file", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help=_URL_HELP + " A detail URL (.../api/66370/en) or a search URL "
              "(.../api/search?search=power%20bank&lang=en&cat=4), whose power bank items' "
              "details are fetched.")
@click.option("--checked", help=_CHECKED_HELP)
def import_healthcanada_command(file: Path | None, url: str | None, checked: str | None):
    """Merge power bank recalls from Health Canada recall details (JSON) into
    data/recalls.json."""
    from compliance.data.importers import healthcanada

    _run_recall_import(healthcanada, file, url, checked)


@data_cli.command("report")
@click.option("--sources", "list_sources", is_flag=True,
              help="List every record (recalls, rules, models) whose primary source is not "
              "the issuer's own page, and the share of official sources per kind.")
def report_command(list_sources: bool):
    """Every source: how many records, verified vs partial, oldest and newest check date."""
    from compliance.data.report import (
        format_report,
        format_sources_report,
        raw_records,
        summarize,
    )

    get_dataset()
    records = raw_records(current_app.extensions["dataset"].path)
    if list_sources:
        click.echo(format_sources_report(records))
    else:
        click.echo(format_report(summarize(records)))


@data_cli.command("diff")
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--checks", "checks_file", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), required=True,
              help="Sample checks to compare, such as tests/golden/checks.json in a checkout.")
def diff_command(old: Path, new: Path, checks_file: Path):
    """What a rebuild changes between two databases (or data directories): new, removed and
    changed recalls and rules, and the sample checks whose verdict flips.

    The sample checks are a required file: runtime code never reads tests/, which the
    container image leaves out."""
    from compliance.data.diff import diff_data, format_diff, load_checks

    try:
        result = diff_data(old, new, load_checks(checks_file))
    except DataError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException("a data directory is invalid") from None
    click.echo(format_diff(result))


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
    app.cli.add_command(check_command)
