"""What every interface does around the engine: parse input, evaluate, sign, verify.

Pages, the API and the CLI call these few functions, so a check made anywhere carries the same
token, result URL and QR code.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, request, url_for

from . import tokens
from .db import get_dataset
from .engine import Answer, evaluate_itinerary
from .params import parse_device, parse_trip


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def secrets() -> list:
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
              now: datetime | None = None) -> CheckResult:
    """Evaluate raw input values: the device and trip fields in ``values``, or the device in
    ``values`` and one dict of trip fields per leg in ``legs``. Raises
    :class:`~compliance.params.ParamError` on bad input."""
    now = now or utcnow()
    data = get_dataset()
    device = parse_device(values)
    trips = [parse_trip(leg, data, now.date()) for leg in (legs or [values])]
    answer = evaluate_itinerary(device, trips, data)
    claim = tokens.Claim(device, tuple(trips), now, answer.verdict)
    return CheckResult(answer, tokens.issue(claim, secrets()[0]), now)


def public_base_url() -> str:
    configured = current_app.config["PUBLIC_BASE_URL"]
    if configured:
        return configured.rstrip("/")
    if not has_request_context():
        return "http://localhost:5000"
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
        "qr_svg_url": public_base_url() + url_for("web.result_qr_svg", token=result.token),
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


def verify(token: str, now: datetime | None = None) -> Verification:
    """Re-evaluate a signed claim against today's data; raises InvalidToken if not genuine."""
    return reevaluate(tokens.verify(token, secrets()), token, now)


def staleness(claim: tokens.Claim, now: datetime) -> tuple[timedelta, bool]:
    """How old the claim is, and whether that is past ``RESULT_MAX_AGE_DAYS``."""
    age = now - claim.issued_at
    return age, age > timedelta(days=current_app.config["RESULT_MAX_AGE_DAYS"])


def reevaluate(claim: tokens.Claim, token: str, now: datetime | None = None) -> Verification:
    """Check an already verified claim against today's data."""
    age, stale = staleness(claim, now or utcnow())
    answer = evaluate_itinerary(claim.device, list(claim.trips), get_dataset())
    return Verification(
        claim=claim,
        answer=answer,
        token=token.upper(),
        changed=answer.verdict != claim.verdict_at_issue,
        stale=stale,
        age=age,
    )
