"""The sentences of the decision, as message ids with parameters, translated where they are shown.

The engine, the input parser and the result layer write what they say with ``_`` and
``ngettext`` from here. These return a :class:`Message` (the English message id and its
parameters), not text: the answer for a claim and a data version is the same whatever the
request, and the layer that shows it (a page, the API's JSON, the CLI) turns it into text with
``str()``, in the reader's language. :mod:`compliance.web.i18n` installs the reader's catalog with
:func:`use_catalog`; from the CLI or a test, without one, the text is English. Nothing here
imports Flask.
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


class _Said:
    """What :class:`Message` and :class:`Joined` share: compared by what they say, shown with
    ``str()``, put one after the other with ``+``."""

    __slots__ = ()

    def _key(self) -> tuple:
        raise NotImplementedError

    def __eq__(self, other) -> bool:
        if isinstance(other, type(self)):
            return self._key() == other._key()
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __contains__(self, text: str) -> bool:
        return text in str(self)

    def __add__(self, other) -> "Joined":
        return Joined((self, other))

    def __radd__(self, other) -> "Joined":
        return Joined((other, self))


class Message(_Said):
    """A sentence to say: its English message id (with a plural form and count for
    ``ngettext``) and parameters, which may be messages too. ``str()`` gives it in the language
    of the catalog in use at that moment.

    Two messages are equal when they say the same thing (same ids, same parameters), in
    whatever language they will be read; a message equals a plain string when its text in the
    current language is that string (what tests and the CLI compare)."""

    __slots__ = ("msgid", "plural", "n", "params")

    def __init__(self, msgid: str, params: dict | None = None, plural: str | None = None,
                 n: int | None = None):
        self.msgid, self.plural, self.n = msgid, plural, n
        self.params = params or {}

    def __str__(self) -> str:
        catalog = _catalog()
        if self.plural is None:
            text = catalog.ugettext(self.msgid)
        else:
            text = catalog.ungettext(self.msgid, self.plural, self.n)
        if not self.params:
            return text
        return text % {key: str(value) if isinstance(value, _Said) else value
                       for key, value in self.params.items()}

    def _key(self) -> tuple:
        return (self.msgid, self.plural, self.n, tuple(sorted(self.params.items())))

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {self.params!r})"


class Joined(_Said):
    """Sentences said one after the other (``message + " " + message``), translated each."""

    __slots__ = ("parts",)

    def __init__(self, parts):
        flat = []
        for part in parts:
            flat.extend(part.parts if isinstance(part, Joined) else (part,))
        self.parts = tuple(flat)

    def __str__(self) -> str:
        return "".join(str(part) for part in self.parts)

    def _key(self) -> tuple:
        return self.parts

    def __repr__(self) -> str:
        return f"Joined({self.parts!r})"


def _(message: str, **params) -> Message:
    return Message(message, params)


def ngettext(singular: str, plural: str, n: int, **params) -> Message:
    """The singular or plural form for ``n`` in the reader's language (Babel's plural rules:
    one form in Chinese, Korean and Japanese, two in English)."""
    params.setdefault("n", n)
    return Message(singular, params, plural, n)


def join(separator: str, parts) -> "Joined":
    """``separator.join(parts)`` for messages: each part is translated when the whole is shown."""
    joined = []
    for index, part in enumerate(parts):
        if index:
            joined.append(separator)
        joined.append(part)
    return Joined(joined)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here: for message templates kept in
    tables (e.g. condition texts) that are translated with ``_`` where they are used."""
    return message
