"""How model numbers and serial codes are compared, whatever way people type them."""

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def fold(text: str) -> str:
    """Upper-case, full-width to ASCII (NFKC), and only letters and digits kept."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).upper())


def normalize_model(text: str | None, brands: tuple[str, ...] = ()) -> str:
    """The comparable form of a model number.

    Case, spaces, hyphens, dots, full-width characters and a leading brand name ("Anker A1263")
    do not matter; everything else does, so "A12630" never equals "A1263". ``brands`` holds
    folded brand names; a brand is only stripped when something is left after it, so a model
    number that happens to equal a brand name is kept. ``brands`` must be ordered longest
    first (as :func:`compliance.build.brand_keys` gives them).
    """
    if not text:
        return ""
    folded = fold(text)
    for brand in brands:
        if folded.startswith(brand) and len(folded) > len(brand):
            return folded[len(brand):]
    return folded


def normalize_serial(text: str | None) -> str:
    """Serial and batch codes compare upper-cased with only letters and digits."""
    return fold(text) if text else ""
