"""The evaluation: one pure function from (device, trip, data) to a verdict with reasons.

Every interface (pages, API, widget, CLI, result tokens) calls :func:`evaluate`; nothing else
decides a verdict. The function reads only its arguments, so the same claim checked against the
same data version always gives the same answer.
"""

from datetime import date

from .capacity import Capacity, WhSource, format_number, resolve_capacity, wh_from_mah
from .identify import RECALL_SEVERITY, Identification, identify
from .messages import N_, _, join, ngettext
from .model import Answer, Dataset, Device, Finding, Trip
from .normalize import normalize_serial
from .regions import in_region
from .vocabulary import (
    CELL_VOLTAGE_RANGE,
    CONDITION_BY_CODE,
    CONDITION_ORDER,
    DEFAULT_CELL_VOLTAGE,
    SCOPE_ORDER,
    AppliesTo,
    Condition,
    Notice,
    RecallKind,
    RecallScope,
    RecallStatus,
    Scope,
    Verdict,
    strictest,
)


def evaluate(device: Device, trip: Trip, data: Dataset) -> Answer:
    """Decide whether ``device`` may fly on ``trip`` under the rules and recalls in ``data``."""
    identification = identify(device.model, device.brand, data)
    model_key = identification.model_key
    catalogue = data.catalogue.get(model_key) if model_key else None
    capacity = Capacity(None, WhSource.UNKNOWN) if device.unlabelled else resolve_capacity(
        device.wh, device.mah, device.v, catalogue
    )
    route = describe_route(trip, data)
    rules = applicable_rules(trip, route, data)

    recall, recall_finding = check_recalls(device, identification, data)
    rule_findings = [(rule, judge_rule(rule, device, capacity.wh)) for rule in rules]

    reasons = []
    if recall_finding is not None:
        reasons.append(_recall_reason(recall, recall_finding))
    reasons.extend(_rule_reason(rule, finding) for rule, finding in rule_findings)

    findings = [f for _rule, f in rule_findings]
    if recall_finding is not None:
        findings.insert(0, recall_finding)
    verdict = strictest(f.verdict for f in findings)

    missing = []
    for finding in findings:
        for item in finding.missing:
            if item not in missing:
                missing.append(item)

    assumptions = _assumptions(device, capacity, rules, trip)
    if capacity.source == WhSource.USB_VOLTAGE and "v" not in missing:
        missing.append("v")
    deciding = next((f for f in findings if f.verdict == verdict), None)
    headline = _headline(verdict, deciding)
    notices: list = []
    if recall["status"] == RecallStatus.NOT_CHECKED:
        notices.append(_notice(Notice.RECALL_NOT_CHECKED, _(
            "Not checked against recalls: no model number given.")))
        headline = headline + " " + notices[-1]["text"]

    conditions = [] if verdict == Verdict.FORBIDDEN else _merge_conditions(rule_findings)

    from_catalogue = catalogue if capacity.source == WhSource.CATALOGUE else {}
    product = (identification.identified or {}).get("product")
    notices.extend(capacity_notices(device, capacity, rules, verdict))
    notices.extend(airline_notices(trip, rules, data))
    return Answer(
        verdict=verdict,
        headline=headline,
        device={
            "model": device.model,
            "brand": device.brand or (catalogue or {}).get("brand"),
            "product": product,
            "serial": device.serial,
            "wh": capacity.wh,
            "wh_source": capacity.source,
            # The catalogue's figures only where the capacity came from it: next to a Wh
            # figure read from the label they would describe another unit.
            "mah": device.mah if device.mah is not None else from_catalogue.get("mah"),
            "v": device.v if device.v is not None else from_catalogue.get("v"),
            "count": device.count,
            "ccc": device.ccc,
            "unlabelled": device.unlabelled,
            "assumptions": assumptions,
            "identified_as": identification.identified,
        },
        recall=recall,
        conditions=conditions,
        reasons=reasons,
        missing=missing,
        trip={**route, "airline": trip.airline, "date": trip.date.isoformat()},
        data_version=data.version,
        notices=notices,
    )


