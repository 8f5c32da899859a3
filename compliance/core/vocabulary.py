"""The fixed vocabulary of answers: verdicts, recall statuses and condition codes.

Defined once here and used by the engine, the API, the pages, the tokens and the CLI, so that a
word means the same thing everywhere and the API contract cannot drift.
"""

from enum import Enum


class Word(str, Enum):
    """A word of the vocabulary: it compares and hashes as its text.

    ``Enum`` hashes a member by its name, in Python (a function call each time, about 0.1 µs);
    the engine keys dictionaries by these words dozens of times per check. ``str``'s own hash
    is also the one that agrees with ``==`` (``Verdict.ALLOWED == "allowed"``)."""

    __hash__ = str.__hash__


class Verdict(Word):
    ALLOWED = "allowed"
    APPROVAL_REQUIRED = "approval_required"
    NEED_MORE_INFO = "need_more_info"
    FORBIDDEN = "forbidden"

    @property
    def severity(self) -> int:
        """Strictness order: the strictest verdict of all applicable rules wins."""
        return _SEVERITY[self]

    @property
    def short_code(self) -> str:
        """One letter, used in compact result tokens."""
        return _SHORT[self]

    @classmethod
    def from_short_code(cls, letter: str) -> "Verdict":
        for verdict, code in _SHORT.items():
            if code == letter:
                return verdict
        raise ValueError(f"unknown verdict code {letter!r}")


_SEVERITY = {
    Verdict.ALLOWED: 0,
    Verdict.APPROVAL_REQUIRED: 1,
    Verdict.NEED_MORE_INFO: 2,
    Verdict.FORBIDDEN: 3,
}
_SHORT = {
    Verdict.ALLOWED: "A",
    Verdict.APPROVAL_REQUIRED: "P",
    Verdict.NEED_MORE_INFO: "N",
    Verdict.FORBIDDEN: "F",
}


def strictest(verdicts) -> Verdict:
    return max(verdicts, key=_SEVERITY.__getitem__, default=Verdict.ALLOWED)


class RecallStatus(Word):
    """What the recall check found, for the answer as a whole and for each match."""

    #: Every unit of the identified model is recalled.
    RECALLED = "recalled"
    #: An agency warns the public to stop using the model; the firm did not recall it.
    #: Treated like a recall for flying.
    WARNING = "warning"
    #: Only some units (serial, batch, date code) are recalled: the serial decides.
    CHECK_SERIAL = "check_serial"
    #: The description names a recalled product, but no model number confirms it.
    POSSIBLE_MATCH = "possible_match"
    #: A model number was given and is on no recall list we hold.
    NOT_LISTED = "not_listed"
    #: No model number or name was given, so no recall could be checked.
    NOT_CHECKED = "not_checked"


class RecallKind(Word):
    """What kind of notice a recall record is."""

    RECALL = "recall"
    #: A public warning to stop using a product whose firm refused or failed to recall it.
    WARNING = "warning"


class Notice(Word):
    """What the answer says about its own coverage, next to the verdict (``notices``)."""

    #: We hold no rule of the airline's own; its rules may be stricter.
    NO_AIRLINE_RULES = "no_airline_rules"
    #: No model was given, so the power bank was not checked against recalls.
    RECALL_NOT_CHECKED = "recall_not_checked"
    #: The travel date is in the past: the rules applied are those of that date.
    TRAVEL_DATE_PASSED = "travel_date_passed"
    #: The verdict would change between the usual cell voltages (3.6 V to 3.85 V).
    ASSUMED_VOLTAGE_BORDERLINE = "assumed_voltage_borderline"


class SourceKind(Word):
    """Who published a record's primary source (``source_kind``)."""

    #: The issuer's own page: the agency, authority, airline or maker.
    OFFICIAL = "official"
    #: A government outlet reproducing the issuer's text (e.g. a state news agency).
    GOVERNMENT_NEWS = "government_news"
    NEWS = "news"
    OTHER = "other"


class Condition(Word):
    CARRY_ON_ONLY = "carry_on_only"
    PROTECT_TERMINALS = "protect_terminals"
    AIRLINE_APPROVAL = "airline_approval"
    MAX_COUNT = "max_count"
    NO_INFLIGHT_USE = "no_inflight_use"
    NO_INFLIGHT_CHARGING = "no_inflight_charging"
    KEEP_ACCESSIBLE = "keep_accessible"
    CCC_MARK_REQUIRED = "ccc_mark_required"
    CAPACITY_LABEL_REQUIRED = "capacity_label_required"
    SWITCH_OFF = "switch_off"


#: Conditions a rule record may list directly; the others follow from its numbers and flags.
RULE_LISTED_CONDITIONS = frozenset(
    {
        Condition.CARRY_ON_ONLY,
        Condition.PROTECT_TERMINALS,
        Condition.KEEP_ACCESSIBLE,
        Condition.SWITCH_OFF,
    }
)

#: Display order of conditions on pages and in the API.
CONDITION_ORDER = list(Condition)
#: Each condition by its code, as rule records list them.
CONDITION_BY_CODE = {condition.value: condition for condition in Condition}


class Scope(Word):
    """Which rules a rule record belongs to."""

    INTERNATIONAL = "international"
    AUTHORITY = "authority"
    AIRLINE = "airline"


#: The order rules are listed in: the international baseline, then authorities, then airlines.
SCOPE_ORDER = {Scope.INTERNATIONAL: 0, Scope.AUTHORITY: 1, Scope.AIRLINE: 2}


class AppliesTo(Word):
    """Which flights a rule binds (data/README.md explains each)."""

    INTERNATIONAL = "international"
    DEPARTURES = "departures"
    #: Every flight departing or arriving in the country (e.g. Japan's 2026 rule, "日本発着").
    DEPARTURES_AND_ARRIVALS = "departures_and_arrivals"
    DOMESTIC = "domestic"
    NATIONAL_CARRIERS = "national_carriers"
    OPERATED_FLIGHTS = "operated_flights"


class RecallScope(Word):
    MODEL = "model"
    SERIAL = "serial"
    BATCH = "batch"
    DATE_CODE = "date_code"


class Confidence(Word):
    VERIFIED = "verified"
    PARTIAL = "partial"


#: Nominal lithium-ion cell voltage assumed when a label gives only mAh, and the range of
#: common nominal voltages used to flag answers that depend on that assumption.
DEFAULT_CELL_VOLTAGE = 3.7
CELL_VOLTAGE_RANGE = (3.6, 3.85)

#: The most flights one check (a form, a JSON body, a result token) may hold.
MAX_LEGS = 8

#: Code shapes, as regular expressions (for ``re.fullmatch``; JSON Schema wraps them in ^...$).
AIRLINE_CODE = r"[A-Z0-9]{2}"
AIRLINE_ICAO = r"[A-Z]{3}"
AIRPORT_CODE = r"[A-Z]{3}"
AIRPORT_ICAO = r"[A-Z0-9]{4}"
COUNTRY_CODE = r"[A-Z]{2}"
