"""What the decision works on and answers with: the traveller's claim (:class:`Device`,
:class:`Trip`), the data in memory (:class:`Dataset`), and the answer (:class:`Finding`,
:class:`Answer`).

Plain dataclasses: :mod:`compliance.data.dataset` fills a :class:`Dataset` from the built
database; the engine reads it and never touches a file or a connection.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from .identify import NameTables
from .vocabulary import Verdict

_NOT_YET = object()


class ProductSearch(Protocol):
    """Full-text search over products while typing (the data layer's SQLite FTS index)."""

    def products(self, terms: list[str], limit: int = ...) -> list[dict]: ...


@dataclass(frozen=True)
class Device:
    model: str | None = None
    brand: str | None = None
    serial: str | None = None
    wh: float | None = None
    mah: float | None = None
    v: float | None = None
    count: int = 1
    #: Whether it bears China's CCC mark; None = the traveller did not say.
    ccc: bool | None = None
    #: The traveller says the capacity label is missing or unreadable.
    unlabelled: bool = False


@dataclass(frozen=True)
class Trip:
    date: date
    airline: str | None = None
    origin: str | None = None
    destination: str | None = None


@dataclass
class Finding:
    """What one rule (or the recall check) says about this device on this trip."""

    verdict: Verdict
    why: str
    conditions: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)


@dataclass
class Answer:
    verdict: Verdict
    headline: str
    device: dict
    recall: dict
    conditions: list
    reasons: list
    missing: list
    trip: dict
    data_version: str
    #: For an itinerary: every leg's own answer, in order, and the index of the deciding leg.
    legs: list["Answer"] | None = None
    strictest_leg: int | None = None
    #: What the answer says about its own coverage: ``{"code": Notice, "text": ..., **params}``.
    notices: list = field(default_factory=list)

    def to_dict(self) -> dict:
        fields = {
            "verdict": self.verdict.value,
            "headline": self.headline,
            "device": self.device,
            "recall": self.recall,
            "conditions": self.conditions,
            "reasons": self.reasons,
            "missing": self.missing,
            "trip": self.trip,
            "data_version": self.data_version,
            "notices": self.notices,
        }
        if self.legs is not None:
            fields["strictest_leg"] = self.strictest_leg
            fields["legs"] = [leg.to_dict() for leg in self.legs]
        return fields


@dataclass(frozen=True)
class Dataset:
    version: str
    recalls: list[dict]
    recalls_by_model: dict[str, list[dict]]
    #: Model spellings that recall notices use besides the model numbers ("PPXCW06").
    recall_aliases: dict[str, list[dict]]
    rules: list[dict]
    airlines: dict[str, dict]
    airports: dict[str, dict]
    catalogue: dict[str, dict]
    #: Folded brand names (normalize.brand_keys), a set: normalize_model asks ``in`` of it for
    #: every leading word of every model it reads.
    brands: frozenset[str]
    #: Model numbers people may type, for autocomplete: (model_key, model, brand, product, kind)
    model_index: list[tuple]
    #: Identification's tables for names (see compliance.core.identify).
    names: NameTables
    #: Full-text search over products, for suggestions while typing.
    search: ProductSearch
    #: Results the engine derives from this data alone (e.g. the rules in force on a date),
    #: kept for the life of this dataset; a reloaded dataset starts with an empty one.
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def remembered(self, table: str, key, compute, size: int):
        """``compute()``, kept in this dataset's memo ``table`` under ``key``: worked out once
        per dataset; at most ``size`` entries per table (it starts afresh when full), so that
        varied input cannot grow it without bound."""
        memo = self.memo.setdefault(table, {})
        found = memo.get(key, _NOT_YET)
        if found is _NOT_YET:
            if len(memo) >= size:
                memo.clear()
            found = memo[key] = compute()
        return found