def _notice(code: Notice, text: str, **params) -> dict:
    return {"code": code.value, "text": text, **params}


def airline_notices(trip: Trip, rules: list[dict], data: Dataset) -> list[dict]:
    """``no_airline_rules`` when the trip names an airline and no rule of that airline's own
    applies: the verdict rests on the international and national rules alone, and the
    airline's own may be stricter. ``url`` is the airline's website where the airline list
    gives one (else null)."""
    if not trip.airline or any(r["scope"] == Scope.AIRLINE for r in rules):
        return []
    airline = data.airlines.get(trip.airline) or {}
    name = airline.get("name") or trip.airline
    return [_notice(
        Notice.NO_AIRLINE_RULES,
        _("We hold no power bank rules of %(airline)s itself: this answer applies "
          "only the international and national rules, and the airline's own rules "
          "may be stricter. Check them with the airline before you fly.",
          airline=f"{name} ({trip.airline})"),
        airline=trip.airline,
        url=airline.get("website"),
    )]


# --- Which rules apply ------------------------------------------------------------------------


def describe_route(trip: Trip, data: Dataset) -> dict:
    origin = data.airports.get(trip.origin) if trip.origin else None
    destination = data.airports.get(trip.destination) if trip.destination else None
    origin_country = origin["country"] if origin else None
    destination_country = destination["country"] if destination else None
    if origin_country and destination_country:
        kind = "domestic" if origin_country == destination_country else "international"
    else:
        kind = "unknown"
    return {
        "origin": trip.origin,
        "destination": trip.destination,
        "origin_country": origin_country,
        "destination_country": destination_country,
        "kind": kind,
    }


def applicable_rules(trip: Trip, route: dict, data: Dataset) -> list[dict]:
    """The rule versions in force on the travel date that bind this trip.

    Within one series only the newest version in force applies. The international baseline
    covers international trips and checks without a route. On a domestic trip it applies too
    (states apply the ICAO rules at home unless they say otherwise) when the country has no
    national rule on file, or when the baseline version in force is later than every national
    rule at home: a later ICAO amendment binds domestic flights as well, strictest wins. Only a
    national record that states the divergence (``diverges_from`` naming the baseline version)
    keeps it off; that record's reason then says so.
    """
    in_force, operated_by_airline = _rules_in_force(data, trip.date)
    origin_country = route["origin_country"]
    destination_country = route["destination_country"]
    airline = data.airlines.get(trip.airline) if trip.airline else None
    domestic = route["kind"] == "domestic"
    home_rules = [
        r for r in in_force
        if r["scope"] == Scope.AUTHORITY and r["applies_to"] in _AT_HOME
        and in_region(origin_country, r["country"])
    ] if domestic else []
    newest_home = max((r["effective_from"] or date.min for r in home_rules), default=None)
    diverging = {}
    for home in home_rules:
        for rule_id in home.get("diverges_from") or ():
            diverging.setdefault(rule_id, home)

    def baseline_binds(rule) -> bool:
        if not home_rules:
            return True
        if rule["rule_id"] in diverging:
            return False
        return (rule["effective_from"] or date.min) > newest_home

    # One test per kind of rule, looked up by the rule's applies_to. (Reading an Enum member
    # costs about 0.4 µs in Python 3.11: comparing against each member for every rule in force
    # was the largest part of this function.)
    tests = {
        AppliesTo.INTERNATIONAL: baseline_binds,
        AppliesTo.DEPARTURES: lambda rule: in_region(origin_country, rule["country"]),
        AppliesTo.DEPARTURES_AND_ARRIVALS: lambda rule: (
            in_region(origin_country, rule["country"])
            or in_region(destination_country, rule["country"])),
        AppliesTo.DOMESTIC: lambda rule: domestic and in_region(origin_country, rule["country"]),
        AppliesTo.NATIONAL_CARRIERS: lambda rule: (
            airline is not None and in_region(airline["country"], rule["country"])),
    }

    def binds(rule) -> bool:
        test = tests.get(rule["applies_to"])
        return test is not None and test(rule)

    # Most rules are one airline's own: only the operating airline's are looked at.
    binding = [r for r in in_force if binds(r)]
    if diverging:
        # The national record that keeps a baseline version off domestic flights says so.
        kept_off = {}
        for rule in in_force:
            home = diverging.get(rule["rule_id"])
            if home is not None and rule["scope"] == Scope.INTERNATIONAL:
                kept_off.setdefault(home["rule_id"], []).append(rule["issuer"])
        binding = [
            {**r, "divergence_applied": kept_off[r["rule_id"]]} if r["rule_id"] in kept_off
            else r
            for r in binding
        ]
    binding += operated_by_airline.get(trip.airline, []) if trip.airline else []
    return sorted(binding, key=lambda r: (SCOPE_ORDER[r["scope"]], r["issuer"]))


