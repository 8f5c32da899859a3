"""Text heuristics shared by the importers: power bank or not, model numbers, affected units.

Agencies publish model numbers and the affected units mostly in prose ("model numbers PPCXM06
and PPCXW06", "only units with serial numbers beginning 57V"). These functions read that prose
conservatively: a token only counts as a model number when a model keyword introduces it and it
looks like one (letters and digits with at least one digit), and a recall is only narrowed to
some units when a sentence both names a code (serial, lot, batch, date code) and restricts by it.
"""

import html
import re
from html.parser import HTMLParser

from compliance.core.vocabulary import RecallScope

#: Words that make a product a power bank (portable charger) in the sense of the carriage rules.
POWER_BANK_TERMS = re.compile(
    r"\b(power[\s-]?banks?|portable (?:phone |battery |power )?chargers?|portable batter(?:y|ies)"
    r"(?: packs?| chargers?)?|external batter(?:y|ies)|battery banks?|(?:magnetic|wireless|"
    r"portable|phone|mobile) battery packs?|mobile power (?:banks?|supply|supplies)|"
    r"charging banks?)|充电宝|移动电源|モバイルバッテリー|보조배터리",
    re.IGNORECASE,
)

#: Products that also charge phones but are not carried as power banks (power stations, jump
#: starters, vehicle and tool batteries): left out even when a power bank term appears.
NOT_POWER_BANK_TERMS = re.compile(
    r"\b(power stations?|solar generators?|portable generators?|jump[\s-]?starters?|"
    r"e-?bikes?|scooters?|hoverboards?|lawn ?mowers?|tool batter(?:y|ies)|"
    r"vehicle batter(?:y|ies)|car batter(?:y|ies)|vapes?|e-cigarettes?)\b",
    re.IGNORECASE,
)


def is_power_bank(title: str, names: list[str], first_sentence: str) -> bool:
    """A power bank recall: a power bank term (or a charger with an mAh capacity) in the
    title, a product name or the opening sentence, and nothing in the title or product names
    that makes it a power station, jump starter or vehicle battery."""
    headline = " ".join([title or "", *(n or "" for n in names)])
    if NOT_POWER_BANK_TERMS.search(headline):
        return False
    return any(POWER_BANK_TERMS.search(text) or _CHARGER_WITH_CAPACITY.search(text)
               for text in (headline, first_sentence or ""))


#: "5000mAh portable MagSafe wireless phone charger": a charger with a battery capacity.
_CHARGER_WITH_CAPACITY = re.compile(
    r"\d[\d,.]*\s?mAh\b.{0,60}\bcharger|\bcharger\b.{0,60}\d[\d,.]*\s?mAh\b", re.IGNORECASE)


_MODEL_KEYWORD = re.compile(
    r"\b(?:model|item|style|part|sku|article|catalog(?:ue)?)(?:\s+(?:numbers?|nos?\.?|#|codes?))?"
    r"s?\s*(?:\(s\))?\s*(?:is|are|:|#)?\s*",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and|or|&)?|;|/|\band\b|\bor\b|&)\s*", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-.]*[A-Za-z0-9]|[A-Za-z0-9]")
_UNITS_AFTER = re.compile(r"\s*(?:mah|wh|w|v|mm|cm|in|inch|inches|%)\b", re.IGNORECASE)


def looks_like_model(token: str) -> bool:
    """Letters and digits, 3 to 40 characters, at least one digit; all-digit numbers only
    from 5 digits (Nexxtech 8047795), so "10,000" and years do not pass."""
    if not 3 <= len(token) <= 40 or not re.search(r"\d", token):
        return False
    if token.isdigit():
        return len(token) >= 5 and not re.fullmatch(r"(19|20)\d\d", token)
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9\-.]*", token))


def models_in_text(text: str) -> list[str]:
    """Model numbers introduced by "model", "model number(s)", "item number", "Model No.",
    in the order they appear, without duplicates."""
    found: list[str] = []
    for keyword in _MODEL_KEYWORD.finditer(text or ""):
        position = keyword.end()
        while True:
            token = _TOKEN.match(text, position)
            if not token:
                break
            value = token.group().rstrip(".")
            if _UNITS_AFTER.match(text, token.end()) or not looks_like_model(value):
                break
            if value not in found:
                found.append(value)
            separator = _SEPARATOR.match(text, token.end())
            if not separator or separator.end() == token.end():
                break
            position = separator.end()
    return found


