"""How model numbers, serial codes and product names are compared, whatever way people type them.

Look-alike letters are folded first: a Cyrillic "А1647" or a Greek "ΑΙ263" is compared as the
Latin letters it imitates, using the Unicode confusables table (TR39) that the
``confusable_homoglyphs`` package ships. Only characters that imitate one ASCII letter or digit
are folded; ASCII itself is never changed ("O" and "0" stay different), so a real model number
is never turned into another one.
"""

import json
import re
import unicodedata
from collections.abc import Collection
from importlib.resources import files

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")

#: Bidirectional controls reorder what is displayed ("\u202e7461A" shows as "A1647"): input
#: that contains them is refused rather than compared (see compliance.core.params).
BIDI_CONTROLS = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _lookalike_table() -> dict[int, str]:
    """Every non-ASCII character that TR39 lists as confusable with exactly one ASCII letter or
    digit (after NFKC), mapped to that character."""
    table = json.loads(files("confusable_homoglyphs").joinpath("confusables.json").read_text())
    mapping = {}
    for char, entries in table.items():
        if len(char) != 1 or char.isascii():
            continue
        targets = {e["c"] for e in entries if len(e["c"]) == 1 and e["c"].isascii()
                   and e["c"].isalnum()}
        if len(targets) == 1:
            mapping[ord(char)] = targets.pop()
    return mapping


_LOOKALIKES = _lookalike_table()


def lookalike_pairs() -> dict:
    """The look-alike table as two strings of equal length, for the browser's copy of
    :func:`fold` (static/identify.js)."""
    return {"from": "".join(chr(code) for code in _LOOKALIKES),
            "to": "".join(_LOOKALIKES.values())}


def unconfuse(text: str) -> str:
    """NFKC (full-width to ASCII), then look-alike letters to the ASCII letters they imitate.
    ASCII text is already both (the table maps no ASCII character), and is most of what is
    typed: it is returned as it is, without the two passes."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_LOOKALIKES)


def fold(text: str) -> str:
    """Look-alikes folded, upper-case, and only ASCII letters and digits kept."""
    return _NOT_ALNUM.sub("", unconfuse(text).upper())


def brand_keys(sources: dict) -> tuple[str, ...]:
    """Folded brand names long enough to strip safely from the front of a typed model,
    longest first (so "ANKERJAPAN" is tried before "ANKER")."""
    names = [r["brand"] for r in sources["recalls"]] + [m["brand"] for m in sources["models"]]
    keys = set()
    for name in names:
        for part in re.split(r"[/()]", name):
            key = fold(part)
            if len(key) >= 3:
                keys.add(key)
    return tuple(sorted(keys, key=lambda key: (-len(key), key)))


#: What separates the words of a typed model ("Anker A1263", "CIO-MB20W2C").
_SEPARATOR = re.compile(r"[^0-9A-Za-z]+")


def normalize_model(text: str | None, brands: Collection[str] = ()) -> str:
    """The comparable form of a model number.

    Case, spaces, hyphens, dots, full-width and look-alike characters and a leading brand name
    ("Anker A1263") do not matter; everything else does, so "A12630" never equals "A1263".
    ``brands`` holds folded brand names (as :func:`brand_keys` gives them). A
    brand is stripped only as whole leading words with something left after them, so a model
    number that starts with a brand's letters ("Shargeek 170" of Sharge) or equals a brand name
    is kept.
    """
    if not text:
        return ""
    folded = fold(text)
    words = [w for w in _SEPARATOR.split(unconfuse(text).upper()) if w]
    prefix, strip = "", 0
    for word in words[:-1]:
        prefix += word
        if prefix in brands:
            strip = len(prefix)
    return folded[strip:]


def normalize_serial(text: str | None) -> str:
    """Serial and batch codes compare upper-cased with only letters and digits."""
    return fold(text) if text else ""


#: A number written with thousands separators ("10,000", "10.000", "10 000") inside a name.
_GROUPED_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:[,. ]\d{3})+(?![\d])")
#: Han, kana and Hangul: scripts written without spaces between words.
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
#: Runs of Latin letters and digits, and runs of CJK characters.
_WORD = re.compile(f"[0-9a-z]+|[{CJK_CHARS}]+")
_NUMBER_THEN_UNIT = re.compile(r"^(\d+)([a-z]+)$")


def name_words(text: str | None) -> list[str]:
    """The words of a product description, as compared by identification.

    Folded like model numbers (look-alikes, full-width, case), thousands separators dropped
    ("10,000mAh" is "10000" "mah"), a number glued to a unit split from it. CJK runs are kept
    whole; identification looks for known CJK names inside them.
    """
    if not text:
        return []
    plain = unconfuse(text).casefold()
    plain = _GROUPED_NUMBER.sub(lambda m: re.sub(r"[,. ]", "", m.group()), plain)
    words = []
    for word in _WORD.findall(plain):
        split = _NUMBER_THEN_UNIT.match(word) if word[0].isdigit() else None
        if split and split.group(2) in _UNITS:
            words.extend(split.groups())
        else:
            words.append(word)
    return words


#: Units that people glue to a number ("20000mAh", "74Wh"); split off so the number is a word.
_UNITS = frozenset({"mah", "wh", "w", "v", "ah"})