#: National rules that bind a country's domestic flights.
_AT_HOME = (AppliesTo.DEPARTURES, AppliesTo.DOMESTIC, AppliesTo.DEPARTURES_AND_ARRIVALS)

_MEMO_DATES = 800


def _rules_in_force(data: Dataset, on: date) -> tuple[list[dict], dict[str, list[dict]]]:
    """The rule versions in force on ``on`` other than airlines' own, and those by airline
    code; worked out once per dataset and travel date (at most ``_MEMO_DATES`` dates kept, so
    that a client trying every date cannot grow the memo without bound)."""
    def compute():
        general, by_airline = [], {}
        for rule in newest_versions(data.rules, on):
            if rule["applies_to"] == AppliesTo.OPERATED_FLIGHTS:
                by_airline.setdefault(rule["airline"], []).append(rule)
            else:
                general.append(rule)
        return general, by_airline

    return data.remembered("rules_in_force", on, compute, _MEMO_DATES)


def newest_versions(rules: list[dict], on: date) -> list[dict]:
    """Per rule series, the version in force on ``on``: the latest ``effective_from`` on or
    before it (a version without a date counts as the oldest)."""
    newest: dict[str, dict] = {}
    for rule in rules:
        effective = rule["effective_from"]
        if effective is not None and effective > on:
            continue
        current = newest.get(rule["series"])
        if current is None or (effective or date.min) > (current["effective_from"] or date.min):
            newest[rule["series"]] = rule
    return list(newest.values())


# --- Recalls ----------------------------------------------------------------------------------


def check_recalls(device: Device, identification: Identification, data: Dataset):
    """The recall status of the identified model; a name without a model number that names a
    recalled product is a possible match, never a pass; scoped recalls need the serial."""
    key, how = identification.model_key, identification.match
    if how in ("model", "alias"):
        recalls = data.recalls_by_model.get(key, []) + data.recall_aliases.get(key, [])
        recall, finding = _recalls_of_model(device, key, how, recalls)
        if recall is not None:
            return {**recall, "checked_against": _coverage(data)}, finding
    candidates = list(identification.candidates)
    if how == "name":
        # Named after a catalogue model that is itself recalled: still only a possible match.
        named = {r["recall_id"] for r, _how in candidates}
        candidates += [(r, "name") for r in data.recalls_by_model.get(key, [])
                       if r["recall_id"] not in named]
    if candidates:
        matches = [{**public_recall(r), "status": RecallStatus.POSSIBLE_MATCH.value,
                    "match": "name", "serial_checkable": False} for r, _how in candidates]
        status = {"status": RecallStatus.POSSIBLE_MATCH.value, "matches": matches,
                  "checked_against": _coverage(data)}
        brand_only = all(how == "brand" for _r, how in candidates)
        return status, Finding(Verdict.NEED_MORE_INFO, _possible_match_text(matches, brand_only),
                               missing=["model"])
    status = RecallStatus.NOT_LISTED if identification.given else RecallStatus.NOT_CHECKED
    return {"status": status.value, "matches": [], "checked_against": _coverage(data)}, None