def split_model_field(value: str) -> list[str]:
    """A structured model field may hold several: "A1642, A1647 and A1652"."""
    parts = _SEPARATOR.split(value or "")
    return [p.strip().rstrip(".") for p in parts if p and looks_like_model(p.strip().rstrip("."))]


_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?](?!\d)|$)")
_CODE_WORDS = [
    (RecallScope.SERIAL, re.compile(r"\bserial(?:\s+numbers?|\s+nos?\.?)?\b|\bSN\b", re.I)),
    (RecallScope.BATCH, re.compile(r"\b(?:lot|batch)(?:es)?(?:\s+(?:numbers?|codes?))?\b", re.I)),
    (RecallScope.DATE_CODE, re.compile(
        r"\b(?:date codes?|manufactur(?:e|ed|ing) dates?|production dates?|"
        r"manufactured (?:between|from|in|before|after)|produced (?:between|from))\b", re.I)),
]
_RESTRICTS = re.compile(
    r"\b(only|begin\w*|start\w*|end\w*|between|through|range|ranges|listed|include[sd]?|"
    r"included|affected|qualifying|following|with|from|prior to|before|after)\b",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text or "") if s.strip()]


def unit_scope(text: str) -> tuple[RecallScope, str | None]:
    """``model`` unless a sentence restricts the recall by serial, lot/batch or date code;
    then that scope and the sentences that say so, quoted."""
    found: dict[RecallScope, list[str]] = {}
    for sentence in sentences(text):
        for scope, words in _CODE_WORDS:
            if words.search(sentence) and _RESTRICTS.search(sentence):
                found.setdefault(scope, []).append(sentence)
                break
    for scope in (RecallScope.SERIAL, RecallScope.BATCH, RecallScope.DATE_CODE):
        if scope in found:
            quoted = " ".join(dict.fromkeys(s for v in found.values() for s in v))
            return scope, clip(quoted)
    return RecallScope.MODEL, None


def clip(text: str | None, limit: int = 4000) -> str | None:
    """Collapse white space; cut at ``limit`` characters (the schema's text limit) with '…'."""
    if text is None:
        return None
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def first_sentence(text: str) -> str:
    found = sentences(text)
    return found[0] if found else ""


def first_url(text: str) -> str | None:
    """The first web address in a contact sentence ("online at www.anker.com/product-recalls")."""
    match = re.search(r"(https?://|www\.)[^\s<>\"')]+", text or "", re.IGNORECASE)
    if not match:
        return None
    url = match.group().rstrip(".,;:")
    return url if url.lower().startswith("http") else "https://" + url


class _HtmlText(HTMLParser):
    """Text of an HTML fragment, with its tables kept as rows of cells."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
              "table", "section"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(clip(" ".join(self._cell)) or "")
            self._cell = None
            self.parts.append(" | ")
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1].append(self._row)
            self._row = None
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)
        if self._cell is not None:
            self._cell.append(data)


def html_text(fragment: str) -> tuple[str, list[list[list[str]]]]:
    """Plain text (one block per line) and the tables (rows of cell texts) of an HTML fragment."""
    parser = _HtmlText()
    parser.feed(fragment or "")
    parser.close()
    text = html.unescape("".join(parser.parts))
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip(" |") for line in text.splitlines()]
    return "\n".join(line for line in lines if line), parser.tables


def _column_values(tables: list[list[list[str]]], header: str, values_in) -> list[str]:
    """Distinct values from the column whose header cell matches ``header`` in each table (the
    header row is the first row with such a cell); ``values_in(cell)`` lists a cell's values."""
    found: list[str] = []
    for table in tables:
        column = None
        for row in table:
            if column is None:
                column = next((index for index, cell in enumerate(row)
                               if re.search(header, cell, re.IGNORECASE)), None)
                continue
            if column < len(row):
                for value in values_in(row[column]):
                    if value not in found:
                        found.append(value)
    return found


def models_in_tables(tables: list[list[list[str]]]) -> list[str]:
    """Model numbers from the column headed "Model" (or "Model number", "Item #")."""
    return _column_values(tables, r"\b(model|item|article)\b", split_model_field)


def upcs_in_tables(tables: list[list[list[str]]]) -> list[str]:
    return _column_values(tables, r"\b(UPC|EAN|GTIN|barcode)\b",
                          lambda cell: re.findall(r"\b\d{8,14}\b", cell))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")
