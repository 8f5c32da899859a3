"""The fixed vocabulary of answers: verdicts, recall statuses and condition codes.

Defined once here and used by the engine, the API, the pages, the tokens and the CLI, so that a
word means the same thing everywhere and the API contract cannot drift.
"""

from enum import Enum


class Verdict(str, Enum):
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
    return max(verdicts, key=lambda v: v.severity, default=Verdict.ALLOWED)


class RecallStatus(str, Enum):
    RECALLED = "recalled"
    CHECK_SERIAL = "check_serial"
    NOT_LISTED = "not_listed"


class Condition(str, Enum):
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


class Scope(str, Enum):
    """Which rules a rule record belongs to."""

    INTERNATIONAL = "international"
    AUTHORITY = "authority"
    AIRLINE = "airline"


class AppliesTo(str, Enum):
    INTERNATIONAL = "international"
    DEPARTURES = "departures"
    DOMESTIC = "domestic"
    NATIONAL_CARRIERS = "national_carriers"
    OPERATED_FLIGHTS = "operated_flights"


class RecallScope(str, Enum):
    MODEL = "model"
    SERIAL = "serial"
    BATCH = "batch"
    DATE_CODE = "date_code"


class Confidence(str, Enum):
    VERIFIED = "verified"
    PARTIAL = "partial"


#: Nominal lithium-ion cell voltage assumed when a label gives only mAh, and the range of
#: common nominal voltages used to flag answers that depend on that assumption.
DEFAULT_CELL_VOLTAGE = 3.7
CELL_VOLTAGE_RANGE = (3.6, 3.85)