def _recalls_of_model(device: Device, key: str, how: str, recalls: list[dict]):
    matches, statuses = [], []
    serial = normalize_serial(device.serial)
    for recall in recalls:
        status, checkable = _recall_status(recall, key, serial)
        if status is None:
            continue
        statuses.append(status)
        matches.append({**public_recall(recall), "status": status.value, "match": how,
                        "serial_checkable": checkable})
    if not matches:
        return None, None
    status = next(s for s in RECALL_SEVERITY if s in statuses)
    matches.sort(key=lambda m: RECALL_SEVERITY.index(RecallStatus(m["status"])))
    first = matches[0]
    if status == RecallStatus.RECALLED:
        finding = Finding(
            Verdict.FORBIDDEN,
            _(
                "This model is recalled (%(agency)s, %(date)s). Recalled power banks may not "
                "be carried on any flight.",
                agency=first["agency"],
                date=first["date"] or _("date not published"),
            ),
        )
    elif status == RecallStatus.WARNING:
        finding = Finding(Verdict.FORBIDDEN, _(
            "%(agency)s warns the public to stop using this model (%(date)s); the firm did not "
            "recall it. Do not fly with it.",
            agency=first["agency"], date=first["date"] or _("date not published")))
    elif serial and not any(m["serial_checkable"] for m in matches):
        finding = Finding(Verdict.NEED_MORE_INFO, _(
            "Some units of this model are recalled (%(agency)s). The serial cannot be checked "
            "here: check it with the recall's own serial check.",
            agency=", ".join(sorted({m["agency"] for m in matches}))))
    else:
        finding = Finding(
            Verdict.NEED_MORE_INFO,
            _(
                "Some units of this model are recalled (%(agency)s): check the serial or batch "
                "code against the recall before you fly.",
                agency=", ".join(sorted({m["agency"] for m in matches})),
            ),
            missing=["serial"],
        )
    return {"status": status.value, "matches": matches}, finding


def _recall_status(recall: dict, model_key: str, serial: str) -> tuple[RecallStatus | None, bool]:
    """The status of one recall for this unit, and whether the serial can settle it here (the
    recall publishes the affected codes exactly)."""
    every_unit = (RecallStatus.WARNING if recall["kind"] == RecallKind.WARNING
                  else RecallStatus.RECALLED)
    if recall["scope"] == RecallScope.MODEL:
        return every_unit, False
    patterns = [
        p["compiled"]
        for p in recall["serial_patterns"]
        if not p["models_norm"] or model_key in p["models_norm"]
    ]
    if any(p.fullmatch("") for p in patterns):
        return every_unit, False
    if serial and patterns:
        if any(p.fullmatch(serial) for p in patterns):
            return every_unit, True
        return None, True
    return RecallStatus.CHECK_SERIAL, bool(patterns)


def _possible_match_text(matches: list[dict], brand_only: bool) -> str:
    """Name the recalled product the description fits best, then the other recalled models
    that fit it too; for a brand alone, the brand's recalled models."""
    models = list(dict.fromkeys(m for match in matches for m in match["models"]))
    if brand_only:
        return _("%(brand)s has recalled power banks (%(models)s): check the model number on "
                 "the label.", brand=matches[0]["brand"],
                 models=", ".join(models[:8]) + (" …" if len(models) > 8 else ""))
    first = matches[0]
    text = _("The %(product)s, model %(models)s, is recalled (%(agency)s): check the model "
             "number on the label.", product=product_name(first).split(";")[0].strip(),
             models=first["models"][0], agency=first["agency"])
    others = [m for m in models if m not in first["models"]]
    if others:
        text += " " + _("Other recalled models that fit this description: %(models)s.",
                        models=", ".join(others[:8]) + (" …" if len(others) > 8 else ""))
    return text


def product_name(recall: dict) -> str:
    """Brand and product, without repeating a brand the product name already starts with."""
    product, brand = recall["product"], recall["brand"]
    return product if product.casefold().startswith(brand.casefold()) else f"{brand} {product}"


def _coverage(data: Dataset) -> dict:
    """What the recall check was made against, for "not on any of the N recalls we hold"."""
    key = ("recall_coverage",)
    found = data.memo.get(key)
    if found is None:
        dates = [r["date"] for r in data.recalls if r["date"]]
        found = data.memo[key] = {
            "recalls": len(data.recalls),
            "agencies": len({r["agency"] for r in data.recalls}),
            "newest": max(dates, default=None),
        }
    return found


