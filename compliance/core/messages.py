"""The sentences of the decision, in English, translated through a hook.

The engine, the input parser and the result layer write what they say with ``_`` and
``ngettext`` from here, so they stay plain Python: from the CLI or a test they give the English
text; inside the app, :mod:`compliance.web.i18n` installs the reader's catalog with
:func:`use_catalog` and the same calls give the reader's language. Nothing here imports Flask.
"""

from babel.support import NullTranslations

#: The messages are written in English: an English reader needs no catalog at all.
SOURCE_LANGUAGE = NullTranslations()

_catalog = lambda: SOURCE_LANGUAGE  # noqa: E731 - replaced by use_catalog()


def use_catalog(provider) -> None:
    """Translate through ``provider()``, a Babel translations object for the current reader
    (the web layer's per-request catalog)."""
    global _catalog
    _catalog = provider


def _(message: str, **params) -> str:
    text = _catalog().ugettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params) -> str:
    """The singular or plural form for ``n`` in the reader's language (Babel's plural rules:
    one form in Chinese, Korean and Japanese, two in English)."""
    params.setdefault("n", n)
    return _catalog().ungettext(singular, plural, n) % params


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here: for message templates kept in
    tables (e.g. condition texts) that are translated with ``_`` where they are used."""
    return message
