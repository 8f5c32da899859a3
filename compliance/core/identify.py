"""Identification: from what a traveller typed as the model (and brand) to the model we check.

This runs before every decision (pages, API, widget, CLI, tokens and the staff view all go
through :func:`compliance.core.engine.evaluate`, which calls :func:`identify`). People type names,
not codes: "Anker PowerCore 10000", "罗马仕 充电宝 PAC20-272", a Cyrillic "А1647". So, in order:

1. **A model number, whole or inside the text**: the input, or one to three adjacent words of
   it, equal (after :func:`~compliance.core.normalize.normalize_model`) to a model number of a
   recall, an alias a recall notice uses for it, or a catalogue model. Look-alike letters are
   folded.
2. **A recalled product by name**: the words of the description cover a recalled product's
   name (brand, product line, capacity; any order or case; brand names in other scripts from
   ``data/aliases.json``), or name its brand and share a product word with it. That is a
   *possible match*: the answer asks for the model number and never says ``allowed``.
3. **A catalogue model by name**, for the capacity: the most specific catalogue name that the
   description covers, when exactly one is.

Only whole words are compared; searching while typing (``/api/v1/models``) uses the full-text
index instead. The matching tables are derived once per dataset by :func:`name_tables`.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .normalize import CJK_CHARS, fold, name_words, normalize_model, unconfuse
from .vocabulary import RecallKind, RecallScope, RecallStatus

#: Adjacent words joined when looking for a model number inside text ("PB 2030 MI").
_MAX_WINDOW = 3
_TOKEN_SPLIT = re.compile(r"[\s()\[\]{}<>,;:/|+&\"'“”‘’]+")
#: A capacity or power written as a word ("20K", "10000mAh", "22.5W"): never a model number.
_QUANTITY = re.compile(r"^\d+(?:[.,]\d+)?(?:K|MAH|WH|W|V|A)$")
_NOT_QUANTITY_CHAR = re.compile(r"[^0-9A-Z.,]")
_CJK = re.compile(f"[{CJK_CHARS}]")


@dataclass(frozen=True)
class NameEntry:
    """A product name reduced to what identification compares."""

    brands: frozenset
    #: Each way the notice names the product (a name may list several, "A; B", "A (B)").
    variants: tuple
    #: The product words of all variants together, for partial overlap.
    words: frozenset
    #: Whether each variant names a product line on its own (:func:`distinctive`), worked out
    #: once here rather than for every description compared with it.
    distinctive_variants: tuple = ()


@dataclass(frozen=True)
class NameTables:
    """What identification needs from a dataset, derived once (see :func:`name_tables`)."""

    #: Folded brand word -> canonical brand word (brand names, their parts, other scripts).
    brand_words: dict
    #: Names in CJK scripts to look for inside a CJK run, longest first: (text, brand word or
    #: None for a generic word such as 充电宝).
    cjk_terms: tuple
    generic: frozenset
    #: Word (product or brand) -> [(recall, NameEntry)] of the recalls whose name has it.
    recalls_by_word: dict
    #: Catalogue entries by their rarest product word: word -> [(model_key, NameEntry)].
    catalogue_by_word: dict
    #: Brand word -> the recalls of that brand.
    recalls_by_brand: dict = field(default_factory=dict)
    #: Every canonical brand word.
    brands: frozenset = frozenset()


@dataclass(frozen=True)
class Identification:
    #: The model key to check recalls and the catalogue with ("" when none was recognised).
    model_key: str
    #: How the model was recognised: "model", "alias", "name" or None.
    match: str | None
    #: The catalogue record or recall the input resolved to, for ``identified_as``.
    identified: dict | None
    #: Recalls that the description names without a model number confirming them, strongest
    #: first: [(recall, "name")], or [(recall, "brand")] when only their brand was named.
    candidates: tuple
    #: Whether anything was typed in the model or brand box.
    given: bool
    #: The input contains something shaped like a model number that we do not know.
    unknown_code: str | None = None


#: Identifications kept per dataset: the same descriptions come again (a product name many
#: travellers type, a result re-checked by staff); bounded so that varied input cannot grow it.
_MEMO_SIZE = 4096


def identify(model: str | None, brand: str | None, data) -> Identification:
    """Recognise the power bank described by ``model`` and ``brand`` in ``data``."""
    return data.remembered("identify", (model, brand), lambda: _identify(model, brand, data),
                           _MEMO_SIZE)


def _identify(model: str | None, brand: str | None, data) -> Identification:
    given = bool((model or "").strip() or (brand or "").strip())
    if not given:
        return Identification("", None, None, (), False)
    tokens = _tokens(model) if model else []
    found = _model_number(model, tokens, data) if model else None
    if found is not None:
        key, how = found
        return Identification(key, how, _identified(key, how, data), (), True)
    tables = data.names
    words = significant_words(" ".join(filter(None, (brand, model))), tables)
    unknown = _unknown_code(tokens)
    candidates = _recall_candidates(words, tables, strong_only=unknown is not None)
    catalogue_key = _catalogue_by_name(words, tables, data)
    if not candidates and not catalogue_key and unknown is None:
        # A brand with recalls and a name we know nothing of ("Lenovo Go USB-C Laptop Power
        # Bank", "Anker Nano"): we cannot tell it is not one of them, so ask for the model
        # number, as for the brand alone; never "not on a recall list" from a name we do not
        # know.
        candidates = _brand_candidates(words, tables)
    identified = None
    if catalogue_key:
        identified = _identified(catalogue_key, "name", data)
    return Identification(catalogue_key or "", "name" if catalogue_key else None, identified,
                          candidates, True, unknown)


# --- Model numbers ----------------------------------------------------------------------------


def _model_number(text: str, tokens: list[str], data) -> tuple[str, str] | None:
    """The first known model number in ``text`` (split into ``tokens``): the whole input, else
    the longest run of adjacent words, recalls before the catalogue. A run of words that holds
    a generic word or a quantity is no model number ("Power Bank 10000mAh" is a description,
    even where a catalogue record has no better designation than that)."""
    plain = [not _generic_or_quantity(t, data.names.generic) for t in tokens]
    whole = normalize_model(text, data.brands)
    keys = [(whole, any(plain))] if whole else []
    if len(tokens) > 1:
        keys += [(key, True) for key in _run_keys(tokens, plain, text.isascii())]
    for key, _names in keys:
        if key in data.recalls_by_model:
            return key, "model"
        if key in data.recall_aliases:
            return key, "alias"
    for key, names_something in keys:
        if names_something and key in data.catalogue:
            return key, "model"
    return None


def _run_keys(tokens: list[str], plain: list[bool], ascii_text: bool) -> list[str]:
    """The folded, model-shaped keys of every run of one to three adjacent ``plain`` words,
    longest runs first, then left to right. ASCII text folds word by word to the same keys
    (folding is per character there), so each word is folded once, not once per run."""
    folded = [_token_facts(t)[0] for t in tokens] if ascii_text else None
    # plain_ahead[i]: how many plain words follow from word i on, word i included.
    plain_ahead = [0] * (len(tokens) + 1)
    for index in range(len(tokens) - 1, -1, -1):
        plain_ahead[index] = plain_ahead[index + 1] + 1 if plain[index] else 0
    keys = []
    for size in range(min(_MAX_WINDOW, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            if plain_ahead[start] < size:
                continue
            key = ("".join(folded[start:start + size]) if folded is not None
                   else fold("".join(tokens[start:start + size])))
            if _code_shaped(key):
                keys.append(key)
    return keys


def _generic_or_quantity(token: str, generic: frozenset) -> bool:
    return token.casefold() in generic or _token_facts(token)[1]


@lru_cache(maxsize=4096)
def _token_facts(token: str) -> tuple[str, bool]:
    """A typed word folded as model numbers are, and whether it is a quantity ("20K",
    "22.5W"). The same words come back in most descriptions ("Anker", "10000", "PowerCore"),
    and identification asks this of each word several times."""
    return fold(token), bool(_QUANTITY.match(_NOT_QUANTITY_CHAR.sub("", token.upper())))


def _code_shaped(key: str) -> bool:
    """Four or more characters, letters and digits both, in a folded key (only A-Z and 0-9
    left, so "not all digits" means a letter and "not all letters" a digit)."""
    return len(key) >= 4 and not key.isdigit() and not key.isalpha()


def _tokens(text: str) -> list[str]:
    """The words of a typed model, look-alikes folded, split where a model number cannot go
    on (spaces, brackets, punctuation)."""
    return [t for t in _TOKEN_SPLIT.split(unconfuse(text)) if t]


def _unknown_code(tokens: list[str]) -> str | None:
    """A word of the input that looks like a model number (letters and digits, not a
    quantity such as 20K or 22.5W)."""
    for token in tokens:
        folded, quantity = _token_facts(token)
        if _code_shaped(folded) and not quantity:
            return token
    return None


def _identified(key: str, how: str, data) -> dict:
    record = data.catalogue.get(key)
    if record is not None:
        return {"model": record["model"], "brand": record["brand"],
                "product": record["product"], "match": how, "source": "catalogue"}
    recalls = data.recalls_by_model.get(key) or data.recall_aliases.get(key)
    recall = recalls[0]
    model = next((m for m in recall["models"] if normalize_model(m, data.brands) == key),
                 recall["models"][0])
    return {"model": model, "brand": recall["brand"], "product": recall["product"],
            "match": how, "source": "recall"}


# --- Names ------------------------------------------------------------------------------------


def significant_words(text: str, tables: NameTables) -> set[str]:
    """The words of ``text`` that can tell products apart: generic words dropped, brand
    names in any script mapped to their canonical brand word."""
    words = set()
    for word in name_words(text):
        if _CJK.match(word):
            words.update(_cjk_words(word, tables))
            continue
        word = tables.brand_words.get(word, word)
        if word not in tables.generic:
            words.add(_quantity_word(word))
    return words


def _cjk_words(run: str, tables: NameTables) -> set[str]:
    """Known CJK names inside a CJK run (brands mapped, generic words dropped); what is left
    over counts as one word."""
    found = set()
    for term, brand in tables.cjk_terms:
        if term in run:
            if brand:
                found.add(brand)
            run = run.replace(term, " ")
    found.update(part for part in run.split() if part)
    return found


def _quantity_word(word: str) -> str:
    """"20k" and "20000" are the same capacity word."""
    if word.endswith("k") and word[:-1].isdigit():
        return word[:-1] + "000"
    return word


def name_entry(brand: str, product: str, tables: NameTables, extra_names=()) -> NameEntry:
    """A brand and product name (and other names of it) as identification compares them."""
    brands = frozenset(significant_words(brand, tables) & set(tables.brand_words.values()))
    variants = []
    for name in [*name_variants(product), *extra_names]:
        words = frozenset(significant_words(name, tables) - brands
                          - set(tables.brand_words.values()))
        if words and words not in variants:
            variants.append(words)
    return NameEntry(brands, tuple(variants), frozenset().union(*variants),
                     tuple(distinctive(v) for v in variants))


def name_variants(product: str) -> list[str]:
    """A notice's product name may list several products ("A (B); C"): each on its own,
    with the text in brackets both inside and apart. Semicolons inside brackets separate
    capacities of one product ("(16,100; 10,000 mAh)"), not products."""
    variants = []
    for part in re.split(r";(?![^()]*\))", product):
        part = part.strip()
        if not part:
            continue
        variants.append(re.sub(r"\([^)]*\)", " ", part))
        variants.extend(re.findall(r"\(([^)]*)\)", part))
    return [v for v in variants if v.strip()]


def distinctive(words) -> bool:
    """Words that name a product line on their own ("PowerCore", "VARMFRONT", "分離式"), not
    only a capacity."""
    return any(not w.isdigit() and (len(w) >= 4 or (len(w) >= 3 and _CJK.match(w)))
               for w in words)


def _recall_candidates(words: set[str], tables: NameTables, strong_only: bool) -> tuple:
    """Recalls the description names, strongest kind first.

    Strong: a whole name of the recall is in the description, with its brand, or without it
    where the name is distinctive. Loose: the description names the brand and shares a
    product word, or shares a distinctive product word and names no other brand ("Apple
    MagSafe Battery Pack" is not Casely's MagSafe power bank). Brand only: the
    description names a brand with recalls and nothing else (every recall of it is a
    candidate). ``strong_only`` when the description also holds a model number we do not
    know: then only a whole name can outweigh it.
    """
    strong, loose, seen = [], [], set()
    names_a_brand = not words.isdisjoint(tables.brands)
    for word in words:
        if word in tables.brands:
            # Both kinds share a product word with the description, and product words are
            # never brand words: what a brand word alone reaches is not a candidate here.
            continue
        lone_word = distinctive((word,))
        for recall, entry in tables.recalls_by_word.get(word, ()):
            if recall["recall_id"] in seen:
                continue
            brand_hit = not entry.brands.isdisjoint(words)
            if not (brand_hit or lone_word):
                # Without its brand, a recall needs a distinctive word of the description to
                # be a candidate, and is reached through that word too: look at it then.
                continue
            seen.add(recall["recall_id"])
            covered = [len(v) for v, lone in zip(entry.variants, entry.distinctive_variants)
                       if (brand_hit or lone) and v <= words]
            if covered:
                strong.append((-max(covered), recall))
            elif not strong_only:
                shared = entry.words & words
                if shared and (brand_hit or (distinctive(shared) and not names_a_brand)):
                    loose.append(recall)
    if strong:
        # The recall whose name the description covers most fully first.
        strong.sort(key=lambda item: (item[0], _newest_first(item[1])))
        return tuple((r, "name") for _size, r in strong)
    if loose or strong_only:
        return tuple((r, "name") for r in sorted(loose, key=_newest_first))
    named_brands = [w for w in words if w in tables.recalls_by_brand]
    if named_brands and not (words - set(named_brands)):
        return _brand_candidates(words, tables)
    return ()


def _brand_candidates(words: set[str], tables: NameTables) -> tuple:
    """Every recall of the brands named, newest first (how: ``brand``)."""
    named_brands = [w for w in words if w in tables.recalls_by_brand]
    return tuple((r, "brand") for r in sorted(
        {r["recall_id"]: r for b in named_brands for r in tables.recalls_by_brand[b]}
        .values(), key=_newest_first))


def _newest_first(recall: dict):
    return (-int((recall["date"] or "0000").replace("-", "")), recall["recall_id"])


def _catalogue_by_name(words: set[str], tables: NameTables, data) -> str | None:
    """The model key of the one most specific catalogue name the description covers."""
    best, best_size, tie = None, 0, False
    for word in words:
        for key, entry in tables.catalogue_by_word.get(word, ()):
            if entry.brands.isdisjoint(words):
                continue
            size = max((len(v) for v in entry.variants if v <= words), default=0)
            if size > best_size:
                best, best_size, tie = key, size, False
            elif size and size == best_size and key != best:
                tie = True
    return None if tie else best


def name_tables(recalls: list[dict], catalogue: dict, aliases: dict) -> NameTables:
    """Derive the matching tables from the records and ``data/aliases.json``."""
    brand_words: dict[str, str] = {}
    cjk_terms = []
    generic = frozenset(w for text in aliases.get("generic_words", []) for w in name_words(text)
                        if not _CJK.match(w))
    cjk_terms.extend((t, None) for t in aliases.get("generic_words", []) if _CJK.search(t))
    all_brands = [r["brand"] for r in recalls] + [m["brand"] for m in catalogue.values()]
    for name in all_brands:
        for part in re.split(r"[/()]", name):
            for word in name_words(part):
                if not _CJK.match(word) and len(word) >= 2:
                    brand_words.setdefault(word, word)
    for entry in aliases.get("brands", []):
        canonical = name_words(entry["brand"])[0]
        brand_words.setdefault(canonical, canonical)
        for other in entry["names"]:
            if _CJK.search(other):
                cjk_terms.append((other, canonical))
            for word in name_words(other):
                if not _CJK.match(word):
                    brand_words[word] = canonical
    # Brand names written in CJK inside the records themselves ("Nojima (ノジマ)").
    for name in all_brands:
        latin = [w for w in name_words(name) if not _CJK.match(w)]
        for cjk in re.findall(f"[{CJK_CHARS}]+", name):
            if latin:
                cjk_terms.append((cjk, brand_words.get(latin[0], latin[0])))
    cjk_terms.sort(key=lambda t: -len(t[0]))
    partial = NameTables(brand_words, tuple(cjk_terms), generic, {}, {})
    by_word: dict[str, list] = {}
    by_brand: dict[str, list] = {}
    for recall in recalls:
        entry = name_entry(recall["brand"], recall["product"], partial, recall.get("names", ()))
        for word in entry.words | entry.brands:
            by_word.setdefault(word, []).append((recall, entry))
        for brand in entry.brands:
            by_brand.setdefault(brand, []).append(recall)
    catalogue_entries = [(key, name_entry(m["brand"], m["product"], partial, m.get("names", ())))
                         for key, m in catalogue.items()]
    frequency: dict[str, int] = {}
    for _key, entry in catalogue_entries:
        for word in entry.words:
            frequency[word] = frequency.get(word, 0) + 1
    catalogue_by_word: dict[str, list] = {}
    for key, entry in catalogue_entries:
        for variant in entry.variants:
            rarest = min(variant, key=lambda w: (frequency[w], w))
            catalogue_by_word.setdefault(rarest, []).append((key, entry))
    return NameTables(brand_words, tuple(cjk_terms), generic, by_word, catalogue_by_word,
                      by_brand, frozenset(brand_words.values()))


def search_terms(text: str, tables: NameTables) -> list[str]:
    """The words of a partly typed description to search the full-text index with: brand
    names in other scripts replaced by the brand, generic words dropped except the last (it
    may be the start of a product word: "anker pow")."""
    words = name_words(text)
    terms = []
    for position, word in enumerate(words):
        if _CJK.match(word):
            terms.extend(_cjk_words(word, tables))
            continue
        word = tables.brand_words.get(word, word)
        if word not in tables.generic or position == len(words) - 1:
            terms.append(word)
    return list(dict.fromkeys(terms))


def recall_status_of(recalls: list[dict]) -> str | None:
    """The status a model listed in ``recalls`` has when no serial is known: the same word the
    check gives (recalled, warning, check_serial)."""
    statuses = set()
    for recall in recalls:
        every_unit = (RecallStatus.WARNING if recall["kind"] == RecallKind.WARNING
                      else RecallStatus.RECALLED)
        statuses.add(every_unit if recall["scope"] == RecallScope.MODEL
                     else RecallStatus.CHECK_SERIAL)
    return next((s.value for s in RECALL_SEVERITY if s in statuses), None)


#: The strictest recall status first: one recall of every unit outweighs a scoped one.
RECALL_SEVERITY = (RecallStatus.RECALLED, RecallStatus.WARNING, RecallStatus.CHECK_SERIAL)


def offline_tables(tables: NameTables, recalls: list[dict]) -> dict:
    """The name tables in JSON, for the offline lookup of /scan (static/identify.js applies
    the same rules to them; tests/browser/test_browser_identify.py checks both agree)."""
    entries = {}
    for word_entries in tables.recalls_by_word.values():
        for recall, entry in word_entries:
            entries[recall["recall_id"]] = entry
    position = {recall["recall_id"]: i for i, recall in enumerate(recalls)}
    return {
        "brand_words": tables.brand_words,
        "cjk_terms": [list(term) for term in tables.cjk_terms],
        "generic": sorted(tables.generic),
        "names": {
            str(position[recall_id]): {"brands": sorted(entry.brands),
                                       "variants": [sorted(v) for v in entry.variants]}
            for recall_id, entry in entries.items()
        },
    }