_PUBLIC_RECALL_FIELDS = (
    "recall_id", "agency", "jurisdiction", "recall_number", "date", "brand", "product",
    "models", "scope", "scope_detail", "hazard", "remedy", "remedy_url", "how_to_identify",
    "source_url", "source_kind", "checked", "confidence",
)


def public_recall(recall: dict) -> dict:
    """A recall record as the API and pages show it (internal fields dropped)."""
    return {key: recall[key] for key in _PUBLIC_RECALL_FIELDS}


def _recall_reason(recall: dict, finding: Finding) -> dict:
    first = recall["matches"][0]
    return {
        "issuer": first["agency"],
        "scope": "recall",
        "verdict": finding.verdict.value,
        "text": finding.why,
        "effective_from": first["date"],
        "source_url": first["source_url"],
        "source_kind": first["source_kind"],
        "checked": first["checked"],
        "confidence": first["confidence"],
        "rule_id": None,
        "recall_id": first["recall_id"],
    }


# --- One rule against one device --------------------------------------------------------------


def judge_rule(rule: dict, device: Device, wh: float | None) -> Finding:
    """What one rule version says about the device. Only limits the rule sets count."""
    parts: list[Finding] = []
    conditions: dict = {CONDITION_BY_CODE[code]: {} for code in rule["conditions"]}
    limit_a, limit_b = rule["max_wh_no_approval"], rule["max_wh_with_approval"]
    # "under 100 Wh" (Emirates) rather than "up to" / "not exceeding": 100 Wh itself is over.
    exclusive = bool(rule.get("wh_limit_exclusive"))
    in_approval_band = False

    if rule["requires_wh_label"]:
        conditions[Condition.CAPACITY_LABEL_REQUIRED] = {}
        if device.unlabelled:
            parts.append(Finding(Verdict.FORBIDDEN, _(
                "%(issuer)s refuses power banks whose capacity is not marked.",
                issuer=rule["issuer"])))

    if limit_a is not None or limit_b is not None:
        within_a = limit_a is not None and wh is not None and (
            wh < limit_a if exclusive else wh <= limit_a)
        if wh is None:
            if not (device.unlabelled and rule["requires_wh_label"]):
                parts.append(Finding(
                    Verdict.NEED_MORE_INFO,
                    _("The capacity is needed: %(issuer)s sets limits in watt-hours.",
                      issuer=rule["issuer"]),
                    missing=["wh"],
                ))
        elif within_a and exclusive:
            parts.append(Finding(Verdict.ALLOWED, _(
                "%(wh)s Wh is under the %(limit)s Wh limit of %(issuer)s.",
                wh=format_number(wh), limit=format_number(limit_a), issuer=rule["issuer"])))
        elif within_a:
            parts.append(Finding(Verdict.ALLOWED, _(
                "%(wh)s Wh is within the %(limit)s Wh limit of %(issuer)s.",
                wh=format_number(wh), limit=format_number(limit_a), issuer=rule["issuer"])))
        elif limit_a is not None and limit_b is not None and wh <= limit_b:
            in_approval_band = True
            conditions[Condition.AIRLINE_APPROVAL] = {}
            parts.append(Finding(Verdict.APPROVAL_REQUIRED, _(
                "%(wh)s Wh is over %(limit_a)s Wh: %(issuer)s allows up to %(limit_b)s Wh only "
                "with the airline's approval.",
                wh=format_number(wh), limit_a=format_number(limit_a),
                limit_b=format_number(limit_b),
                issuer=rule["issuer"])))
        elif limit_a is None and wh <= limit_b:
            parts.append(Finding(Verdict.ALLOWED, _(
                "%(wh)s Wh is within the %(limit)s Wh limit of %(issuer)s.",
                wh=format_number(wh), limit=format_number(limit_b), issuer=rule["issuer"])))
        elif exclusive and limit_b is None:
            parts.append(Finding(Verdict.FORBIDDEN, _(
                "%(issuer)s allows only power banks under %(limit)s Wh; this one is %(wh)s Wh.",
                wh=format_number(wh), limit=format_number(limit_a), issuer=rule["issuer"])))
        else:
            top = limit_b if limit_b is not None else limit_a
            parts.append(Finding(Verdict.FORBIDDEN, _(
                "%(wh)s Wh is over the %(limit)s Wh limit of %(issuer)s.",
                wh=format_number(wh), limit=format_number(top), issuer=rule["issuer"])))

    count_limit = rule["max_count_total"]
    if in_approval_band and rule["max_count_approval_band"] is not None:
        band = rule["max_count_approval_band"]
        count_limit = band if count_limit is None else min(count_limit, band)
    if count_limit is not None:
        conditions[Condition.MAX_COUNT] = {"limit": count_limit}
        if device.count > count_limit:
            parts.append(Finding(Verdict.FORBIDDEN, ngettext(
                "%(issuer)s allows at most %(limit)s such power bank per passenger; you carry "
                "%(count)s.",
                "%(issuer)s allows at most %(limit)s such power banks per passenger; you carry "
                "%(count)s.",
                count_limit, issuer=rule["issuer"], limit=count_limit, count=device.count)))
    # Korea: up to 5 without approval; 6 or more with the airline's approval (and a sticker).
    free_count = rule.get("max_count_no_approval")
    if (free_count is not None and device.count > free_count
            and (count_limit is None or device.count <= count_limit)):
        conditions[Condition.AIRLINE_APPROVAL] = {}
        parts.append(Finding(Verdict.APPROVAL_REQUIRED, _(
            "%(issuer)s allows %(limit)s power banks per passenger without approval; "
            "%(count)s need the airline's approval.",
            issuer=rule["issuer"], limit=free_count, count=device.count)))

    if rule["requires_certification"] == "CCC":
        conditions[Condition.CCC_MARK_REQUIRED] = {}
        if device.ccc is False:
            parts.append(Finding(Verdict.FORBIDDEN, _(
                "%(issuer)s refuses power banks without a clear CCC (3C) mark on these flights.",
                issuer=rule["issuer"])))
        elif device.ccc is None:
            parts.append(Finding(
                Verdict.NEED_MORE_INFO,
                _("%(issuer)s requires a clear CCC (3C) mark: check the label.",
                  issuer=rule["issuer"]),
                missing=["ccc"],
            ))

    if rule["inflight_use_allowed"] is False:
        conditions[Condition.NO_INFLIGHT_USE] = {}
    if rule["inflight_charging_allowed"] is False:
        conditions[Condition.NO_INFLIGHT_CHARGING] = {}

    if not parts:
        parts.append(Finding(Verdict.ALLOWED, _(
            "%(issuer)s sets no capacity or count limit that this power bank exceeds.",
            issuer=rule["issuer"])))
    verdict = strictest(p.verdict for p in parts)
    deciding = [p for p in parts if p.verdict == verdict]
    missing = [m for p in parts for m in p.missing]
    why = join(" ", [p.why for p in deciding])
    if rule.get("divergence_applied"):
        why += " " + _(
            "%(issuer)s states that these domestic flights do not follow %(baseline)s: "
            "%(statement)s",
            issuer=rule["issuer"], baseline=", ".join(rule["divergence_applied"]),
            statement=rule.get("divergence") or "")
    return Finding(verdict, why, conditions, missing)


