"""Which language a reader gets: ``lang=`` (the visible switch puts it in every link, so no
cookie is needed), then the browser's Accept-Language, then English.

Below both :mod:`compliance.web.i18n` (which asks it for the reader's catalog) and
:mod:`compliance.web.i18n_setup` (which wires Flask-Babel to it), so neither imports the other back.
"""

import re
from functools import lru_cache

from flask import has_request_context, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

#: Language code -> its own name, as shown on the switch.
LANGUAGES = {"en": "English", "zh": "简体中文", "ko": "한국어", "ja": "日本語"}
#: The HTML ``lang`` value (BCP 47) where it differs from the code.
HTML_LANG = {"zh": "zh-Hans"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_CODES = list(LANGUAGES)


def canonical_language(value: str | None) -> str | None:
    """A supported language code from what people pass as ``lang=``: ``zh``, ``zh-CN``,
    ``zh_Hans_CN``, ``KO`` all name one of ours; anything else is None."""
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return primary if primary in LANGUAGES else None


def chosen_language() -> str | None:
    """The language the reader picked explicitly with ``lang=``, if any."""
    if not has_request_context():
        return None
    return _languages()[0]


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return _languages()[1]


def _languages() -> tuple[str | None, str]:
    """(chosen language, selected language) of this request, worked out once per request: a
    page asks some ten times (links, the switch, the catalog, ``<html lang>``)."""
    current = request._get_current_object()
    known = getattr(current, "_compliance_languages", None)
    if known is None or known[0] is not current.args:
        chosen = canonical_language(current.args.get("lang"))
        selected = chosen or _browser_language(current.headers.get("Accept-Language"))
        known = current._compliance_languages = (current.args, chosen, selected)
    return known[1], known[2]


@lru_cache(maxsize=1024)
def _browser_language(header: str | None) -> str:
    """Our language for an Accept-Language header, as ``request.accept_languages.best_match``
    gives it (parsed once per distinct header: browsers send a handful of them)."""
    accepted = parse_accept_header(header, LanguageAccept)
    return accepted.best_match(LANGUAGE_CODES) or DEFAULT_LANGUAGE
