"""Message translation that works inside and outside a request.

The engine marks its sentences with ``_`` so that pages can show them in the reader's language,
while the engine itself stays a plain function usable from the CLI and tests.
"""

from babel.support import NullTranslations

from flask import g, has_app_context
from flask_babel import get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup


#: The messages are written in English: an English reader needs no catalog at all.
_SOURCE_LANGUAGE = NullTranslations()


def catalog():
    """The reader's message catalog, looked up once per request.

    English readers get the messages as written, without asking Flask-Babel (most API calls
    and every page in English, so this is the common case).

    Flask-Babel resolves the domain, the locale and its catalog cache on every call (about
    12 µs, and a result page makes some 70 calls). The catalog is kept in Flask-Babel's own
    per-request state, tied to the locale object it was made for, so ``force_locale`` and
    ``refresh`` (which replace or drop that object) still take effect at once.
    """
    english = g.get("reader_reads_source_language")
    if english is None:
        from .i18n_setup import DEFAULT_LANGUAGE, select_locale

        english = g.reader_reads_source_language = select_locale() == DEFAULT_LANGUAGE
    if english:
        return _SOURCE_LANGUAGE
    state = g.get("_flask_babel")
    memo = getattr(state, "compliance_catalog", None)
    if memo is not None and memo[0] is getattr(state, "babel_locale", None):
        return memo[1]
    translations = get_translations()
    state = g._flask_babel
    locale = getattr(state, "babel_locale", None)
    if locale is not None:
        state.compliance_catalog = (locale, translations)
    return translations


def _(message: str, **params) -> str:
    if has_app_context():
        text = catalog().ugettext(message)
        return text % params if params else text
    return message % params if params else message


def ngettext(singular: str, plural: str, n: int, **params) -> str:
    """The singular or plural form for ``n`` in the reader's language (Babel's plural rules:
    one form in Chinese, Korean and Japanese, two in English)."""
    params.setdefault("n", n)
    if has_app_context():
        text = catalog().ungettext(singular, plural, n)
    else:
        text = singular if n == 1 else plural
    return text % params


def install_in_templates(app) -> None:
    """Make the templates' ``_`` use :func:`catalog` too (after Flask-Babel's own setup)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalog().ugettext(s),
        ngettext=lambda s, p, n: catalog().ungettext(s, p, n),
        pgettext=lambda c, s: catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalog().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext)


@pass_eval_context
def _template_gettext(eval_context, message: str, **variables) -> str:
    """Jinja's new-style ``gettext``, with the same result, in one template call.

    Why: Jinja's own ``_`` calls ``gettext``, which calls the installed function, each through
    the template context (three dispatches per string); a result page has some 45 strings, and
    those dispatches were a quarter of its rendering time. As in Jinja, the translation is
    marked safe only under autoescape and is always a format string (``%%`` for a percent
    sign), so translators' text is treated exactly as before.
    """
    text = catalog().ugettext(message)
    if eval_context.autoescape:
        text = Markup(text)
    return text % variables


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here: for message templates kept in
    tables (e.g. condition texts) that are translated with ``_`` where they are used."""
    return message
