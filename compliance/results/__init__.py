"""What every interface does around the engine: parse input, evaluate, sign, verify.

Pages, the API and the CLI call these few functions, so a check made anywhere carries the same
token, result URL and QR code.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, request, url_for

from compliance.config import LOCAL_BASE_URL
from compliance.core.engine import evaluate_itinerary
from compliance.core.messages import _
from compliance.core.model import Answer
from compliance.core.params import (
    DEVICE_PARAMS,
    Errors,
    ParamError,
    leg_field,
    legs_from_values,
    parse_device,
    parse_trip,
)
from compliance.core.vocabulary import Notice
from compliance.data.db import get_dataset

from . import tokens


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def signing_keys() -> list:
    """The signing key first, then older keys that still verify during a rotation."""
    fallbacks = current_app.config["SECRET_KEY_FALLBACKS"]
    if isinstance(fallbacks, str):
        fallbacks = [k for k in fallbacks.split(",") if k]
    return [current_app.config["SECRET_KEY"], *fallbacks]


@dataclass
class CheckResult:
    answer: Answer
    token: str
    issued_at: datetime

    @property
    def result_url(self) -> str:
        return result_url(self.token)


def run_check(values: dict, legs: list[dict] | None = None,
              now: datetime | None = None, future_only: bool = False,
              field_name=None, errors: Errors | None = None) -> CheckResult:
    """Evaluate raw input values: the device and trip fields in ``values``, or the device in
    ``values`` and one dict of trip fields per leg in ``legs``, each parsed once here. Raises
    :class:`~compliance.core.params.ParamError` on bad input, with every bad field in ``errors``,
    named ``field_name(name, i)`` (``i`` the leg, None for a device field): by default the
    form's names (``wh``, ``origin``, ``origin2``, ...); the JSON API passes its paths
    (``device.wh``, ``legs[1].origin``) and the ``errors`` it found in the body's shape.
    ``future_only`` refuses a past travel date (the traveller's form); otherwise a past date is
    answered and marked
    ``travel_date_passed``."""
    now = now or utcnow()
    today = now.date()
    data = get_dataset()
    errors = errors if errors is not None else Errors()
    name = field_name or (lambda param, i: param if i is None else leg_field(param, i))
    device = None
    try:
        device = parse_device(values)
    except ParamError as error:
        errors.add(error.renamed(lambda param: name(param, None)))
    trips = []
    for index, leg in enumerate(legs or [values]):
        try:
            trips.append(parse_trip(leg, data, today, future_only=future_only))
        except ParamError as error:
            errors.add(error.renamed(lambda param, i=index: name(param, i)))
    errors.raise_any()
    answer = evaluate_itinerary(device, trips, data)
    add_notices(answer, date_notices(trips, today, rechecked=False))
    claim = tokens.Claim(device, tuple(trips), now, answer.verdict)
    return CheckResult(answer, tokens.issue(claim, signing_keys()[0]), now)


def run_itinerary_check(values: dict):
    """Check the device against every leg of the form. Bad fields raise :class:`ParamError`
    with every one of them in ``errors``, each leg field named as in the form (``origin2``),
    so each error is shown next to its own input. A travel date in the past is refused: the
    traveller checks a flight still to come."""
    legs = legs_from_values(values)
    device_values = {k: v for k, v in values.items() if k in DEVICE_PARAMS}
    return run_check(device_values, legs=legs, future_only=True)


def date_notices(trips, today: date, rechecked: bool) -> list[list[dict]]:
    """Per leg, the ``travel_date_passed`` notice when its date is before ``today``: answered
    under the rules of that date (a check), or re-checked as if flying today (staff)."""
    found = []
    for trip in trips:
        if trip.date >= today:
            found.append([])
        elif rechecked:
            found.append([{
                "code": Notice.TRAVEL_DATE_PASSED.value,
                "text": _("The travel date %(date)s has passed: re-checked as if flying today "
                          "(%(today)s), under the rules in force today.",
                          date=trip.date.isoformat(), today=today.isoformat()),
                "date": trip.date.isoformat(), "rechecked_for": today.isoformat()}])
        else:
            found.append([{
                "code": Notice.TRAVEL_DATE_PASSED.value,
                "text": _("The travel date %(date)s has passed: this answer applies the rules "
                          "that were in force on that date, which may no longer be today's.",
                          date=trip.date.isoformat()),
                "date": trip.date.isoformat()}])
    return found


def add_notices(answer: Answer, per_leg: list[list[dict]]) -> None:
    """Put each leg's notices on its own answer, and every leg's on the overall answer
    (once each)."""
    legs = answer.legs if answer.legs is not None else [answer]
    for leg, notices in zip(legs, per_leg):
        leg.notices.extend(n for n in notices if n not in leg.notices)
    if answer.legs is not None:
        for leg in answer.legs:
            answer.notices.extend(n for n in leg.notices if n not in answer.notices)


def public_base_url() -> str:
    configured = current_app.config["PUBLIC_BASE_URL"]
    if configured:
        return configured.rstrip("/")
    if not has_request_context():
        return LOCAL_BASE_URL
    if "public_base_url" not in g:
        g.public_base_url = request.host_url.rstrip("/")
    return g.public_base_url


def result_url(token: str) -> str:
    """The URL a QR code carries: scheme and host upper-cased (they are case-insensitive) so
    that, with the upper-case token, the whole URL encodes in QR alphanumeric mode."""
    return _result_url_prefix(public_base_url()) + token


@lru_cache(maxsize=64)
def _result_url_prefix(base_url: str) -> str:
    base = urlsplit(base_url)
    return f"{base.scheme.upper()}://{base.netloc.upper()}{base.path}/R/"


def api_fields(result: CheckResult) -> dict:
    return {
        **result.answer.to_dict(),
        "result_url": result.result_url,
        "qr_svg_url": public_base_url() + url_for("staff.result_qr_svg", token=result.token),
        "issued_at": result.issued_at.isoformat(),
    }


@dataclass
class Verification:
    claim: tokens.Claim
    answer: Answer
    token: str
    changed: bool
    stale: bool
    age: timedelta
    #: The legs (0-based) whose travel date had passed, re-checked as if flown today.
    rechecked_today: list = field(default_factory=list)


def verify(token: str, now: datetime | None = None) -> Verification:
    """Re-evaluate a signed claim against today's data; raises InvalidToken if not genuine."""
    return reevaluate(tokens.verify(token, signing_keys()), token, now)


def staleness(claim: tokens.Claim, now: datetime) -> tuple[timedelta, bool]:
    """How old the claim is, and whether that is past ``RESULT_MAX_AGE_DAYS``."""
    age = now - claim.issued_at
    return age, age > timedelta(days=current_app.config["RESULT_MAX_AGE_DAYS"])


def reevaluate(claim: tokens.Claim, token: str, now: datetime | None = None) -> Verification:
    """Check an already verified claim against today's data. A flight whose date has passed
    is re-checked as if flown today, under today's rules (and says so): a result is never
    shown as re-checked under rules no longer in force."""
    now = now or utcnow()
    age, stale = staleness(claim, now)
    today = now.date()
    trips = [replace(trip, date=today) if trip.date < today else trip for trip in claim.trips]
    answer = evaluate_itinerary(claim.device, trips, get_dataset())
    notices = date_notices(claim.trips, today, rechecked=True)
    add_notices(answer, notices)
    return Verification(
        claim=claim,
        answer=answer,
        token=token.upper(),
        changed=answer.verdict != claim.verdict_at_issue,
        stale=stale,
        age=age,
        rechecked_today=[i for i, found in enumerate(notices) if found],
    )