def _rule_reason(rule: dict, finding: Finding) -> dict:
    return {
        "issuer": rule["issuer"],
        "scope": rule["scope"],
        "verdict": finding.verdict.value,
        "text": finding.why,
        "effective_from": rule["effective_from"].isoformat() if rule["effective_from"] else None,
        "source_url": rule["source_url"],
        "source_kind": rule["source_kind"],
        "checked": rule["checked"].isoformat(),
        "confidence": rule["confidence"],
        "rule_id": rule["rule_id"],
        "recall_id": None,
    }


# --- Putting the answer together --------------------------------------------------------------

CONDITION_TEXT = {
    Condition.CARRY_ON_ONLY: N_("Carry it in cabin baggage or on you; never in checked baggage."),
    Condition.PROTECT_TERMINALS: N_(
        "Protect it against short circuit: original packaging, tape over the ports, or a "
        "separate pouch."),
    Condition.AIRLINE_APPROVAL: N_("Ask the airline for approval before you fly."),
    Condition.MAX_COUNT: N_("Power banks per passenger: at most %(limit)s."),
    Condition.NO_INFLIGHT_USE: N_("Do not use it to charge devices on board."),
    Condition.NO_INFLIGHT_CHARGING: N_("Do not recharge it on board (seat USB or power outlet)."),
    Condition.KEEP_ACCESSIBLE: N_(
        "Keep it where you can see and reach it (on you, seat pocket or under the seat), not in "
        "the overhead bin."),
    Condition.CCC_MARK_REQUIRED: N_("It must bear a clear CCC (3C) mark."),
    Condition.CAPACITY_LABEL_REQUIRED: N_("Its capacity (Wh, or mAh and V) must be legible on it."),
    Condition.SWITCH_OFF: N_("Switch it off during the flight."),
}


