"""The reader's language for every message: the core's (through the hook of
:mod:`compliance.core.messages`, installed here) and the templates' (compiled per language).

The engine marks its sentences with ``_`` from :mod:`compliance.core.messages`, so that pages show
them in the reader's language while the engine itself stays plain Python, usable from the CLI
and tests without Flask.
"""

import re
from collections import ChainMap

from flask import g, has_app_context
from flask.templating import Environment as FlaskEnvironment
from flask_babel import get_translations
from jinja2 import pass_eval_context
from jinja2.ext import Extension
from markupsafe import Markup

# The core's translation functions, which the web layer uses too (re-exported here).
from compliance.core.messages import N_, SOURCE_LANGUAGE, _, ngettext, use_catalog  # noqa: F401

from .languages import DEFAULT_LANGUAGE, select_locale


def catalog():
    """The reader's message catalog, looked up once per request.

    English readers get the messages as written, without asking Flask-Babel (most API calls
    and every page in English, so this is the common case).

    Flask-Babel resolves the domain, the locale and its catalog cache on every call (about
    12 µs, and a result page makes some 70 calls). The catalog is kept in Flask-Babel's own
    per-request state, tied to the locale object it was made for, so ``force_locale`` and
    ``refresh`` (which replace or drop that object) still take effect at once.
    """
    # The request's g itself, not through its proxy: this runs for every message.
    store = g._get_current_object()
    english = getattr(store, "reader_reads_source_language", None)
    if english is None:
        english = store.reader_reads_source_language = select_locale() == DEFAULT_LANGUAGE
    if english:
        return SOURCE_LANGUAGE
    state = getattr(store, "_flask_babel", None)
    memo = getattr(state, "compliance_catalog", None)
    if memo is not None and memo[0] is getattr(state, "babel_locale", None):
        return memo[1]
    translations = get_translations()
    state = store._flask_babel
    locale = getattr(state, "babel_locale", None)
    if locale is not None:
        state.compliance_catalog = (locale, translations)
    return translations


def _reader_catalog():
    """The catalog the core's messages use: the reader's inside a request, else English."""
    return catalog() if has_app_context() else SOURCE_LANGUAGE


use_catalog(_reader_catalog)


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


# --- Translations inlined into the templates, one compiled copy per language ------------------


class LanguageEnvironment(FlaskEnvironment):
    """Flask's template environment, with the constant messages compiled in per language.

    Why: a result page prints some 60 messages that are plain literals (``{{ _("Result") }}``);
    each costs a template call, a catalog look-up, a Markup and a format at every render, about a
    third of the page. Their translation depends only on the reader's catalog, so each catalog
    gets its own overlay of this environment (same loader, globals and filters, its own cache
    of compiled templates) whose templates have those literals replaced by the translated text
    before compiling (:class:`InlineTranslations`). Messages with variables, or any text that
    could change meaning once inlined, stay calls, so the page is byte for byte the same
    (``tests/test_render.py`` compares every page in every language with and without).

    ``inline_translations = False`` on the app's environment turns it off.
    """

    inline_translations = True
    #: The catalog an overlay was made for; None on the app's own environment.
    language_catalog = None

    def get_template(self, name, parent=None, globals=None):
        if self.language_catalog is None and self.inline_translations and has_app_context():
            return self.for_catalog(catalog()).get_template(name, parent, globals)
        return super().get_template(name, parent, globals)

    def make_globals(self, d=None):
        """Jinja's ChainMap of a template's globals over the environment's, whose ``keys()`` is
        a plain set: every ``{% from ... import %}`` subtracts it from the render's global names
        (``Template._get_default_module``), which through ChainMap's generic view was a
        membership test in Python per name, twice per result page."""
        return _Globals({} if d is None else d, self.globals)

    def for_catalog(self, translations) -> "LanguageEnvironment":
        overlays = self.__dict__.setdefault("_language_overlays", {})
        overlay = overlays.get(translations)
        if overlay is None:
            overlay = self.overlay(extensions=[InlineTranslations], cache_size=400)
            overlay.language_catalog = translations
            overlay.__dict__.pop("_language_overlays", None)
            overlays[translations] = overlay
        return overlay


class _Globals(ChainMap):
    def keys(self):
        return set().union(*self.maps)


#: ``{{ _("literal") }}`` exactly, the literal without escapes, braces or percent signs.
_LITERAL_MESSAGE = re.compile(r"""\{\{ _\((?:"([^"\\{}%]*)"|'([^'\\{}%]*)')\) \}\}""")
#: Text that would not read back as itself inside a template, or that Jinja's whitespace
#: control next to it could trim: such translations stay calls.
_UNSAFE_INLINE = re.compile(r"[{}%#]|^\s|\s$")


class InlineTranslations(Extension):
    """Replace each ``{{ _("literal") }}`` by its translation in the overlay's catalog, before
    the template is compiled. What it replaces prints exactly that text at render time: the
    call returns the translation as Markup (under autoescape, so printed as is) formatted with
    no variables, which for text without ``%`` is the text itself."""

    def preprocess(self, source, name, filename=None):
        translations = self.environment.language_catalog
        if translations is None:
            return source

        def inline(match):
            message = match.group(1) if match.group(1) is not None else match.group(2)
            text = translations.ugettext(message)
            return match.group(0) if _UNSAFE_INLINE.search(text) else text

        return _LITERAL_MESSAGE.sub(inline, source)
