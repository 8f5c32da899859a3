"""Flask-Babel wiring and the message catalogs (which language a reader gets is
:mod:`compliance.web.languages`).

Only the ``.po`` sources live in ``translations/``; they are compiled to ``.mo`` when the app
starts (into the instance folder, only when a source changed), so a fresh clone works without a
separate build step. ``flask --app app translate extract|update|compile`` maintains them.
"""

import hashlib
import os
import tempfile
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.cli import AppGroup
from flask_babel import Babel

from compliance.config import ROOT, compiled_translations_dir

from . import i18n
from .languages import (  # noqa: F401  (re-exported: the names pages and tests use)
    DEFAULT_LANGUAGE,
    HTML_LANG,
    LANGUAGE_CODES,
    LANGUAGES,
    canonical_language,
    chosen_language,
    select_locale,
)

SOURCE_DIR = ROOT / "translations"
POT_FILE = SOURCE_DIR / "messages.pot"
BABEL_CFG = ROOT / "babel.cfg"
DOMAIN = "messages"
#: Keywords marking messages in Python and templates (``N_`` marks without translating).
KEYWORDS = ("_", "N_", "gettext", "ngettext:1,2", "lazy_gettext")


def compile_catalogs(source_dir: Path, target_dir: Path) -> list[str]:
    """Compile every ``<lang>/LC_MESSAGES/messages.po`` under ``source_dir`` whose compiled
    copy under ``target_dir`` is missing or was made from other text. Returns the languages
    compiled. Each ``.mo`` is written to a temporary file and renamed, so concurrent app starts
    never read half a catalog."""
    compiled = []
    for po_path in sorted(source_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        language = po_path.parent.parent.name
        source = po_path.read_bytes()
        digest = hashlib.sha256(source).hexdigest()
        out_dir = target_dir / language / "LC_MESSAGES"
        mo_path, stamp_path = out_dir / f"{DOMAIN}.mo", out_dir / f"{DOMAIN}.sha256"
        if mo_path.exists() and stamp_path.exists() and stamp_path.read_text() == digest:
            continue
        out_dir.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=DOMAIN)
        for path, text in ((mo_path, None), (stamp_path, digest)):
            fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                if text is None:
                    write_mo(out, catalog)
                else:
                    out.write(text.encode())
            os.replace(tmp, path)
        compiled.append(language)
    return compiled


def compiled_dir(app) -> Path:
    return compiled_translations_dir(app)


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *args])


def extract(pot_file: Path = POT_FILE) -> None:
    """Collect every marked message of the Python code and the templates into ``pot_file``."""
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    _pybabel("extract", "-F", str(BABEL_CFG), "--no-default-keywords", *keywords,
             "--no-location", "--sort-output", "--project", "powerbank-flight-check",
             "-o", str(pot_file), str(ROOT))


@click.group("translate", cls=AppGroup, help="Maintain the message catalogs in translations/.")
def translate_cli():
    pass


@translate_cli.command("extract", help="Write translations/messages.pot from code and templates.")
def extract_command():
    extract()
    click.echo(f"wrote {POT_FILE.relative_to(ROOT)}")


@translate_cli.command("update", help="Extract, then merge new messages into every language.")
def update_command():
    extract()
    _pybabel("update", "-i", str(POT_FILE), "-d", str(SOURCE_DIR), "--no-fuzzy-matching",
             "--ignore-obsolete", "--no-wrap")
    for language in LANGUAGES:
        po_path = SOURCE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po_path.exists():
            with po_path.open("rb") as handle:
                catalog = read_po(handle)
            todo = sum(1 for m in catalog if m.id and (not m.string or m.fuzzy))
            click.echo(f"{language}: {todo} messages to translate")


@translate_cli.command("init", help="Start the catalog of a new language, e.g. 'init fr'.")
@click.argument("language")
def init_command(language):
    _pybabel("init", "-i", str(POT_FILE), "-d", str(SOURCE_DIR), "-l", language, "--no-wrap")


@translate_cli.command("compile", help="Compile changed catalogs (the app also does at start).")
def compile_command():
    from flask import current_app

    done = compile_catalogs(SOURCE_DIR, compiled_dir(current_app))
    click.echo(f"compiled: {', '.join(done) or 'nothing changed'}")


def init_app(app) -> None:
    target = compiled_dir(app)
    compile_catalogs(SOURCE_DIR, target)
    if "jinja_env" not in app.__dict__:  # not yet made: make it the per-language kind
        app.jinja_environment = i18n.LanguageEnvironment
    Babel(app, locale_selector=select_locale)
    i18n.install_in_templates(app)
    app.cli.add_command(translate_cli)
    app.jinja_env.globals.update(
        html_lang=lambda: HTML_LANG.get(select_locale(), select_locale()),
        chosen_language=chosen_language,
    )
