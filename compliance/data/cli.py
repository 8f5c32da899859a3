"""``flask data ...``: every data operation (build, import, report, diff), next to the data."""

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from compliance.core.normalize import brand_keys

from .build import DataError, build_database, load_sources
from .db import get_dataset
from .importers import cpsc, healthcanada, read_json_file
from .importers.merge import import_recalls
from .importers.openflights import write_airlines_csv

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
    except DataError as error:  # an ImportProblem too
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


#: The recall importers, by the name ``flask data import <name>`` takes: each module has
#: ``AGENCY``, ``URL_HELP``, ``fetch(url)`` and ``parse(document, checked, known_brands)``.
RECALL_IMPORTERS = {"cpsc": cpsc, "healthcanada": healthcanada}


def _recall_import_command(name: str, importer) -> click.Command:
    """``flask data import <name> [FILE] [--url URL] [--checked DATE]`` for one importer."""

    @click.argument("file", required=False,
                    type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--url", help="Fetch from the live API instead of FILE (needs network). "
                  + importer.URL_HELP)
    @click.option("--checked", help="Date recorded as 'checked' on imported records "
                  "(default today).")
    def command(file: Path | None, url: str | None, checked: str | None):
        _run_recall_import(importer, file, url, checked)

    command.__doc__ = (f"Merge power bank recalls from {importer.AGENCY} ({importer.FORMAT}) "
                       "into data/recalls.json.")
    return import_group.command(name)(command)


for _name, _importer in RECALL_IMPORTERS.items():
    _recall_import_command(_name, _importer)


@data_cli.command("report")
@click.option("--sources", "list_sources", is_flag=True,
              help="List every record (recalls, rules, models) whose primary source is not "
              "the issuer's own page, and the share of official sources per kind.")
def report_command(list_sources: bool):
    """Every source: how many records, verified vs partial, oldest and newest check date."""
    from .report import (
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
    from .diff import diff_data, format_diff, load_checks

    try:
        result = diff_data(old, new, load_checks(checks_file))
    except DataError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException("a data directory is invalid") from None
    click.echo(format_diff(result))