def condition_text(code: Condition, **params) -> str:
    return _(CONDITION_TEXT[code], **params)


def _merge_conditions(rule_findings) -> list[dict]:
    merged: dict[Condition, dict] = {}
    for rule, finding in rule_findings:
        for code, params in finding.conditions.items():
            current = merged.get(code)
            stricter = (
                code == Condition.MAX_COUNT
                and current is not None
                and params["limit"] < current["limit"]
            )
            if current is None or stricter:
                merged[code] = {
                    "code": code.value,
                    "text": condition_text(code, **params),
                    "issuer": rule["issuer"],
                    "source_url": rule["source_url"],
                    **params,
                }
    return [merged[code] for code in CONDITION_ORDER if code in merged]


def _rules_verdict(rules, device, wh) -> Verdict:
    return strictest(judge_rule(rule, device, wh).verdict for rule in rules)


def _assumptions(device, capacity, rules, trip) -> list[str]:
    notes = []
    if capacity.source == WhSource.CATALOGUE:
        notes.append(_(
            "Capacity taken from our model catalogue (%(wh)s Wh); check it against the label.",
            wh=format_number(capacity.wh)))
    if capacity.mah_at_assumed_voltage is not None:
        notes.append(_(
            "No cell voltage given: assumed %(v)s V, the usual lithium-ion nominal voltage. "
            "Do not use the 5 V USB output voltage: it is not the cell voltage.",
            v=DEFAULT_CELL_VOLTAGE))
    if capacity.source == WhSource.USB_VOLTAGE:
        notes.append(_(
            "%(v)s V is a USB output voltage, not the cell voltage, so it was not used. At the "
            "usual cell voltage of %(cell)s V, %(mah)s mAh would be %(wh)s Wh (the likely "
            "value): enter the Wh or the cell voltage printed on the label.",
            v=format_number(capacity.usb_voltage), cell=DEFAULT_CELL_VOLTAGE,
            mah=format_number(device.mah),
            wh=format_number(wh_from_mah(device.mah, DEFAULT_CELL_VOLTAGE))))
    if device.unlabelled:
        notes.append(_(
            "The capacity label is missing or unreadable: without it the capacity cannot be "
            "shown to staff, and some authorities and airlines refuse such power banks."))
    if trip.origin is None and trip.destination is None:
        notes.append(_("No route given: only the international baseline and the airline's own "
                       "rules were applied."))
    return notes


VERDICT_WORDS = {
    Verdict.ALLOWED: N_("ALLOWED"),
    Verdict.APPROVAL_REQUIRED: N_("AIRLINE APPROVAL NEEDED"),
    Verdict.NEED_MORE_INFO: N_("MORE INFORMATION NEEDED"),
    Verdict.FORBIDDEN: N_("FORBIDDEN"),
}


def verdict_word(verdict: Verdict) -> str:
    """The verdict as the pages write it, in the reader's language (never the API code)."""
    return _(VERDICT_WORDS[verdict])


def capacity_notices(device, capacity, rules, verdict) -> list[dict]:
    """``assumed_voltage_borderline``: the capacity came from mAh at the assumed 3.7 V and
    the verdict would differ at 3.6 V or 3.85 V, the usual range of cell voltages."""
    if capacity.mah_at_assumed_voltage is None:
        return []
    mah = capacity.mah_at_assumed_voltage
    # When something other than the rules (a recall) sets a stricter verdict, it holds at
    # any voltage.
    by_rules = _rules_verdict(rules, device, capacity.wh)
    for volts in CELL_VOLTAGE_RANGE:
        wh_at = wh_from_mah(mah, volts)
        other = _rules_verdict(rules, device, wh_at)
        if verdict != by_rules:
            other = strictest([other, verdict])
        if other != verdict:
            return [{
                "code": Notice.ASSUMED_VOLTAGE_BORDERLINE.value,
                "text": _(
                    "The verdict depends on the cell voltage, which was not given: at %(v)s V "
                    "this is %(wh)s Wh and the answer would be %(verdict)s. Check the label "
                    "for the Wh or the cell voltage.",
                    v=volts, wh=format_number(wh_at), verdict=verdict_word(other)),
                "v": volts,
                "wh": wh_at,
                "verdict": other.value,
            }]
    return []


def _headline(verdict: Verdict, deciding: Finding | None) -> str:
    why = deciding.why if deciding else ""
    if verdict == Verdict.ALLOWED:
        return _("Allowed in cabin baggage, under the conditions below.")
    if verdict == Verdict.APPROVAL_REQUIRED:
        return _("Needs the airline's approval: %(why)s", why=why)
    if verdict == Verdict.FORBIDDEN:
        return _("Forbidden: %(why)s", why=why)
    return _("More information needed: %(why)s", why=why)


# --- Whole itineraries ------------------------------------------------------------------------


def evaluate_itinerary(device: Device, trips: list[Trip], data: Dataset) -> Answer:
    """Check every leg; the overall answer is the strictest leg's, with the conditions of all
    legs (the traveller must meet each of them) and the smallest count limit. A single trip
    gives the plain answer of :func:`evaluate`."""
    if len(trips) == 1:
        return evaluate(device, trips[0], data)
    legs = [evaluate(device, trip, data) for trip in trips]
    worst = max(range(len(legs)), key=lambda i: legs[i].verdict.severity)
    decisive = legs[worst]
    conditions: dict[str, dict] = {}
    for leg in legs:
        for condition in leg.conditions:
            current = conditions.get(condition["code"])
            if current is None or condition.get("limit", 0) < current.get("limit", 0):
                conditions[condition["code"]] = condition
    order = [c.value for c in CONDITION_ORDER]
    missing = list(dict.fromkeys(m for leg in legs for m in leg.missing))
    all_notices = [n for leg in legs for n in leg.notices]
    headline = decisive.headline
    if len(legs) > 1:
        trip = decisive.trip
        headline = _("Flight %(n)s (%(route)s) decides: %(headline)s",
                     n=worst + 1, route=_route_label(trip), headline=decisive.headline)
    return Answer(
        verdict=decisive.verdict,
        headline=headline,
        device=decisive.device,
        recall=decisive.recall,
        conditions=[] if decisive.verdict == Verdict.FORBIDDEN else sorted(
            conditions.values(), key=lambda c: order.index(c["code"])),
        reasons=decisive.reasons,
        missing=missing,
        trip=decisive.trip,
        data_version=data.version,
        legs=legs,
        strictest_leg=worst,
        # What any flight's answer says about its coverage holds for the trip (each once).
        notices=[n for i, n in enumerate(all_notices) if n not in all_notices[:i]],
    )


def _route_label(trip: dict) -> str:
    parts = [trip["airline"] or "", f"{trip['origin'] or '?'}→{trip['destination'] or '?'}"]
    return " ".join(p for p in parts if p)
