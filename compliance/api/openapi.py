"""The OpenAPI 3.1 description of the public API (``/api/openapi.json``), as data.

This module is the API's written contract: the docs page (``/api/docs``) is rendered from it and
the test suite checks that it lists exactly the routes the app serves and that real responses
validate against its schemas. Verdicts, condition codes and other enumerations come from
:mod:`compliance.core.vocabulary`, so the spec cannot drift from the engine's words.

v1 stability promise: fields may be added to responses; no field is renamed or removed, and the
meaning of verdicts and condition codes does not change.
"""

from copy import deepcopy

from compliance.core.capacity import WhSource
from compliance.core.params import MAX_COUNT, MAX_MAH, MAX_MODEL, MAX_TEXT, MAX_WH
from compliance.core.vocabulary import (
    AIRLINE_CODE,
    AIRPORT_CODE,
    MAX_LEGS,
    AppliesTo,
    Condition,
    Confidence,
    Notice,
    RecallScope,
    RecallStatus,
    Scope,
    SourceKind,
    Verdict,
)
from compliance.web.problems import PROBLEM_TYPE_BASE, PROBLEM_TYPES

API_VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


_STRING = {"type": "string"}
#: Dates from 2000-01-01 to 2100-12-31 (compliance.core.params.MIN_DATE, MAX_DATE).
_DATE = {"type": "string", "format": "date", "pattern": r"^(20\d{2}|2100)-\d{2}-\d{2}$"}
#: Text without control characters (compliance.core.params refuses them, naming the parameter),
#: except the whitespace it strips from both ends.
#: An empty (or blank) value, which every optional input takes to mean "not given".
_BLANK = {"type": "string", "pattern": r"^\s*$"}
#: No bidirectional controls either: they are refused (see compliance.core.identify).
_NO_CONTROL = (r"^\s*[^\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e"
               r"\u2066-\u2069]*\s*$")
_DATETIME = {"type": "string", "format": "date-time"}
_URL = {"type": "string", "format": "uri"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_NUMBER_OR_NULL = {"type": ["number", "null"]}
_INT_OR_NULL = {"type": ["integer", "null"]}
_BOOL_OR_NULL = {"type": ["boolean", "null"]}
_SOURCE_KIND = {
    "enum": [*(k.value for k in SourceKind), None],
    "description": "Who published `source_url`: `official` (the issuer's own page), "
                   "`government_news` (a government outlet quoting it), `news`, `other`; "
                   "null where not yet classified.",
}
_CONFIDENCE = {"enum": [c.value for c in Confidence]}


def _object(properties: dict, required=None, additional=True, description=None) -> dict:
    schema = {
        "type": "object",
        "required": list(properties) if required is None else required,
        "properties": properties,
    }
    if not additional:
        schema["additionalProperties"] = False
    if description:
        schema["description"] = description
    return schema


SCHEMAS = {
    "Problem": _object(
        {
            "type": {"type": "string", "description": "Link to this problem type's "
                     "description: " + PROBLEM_TYPE_BASE + "<slug>.",
                     "enum": [PROBLEM_TYPE_BASE + slug for slug in PROBLEM_TYPES]},
            "title": _STRING,
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": _STRING,
            "param": {"type": "string", "description": "The offending parameter or field "
                      "(the first, when several are wrong)."},
            "errors": {"type": "array", "items": _object({"param": _STRING, "detail": _STRING}),
                       "description": "Invalid parameter: every bad parameter or field found, "
                       "all at once, in order; the first is `param` and `detail`."},
            "retry_after": {"type": "integer", "minimum": 1,
                            "description": "Seconds to wait (429 only)."},
            "candidates": {"type": "array", "items": {"type": "object", "properties": {
                "code": _STRING, "name": _STRING}, "required": ["code", "name"]},
                "description": "For an airline or airport that is not a code we know, or a "
                               "name that fits several: the airlines (`Airline`) or airports "
                               "(`Airport`) it may mean, to choose from."},
        },
        required=["type", "title", "status", "detail"],
        description="RFC 9457 problem details (`application/problem+json`).",
    ),
    "RecallMatch": _object(
        {
            "recall_id": _STRING,
            "agency": {"type": "string", "description": "CPSC, Health Canada, ACCC, SAMR, ..."},
            "jurisdiction": _STRING,
            "recall_number": _TEXT_OR_NULL,
            "date": _nullable(_DATE),
            "brand": _STRING,
            "product": _STRING,
            "models": {"type": "array", "items": _STRING, "minItems": 1},
            "scope": {"enum": [s.value for s in RecallScope],
                      "description": "`model`: every unit; otherwise only some units."},
            "scope_detail": _TEXT_OR_NULL,
            "hazard": _TEXT_OR_NULL,
            "remedy": _TEXT_OR_NULL,
            "remedy_url": _nullable(_URL),
            "how_to_identify": _TEXT_OR_NULL,
            "source_url": _URL,
            "source_kind": _SOURCE_KIND,
            "checked": _DATE,
            "confidence": _CONFIDENCE,
        },
        description="A recall record, with its official source.",
    ),
    "Condition": _object(
        {
            "code": {"enum": [c.value for c in Condition]},
            "text": _STRING,
            "issuer": _STRING,
            "source_url": _URL,
            "limit": {"type": "integer", "minimum": 0,
                      "description": "Only for `max_count`: power banks per passenger."},
        },
        required=["code", "text", "issuer", "source_url"],
    ),
    "Reason": _object(
        {
            "issuer": _STRING,
            "scope": {"enum": ["recall", *[s.value for s in Scope]]},
            "verdict": _ref("Verdict"),
            "text": _STRING,
            "effective_from": _nullable(_DATE),
            "source_url": _URL,
            "source_kind": _SOURCE_KIND,
            "checked": _DATE,
            "confidence": _CONFIDENCE,
            "rule_id": _TEXT_OR_NULL,
            "recall_id": _TEXT_OR_NULL,
        },
        required=["issuer", "scope", "verdict", "text", "effective_from", "source_url",
                  "checked", "confidence"],
    ),
    "Notice": _object(
        {
            "code": {"enum": [n.value for n in Notice]},
            "text": _STRING,
            "airline": {"type": "string", "description": "`no_airline_rules`: the airline's "
                        "IATA code."},
            "url": {**_nullable(_URL), "description": "`no_airline_rules`: the airline's "
                    "website where the airline list gives one, else null."},
        },
        required=["code", "text"],
        description="`no_airline_rules`: we hold no rule of the airline's own (its own rules "
                    "may be stricter); `recall_not_checked`: no model was given, so no recall "
                    "was checked; `travel_date_passed`: the rules of that past date were "
                    "applied; `assumed_voltage_borderline`: the verdict changes between 3.6 V "
                    "and 3.85 V.",
    ),
    "Verdict": {
        "enum": [v.value for v in Verdict],
        "description": "`allowed`, `approval_required` (ask the airline), `need_more_info` "
                       "(see `missing`), `forbidden`.",
    },
    "Device": _object(
        {
            "model": _TEXT_OR_NULL,
            "brand": _TEXT_OR_NULL,
            "product": _TEXT_OR_NULL,
            "serial": _TEXT_OR_NULL,
            "wh": _NUMBER_OR_NULL,
            "wh_source": {"enum": [WhSource.LABEL_WH, WhSource.MAH_AND_VOLTAGE,
                                   WhSource.MAH_ASSUMED_VOLTAGE, WhSource.CATALOGUE,
                                   WhSource.USB_VOLTAGE, WhSource.UNKNOWN],
                          "description": "`usb_voltage`: `v` is a USB output voltage (5, 9, "
                                         "12, 15 or 20 V), not a cell voltage, so no Wh was "
                                         "worked out from it (`wh` is null, `missing` asks "
                                         "for `wh` or `v`)."},
            "mah": _NUMBER_OR_NULL,
            "v": _NUMBER_OR_NULL,
            "count": {"type": "integer", "minimum": 1},
            "ccc": _BOOL_OR_NULL,
            "unlabelled": {"type": "boolean"},
            "assumptions": {"type": "array", "items": _STRING},
            "identified_as": _nullable(_object(
                {
                    "model": _STRING,
                    "brand": _STRING,
                    "product": _STRING,
                    "match": {"enum": ["model", "alias", "name"]},
                    "source": {"enum": ["recall", "catalogue"]},
                },
                description="The model the input resolved to: by its model number (`model`), "
                            "by a spelling a recall notice uses (`alias`), or by the "
                            "product's name (`name`; then the label's model number confirms "
                            "it). Null when nothing was recognised.",
            )),
        },
        required=["model", "brand", "product", "wh", "wh_source", "count", "assumptions",
                  "identified_as"],
        description="The power bank as understood, with the capacity used.",
    ),
    "Trip": _object(
        {
            "airline": _TEXT_OR_NULL,
            "origin": _TEXT_OR_NULL,
            "destination": _TEXT_OR_NULL,
            "origin_country": _TEXT_OR_NULL,
            "destination_country": _TEXT_OR_NULL,
            "kind": {"enum": ["domestic", "international", "unknown"]},
            "date": _DATE,
        },
    ),
    "Answer": _object(
        {
            "verdict": _ref("Verdict"),
            "headline": _STRING,
            "device": _ref("Device"),
            "recall": _object({
                "status": {
                    "enum": [s.value for s in RecallStatus],
                    "description": "`recalled`: every unit of the identified model; `warning`: "
                                   "an agency tells the public to stop using it (treated like "
                                   "a recall); `check_serial`: some units, the serial decides; "
                                   "`possible_match`: the description names a recalled "
                                   "product but no model number confirms it (the verdict is "
                                   "`need_more_info`, `missing` has `model`); `not_listed`: "
                                   "on no recall list we hold; `not_checked`: no model or "
                                   "name given.",
                },
                "matches": {"type": "array", "items": {"allOf": [
                    _ref("RecallMatch"),
                    _object({
                        "status": {"enum": [RecallStatus.RECALLED.value,
                                            RecallStatus.WARNING.value,
                                            RecallStatus.CHECK_SERIAL.value,
                                            RecallStatus.POSSIBLE_MATCH.value]},
                        "match": {"enum": ["model", "alias", "name"],
                                  "description": "How the recall was matched: the model "
                                                 "number, a spelling the notice uses, or "
                                                 "the product's name only."},
                        "serial_checkable": {
                            "type": "boolean",
                            "description": "The recall publishes the affected serial or "
                                           "batch codes exactly, so a `serial` settles it."},
                    }),
                ]}},
                "checked_against": _object({
                    "recalls": {"type": "integer", "minimum": 0},
                    "agencies": {"type": "integer", "minimum": 0},
                    "newest": _nullable(_DATE),
                }, description="The recall lists the check used."),
            }),
            "conditions": {"type": "array", "items": _ref("Condition")},
            "reasons": {"type": "array", "items": _ref("Reason")},
            "missing": {"type": "array", "items": {"enum": ["wh", "v", "ccc", "serial", "model"]},
                        "description": "What would settle a `need_more_info` verdict."},
            "trip": _ref("Trip"),
            "data_version": _STRING,
            "notices": {"type": "array", "items": _ref("Notice"),
                        "description": "What the answer says about its own coverage."},
        },
        description="The engine's answer for one trip.",
    ),
    "CheckAnswer": {"allOf": [_ref("Answer"), _object({
        "read_as": {"type": "array", "items": _ref("Reading"),
                    "description": "Airline and airport names given instead of codes, and "
                                   "the code each was read as."},
        "result_url": {**_URL, "description": "The signed, verifiable result (the QR code's "
                       "URL). Upper-case so that it encodes compactly in a QR code."},
        "qr_svg_url": _URL,
        "issued_at": _DATETIME,
    })]},
    "ItineraryAnswer": {"allOf": [_ref("CheckAnswer"), _object({
        "strictest_leg": {"type": "integer", "minimum": 0, "maximum": MAX_LEGS - 1,
                          "description": "Index in `legs` of the leg that decides."},
        "legs": {"type": "array", "minItems": 1, "maxItems": MAX_LEGS,
                 "items": _ref("Answer")},
    })], "description": "The strictest leg's verdict, the conditions of every leg, and each "
                        "leg's own answer."},
    "DeviceInput": _object(
        {
            "model": {"type": ["string", "null"], "maxLength": MAX_MODEL, "pattern": _NO_CONTROL},
            "brand": {"type": ["string", "null"], "maxLength": MAX_TEXT, "pattern": _NO_CONTROL},
            "serial": {"type": ["string", "null"], "maxLength": MAX_TEXT,
                       "pattern": _NO_CONTROL},
            "wh": {"type": ["number", "string", "null"], "exclusiveMinimum": 0,
                   "maximum": MAX_WH, "description": "A number, or text as in `GET` (`99,9`)."},
            "mah": {"type": ["number", "string", "null"], "exclusiveMinimum": 0,
                    "maximum": MAX_MAH},
            "v": {"type": ["number", "string", "null"], "exclusiveMinimum": 0, "maximum": 60},
            "count": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_COUNT},
            "ccc": _BOOL_OR_NULL,
            "unlabelled": _BOOL_OR_NULL,
        },
        required=[], additional=False,
    ),
    "LegInput": _object(
        {
            "airline": {"type": ["string", "null"], "maxLength": MAX_TEXT, "pattern": _NO_CONTROL,
                        "description": "IATA or ICAO code, or a name that fits one airline "
                                       "(see `GET /api/v1/check`)."},
            "origin": {"type": ["string", "null"], "maxLength": MAX_TEXT, "pattern": _NO_CONTROL,
                       "description": "IATA or ICAO code, or a name or city that fits one "
                                      "airport."},
            "destination": {"type": ["string", "null"], "maxLength": MAX_TEXT,
                            "pattern": _NO_CONTROL, "description": "As `origin`."},
            "date": {"oneOf": [_DATE, _BLANK, {"type": "null"}]},
        },
        required=[], additional=False,
    ),
    "ItineraryRequest": _object(
        {
            "device": _ref("DeviceInput"),
            "legs": {"type": "array", "minItems": 1, "maxItems": MAX_LEGS,
                     "items": _ref("LegInput")},
        },
        required=["device", "legs"], additional=False,
    ),
    "Page": _object(
        {
            "data_version": _STRING,
            "total": {"type": "integer", "minimum": 0,
                      "description": "Items matching the filters, over all pages."},
            "limit": {"type": "integer", "minimum": 1},
            "offset": {"type": "integer", "minimum": 0},
            "next_offset": {**_INT_OR_NULL, "description": "`offset` of the next page; null "
                                                           "on the last page."},
        },
    ),
    "Airline": _object({
        "code": {"type": "string", "pattern": f"^{AIRLINE_CODE}$", "description": "IATA code."},
        "icao": _TEXT_OR_NULL,
        "name": _STRING,
        "country": _TEXT_OR_NULL,
        "has_rules": {"type": "boolean",
                      "description": "Whether we hold the airline's own power bank rules."},
    }),
    "Airport": _object({
        "code": {"type": "string", "pattern": f"^{AIRPORT_CODE}$", "description": "IATA code."},
        "icao": _TEXT_OR_NULL,
        "name": _STRING,
        "city": _TEXT_OR_NULL,
        "country": _STRING,
    }, description="An airport of `airportsdata` (MIT); the names of the cities it serves in "
                   "Chinese, Japanese and Korean come from GeoNames (CC BY 4.0).",),
    "Reading": _object({
        "param": {"type": "string", "description": "The field, e.g. `origin` or "
                                                   "`legs[1].airline`."},
        "typed": _STRING,
        "code": _STRING,
        "name": _STRING,
    }, required=["param", "typed", "code", "name"],
        description="A name that was read as a code: \"Emirates\" as EK."),
    "Rule": _object(
        {
            "rule_id": _STRING,
            "series": {"type": "string", "description": "Versions of one rule share a series; "
                       "the newest in force on the travel date applies."},
            "scope": {"enum": [s.value for s in Scope]},
            "issuer": _STRING,
            "airline": _TEXT_OR_NULL,
            "country": _TEXT_OR_NULL,
            "applies_to": {"enum": [a.value for a in AppliesTo],
                           "description": "`international`, `departures` (flights leaving the "
                                          "country), `departures_and_arrivals` (flights leaving "
                                          "or arriving in it), `domestic`, `national_carriers`, "
                                          "`operated_flights` (the airline's own)."},
            "effective_from": _nullable(_DATE),
            "max_wh_no_approval": _NUMBER_OR_NULL,
            "max_wh_with_approval": _NUMBER_OR_NULL,
            "max_count_total": _INT_OR_NULL,
            "max_count_approval_band": _INT_OR_NULL,
            "max_count_no_approval": {**_INT_OR_NULL, "description": "Most power banks allowed "
                                      "without the airline's approval; more (up to "
                                      "`max_count_total`, where set) need it."},
            "wh_limit_exclusive": {**_BOOL_OR_NULL, "description": "true: the source says "
                                   "\"under\" `max_wh_no_approval`, so a unit of exactly that "
                                   "Wh is over it."},
            "diverges_from": {"type": ["array", "null"], "items": _STRING,
                              "description": "International rule versions (`rule_id`) that, "
                                             "as this rule's source states, the state does not "
                                             "apply on its domestic flights."},
            "divergence": {**_TEXT_OR_NULL, "description": "The source's statement of that "
                                                            "divergence."},
            "inflight_use_allowed": _BOOL_OR_NULL,
            "inflight_charging_allowed": _BOOL_OR_NULL,
            "requires_wh_label": _BOOL_OR_NULL,
            "requires_certification": {"enum": ["CCC", None]},
            "conditions": {"type": "array", "items": {"enum": [c.value for c in Condition]}},
            "storage": _TEXT_OR_NULL,
            "notes": _TEXT_OR_NULL,
            "source_url": _URL,
            "source_kind": _SOURCE_KIND,
            "other_sources": {"type": "array", "items": _URL},
            "checked": _DATE,
            "confidence": _CONFIDENCE,
        },
        description="One version of one issuer's carriage rule (data/README.md explains every "
                    "field).",
    ),
    "ModelSuggestion": _object({
        "model": {"type": "string", "description": "As printed on the label."},
        "model_key": {"type": "string", "description": "The normalised form compared."},
        "brand": _STRING,
        "product": _STRING,
        "source": {"enum": ["recall", "catalogue"],
                   "description": "`recall`: listed in a recall; `catalogue`: our capacity "
                                  "catalogue."},
        "models": {"type": "array", "items": _STRING, "minItems": 1,
                   "description": "Every model number of this product found for `q`."},
        "recall_status": {"enum": [RecallStatus.RECALLED.value, RecallStatus.WARNING.value,
                                   RecallStatus.CHECK_SERIAL.value, None],
                          "description": "As the check would say it with no serial known; "
                                         "null: on no recall list we hold."},
        "agencies": {"type": "array", "items": _STRING,
                     "description": "Who recalled it."},
        "match": {"enum": ["model", "name"],
                  "description": "Found by the start of its model number, or by its name."},
        "mah": _NUMBER_OR_NULL,
        "wh": _NUMBER_OR_NULL,
    }),
}


def _page_of(item: str) -> dict:
    return {"allOf": [_ref("Page"), _object({"items": {"type": "array", "items": _ref(item)}})]}


SCHEMAS["Verification"] = _object(
    {
        "valid": {"const": True},
        "token": _STRING,
        "code": {"type": "string", "description": "The code printed under the QR code, for "
                                                  "typing in at /v."},
        "issued_at": _DATETIME,
        "age_days": {"type": "number", "minimum": 0},
        "max_age_days": {"type": "integer"},
        "stale": {"type": "boolean", "description": "Older than `max_age_days`: ask for a new "
                                                    "check."},
        "verdict_at_issue": _ref("Verdict"),
        "verdict": {**_ref("Verdict"), "description": "Re-checked now against today's data; "
                    "a flight whose date has passed is re-checked as if flown today, under "
                    "today's rules (notice `travel_date_passed`)."},
        "notices": {"type": "array", "items": _ref("Notice")},
        "changed": {"type": "boolean"},
        "changed_reason": _TEXT_OR_NULL,
        "headline": _STRING,
        "device": _ref("Device"),
        "decision": {**_object({"code": {"type": "string", "enum": [
            "refuse_recalled", "refuse", "check_serial", "ask_approval", "accept_if_label",
            "accept_if_ccc", "new_check"]}, "text": _STRING}),
            "description": "What staff do, in one line (\"Refuse: recalled model\", \"Accept "
                           "if the label shows: ...\"), before the label checks."},
        "label_checks": {"type": "array", "items": _object({"code": _STRING, "text": _STRING}),
                         "description": "What staff should compare on the label."},
        "conditions": {"type": "array", "items": _ref("Condition")},
        "recall": {"type": "object"},
        "reasons": {"type": "array", "items": _ref("Reason")},
        "missing": {"type": "array", "items": _STRING},
        "trip": _ref("Trip"),
        "legs": _nullable({"type": "array", "items": _object(
            {"verdict": _ref("Verdict"), "headline": _STRING, "trip": _ref("Trip")})}),
        "strictest_leg": _INT_OR_NULL,
        "data_version": _STRING,
        "checked_at": _DATETIME,
        "result_url": _URL,
        "card_url": _URL,
        "qr_svg_url": _URL,
        "qr_png_url": _URL,
    },
    required=["valid", "token", "issued_at", "stale", "verdict_at_issue", "verdict",
              "changed", "headline", "device", "conditions", "reasons", "trip",
              "data_version", "result_url"],
    description="A signed result verified and re-checked against today's data.",
)
SCHEMAS["AirlinePage"] = _page_of("Airline")
SCHEMAS["AirportPage"] = _page_of("Airport")
SCHEMAS["RecallPage"] = _page_of("RecallMatch")
SCHEMAS["RulePage"] = _page_of("Rule")
SCHEMAS["ModelSuggestions"] = _object({
    "data_version": _STRING,
    "q": _STRING,
    "key": {"type": "string", "description": "`q` normalised as model numbers are compared."},
    "items": {"type": "array", "maxItems": 50, "items": _ref("ModelSuggestion")},
})


def _query(name: str, schema: dict, description: str, required: bool = False,
           example=None) -> dict:
    if not required:
        # A form leaves unanswered fields empty: an empty value is the same as none.
        schema = {"anyOf": [schema, _BLANK]}
    parameter = {"name": name, "in": "query", "required": required, "schema": schema,
                 "description": description}
    if example is not None:
        parameter["example"] = example
    return parameter


def _paging(default: int, maximum: int) -> list[dict]:
    return [
        _query("limit", {"type": "integer", "minimum": 1, "maximum": maximum,
                         "default": default}, "Items per page.", example=default),
        _query("offset", {"type": "integer", "minimum": 0, "maximum": 1_000_000,
                          "default": 0}, "Items to skip (use `next_offset`).", example=0),
    ]


_AIRLINE_PARAM = {"type": "string", "pattern": "^[A-Za-z0-9]{2}$"}
_TEXT_PARAM = {"type": "string", "maxLength": MAX_TEXT, "pattern": _NO_CONTROL}
#: A required text: at least one character that is not a space.
_REQUIRED_TEXT_PARAM = {"type": "string", "maxLength": MAX_TEXT,
                        "pattern": r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*"
                                   r"[^\s\x00-\x1f\x7f-\x9f\u2028\u2029]"
                                   r"[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"}

NUMBER_TEXT = (' Typed text is read as people write it: a decimal comma or point (`99,9`), thousands separators (`10,000`, `10 000`, `10.000`) and the unit (`20000mAh`, `74 Wh`, `3.7V`; another unit is refused). One `,` or `.` before exactly 3 digits groups thousands in `mah`, is the decimal mark in `v`, and is refused as ambiguous in `wh` (`1,234`).')
_NAMES = (" Full-width characters count as their ASCII forms (`ＥＫ`). A code we do not know, "
          "a name that fits nothing, or one that fits several is a 400 problem with "
          "`candidates` to choose from; a name read as a code is listed in `read_as`.")

CHECK_QUERY = [
    _query("model", {"type": "string", "maxLength": MAX_MODEL, "pattern": _NO_CONTROL},
           "Model number as printed (case, spaces, hyphens, look-alike letters and a leading "
           "brand do not matter), or the product's name, or both (\"Anker PowerCore 10000 "
           "(A1263)\"): see `device.identified_as` and `recall.status` `possible_match`. Text "
           "with bidirectional control characters is refused.", example="A1263"),
    _query("brand", _TEXT_PARAM, "Brand, optional.", example="Anker"),
    _query("serial", _TEXT_PARAM, "Serial or batch code, for recalls of some units only."),
    _query("wh", {"type": "string"},
           "Capacity in Wh as printed (more than 0, at most %d)." % MAX_WH + NUMBER_TEXT,
           example="99,9"),
    _query("mah", {"type": "string"},
           "Capacity in mAh (with `v`, the cell voltage; else 3.7 V is assumed)."
           + NUMBER_TEXT, example="20000"),
    _query("v", {"type": "string"},
           "Nominal cell voltage (3.6-3.85 V), not the 5 V USB output (a USB voltage, 5, 9, "
           "12, 15 or 20 V, is not used: the answer is `need_more_info`). Needs `mah`."
           + NUMBER_TEXT, example="3,7"),
    _query("count", {"type": "integer", "minimum": 1, "maximum": MAX_COUNT, "default": 1},
           "How many such power banks the traveller carries.", example=1),
    _query("ccc", {"type": "boolean"}, "Bears China's CCC (3C) mark; absent = unknown.",
           example=True),
    _query("unlabelled", {"type": "boolean"}, "`true` when the capacity label is missing or "
           "unreadable.", example=False),
    _query("airline", _TEXT_PARAM, "Operating airline: IATA code (`EK`), ICAO code (`UAE`) "
           "or a name that fits one airline (`Emirates`)." + _NAMES, example="EK"),
    _query("origin", _TEXT_PARAM, "Departure airport: IATA code (`DXB`), ICAO code (`OMDB`) "
           "or a name or city that fits one airport (`Heathrow`, `인천`)." + _NAMES,
           example="DXB"),
    _query("destination", _TEXT_PARAM, "Arrival airport, as `origin`.", example="LHR"),
    _query("date", _DATE, "Travel date; default today (UTC). A past date is answered under "
           "the rules of that date and marked with the notice `travel_date_passed`.",
           example="2026-12-01"),
]


def _json(schema: dict, media: str = "application/json") -> dict:
    return {media: {"schema": schema}}


def _problem(description: str) -> dict:
    return {"description": description,
            "content": _json(_ref("Problem"), "application/problem+json")}


_RATE_HEADERS = {
    "RateLimit-Limit": {"schema": {"type": "integer"},
                        "description": "Requests allowed in the current window."},
    "RateLimit-Remaining": {"schema": {"type": "integer"},
                            "description": "Requests left in the current window."},
    "RateLimit-Reset": {"schema": {"type": "integer"},
                        "description": "Seconds until the window resets."},
}
_CACHE_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "Changes with the data version."},
    "Cache-Control": {"schema": {"type": "string"}},
}

COMMON_ERRORS = {
    "400": _problem("Invalid parameter (see `param`)."),
    "401": _problem("Unknown API key."),
    "429": {**_problem("Rate limit exceeded."),
            "headers": {"Retry-After": {"schema": {"type": "integer"},
                                        "description": "Seconds to wait."}}},
    "503": _problem("Database not built yet."),
}


def _ok(schema_name: str, description: str, cached: bool) -> dict:
    responses = {
        "200": {"description": description, "content": _json(_ref(schema_name)),
                "headers": {**_RATE_HEADERS, **(_CACHE_HEADERS if cached else {})}},
    }
    if cached:
        responses["304"] = {"description": "Not modified (the `If-None-Match` ETag still "
                                           "matches)."}
    return {**responses, **COMMON_ERRORS}


_CHECK_DESCRIPTION = (
    "Answers are not cacheable (`Cache-Control: no-store`): each carries a freshly signed "
    "result URL with its issue time, and the date defaults to today."
)

PATHS = {
    "/api/v1/check": {
        "get": {
            "operationId": "checkTrip",
            "summary": "Check one power bank against one trip",
            "description": "Unknown or repeated parameters are refused. " + _CHECK_DESCRIPTION,
            "parameters": CHECK_QUERY,
            "responses": _ok("CheckAnswer", "The verdict, reasons, conditions and sources.",
                             cached=False),
        },
        "post": {
            "operationId": "checkItinerary",
            "summary": "Check one power bank against an itinerary of 1 to 8 legs",
            "description": "The overall verdict is the strictest leg's; `conditions` combine "
                           "every leg's (the smallest count limit wins); `legs` holds each "
                           "leg's own answer. Unknown keys, wrong types and too many legs are "
                           "refused with a problem naming the field, e.g. `legs[1].origin`. "
                           + _CHECK_DESCRIPTION,
            "requestBody": {
                "required": True,
                "content": {"application/json": {
                    "schema": _ref("ItineraryRequest"),
                    "example": {"device": {"model": "A1263", "wh": 37, "serial": None},
                                "legs": [{"airline": "EK", "origin": "DXB",
                                          "destination": "LHR", "date": "2026-12-01"},
                                         {"airline": "CA", "origin": "LHR",
                                          "destination": "PEK", "date": "2026-12-08"}]},
                }},
            },
            "responses": {
                **_ok("ItineraryAnswer", "The overall verdict and every leg's answer.",
                      cached=False),
                "413": _problem("Body larger than 64 KiB."),
                "415": _problem("Body not sent as application/json."),
            },
        },
    },
    "/api/v1/results/{token}": {
        "get": {
            "operationId": "verifyResult",
            "summary": "Verify a signed result (the token in a result URL or QR code)",
            "description": "For gate and check-in systems: the claim re-checked against "
                           "today's data, with `changed` and `stale`. An altered, truncated or "
                           "foreign token is a 400 problem with `param` `token` and "
                           "`valid: false`.",
            "parameters": [{"name": "token", "in": "path", "required": True,
                            "schema": {"type": "string", "maxLength": 400},
                            "description": "The token after /R/ in a result URL."}],
            "responses": _ok("Verification", "The verified, re-checked result.",
                             cached=False),
        },
    },
    "/api/v1/airlines": {
        "get": {
            "operationId": "listAirlines",
            "summary": "Airlines we know, searched by name or code, and whether we hold "
                       "their rules",
            "description": "OpenFlights (ODbL) corrected by `data/airline_overrides.csv` "
                           "(today's holders of reassigned codes: Open Travel Data, CC BY 4.0, "
                           "and the pages named per row) and by the airline rules we hold.",
            "parameters": [
                _query("q", _TEXT_PARAM, "IATA or ICAO code, or part of the name (also a "
                       "Chinese, Japanese or Korean name where the list has one): the exact "
                       "code first, then names that start with it, then names with a word "
                       "that starts with it, then names that contain it.", example="emirates"),
                _query("country", {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                       "ISO 3166-1 alpha-2 country code.", example="AE"),
                _query("has_rules", {"type": "boolean"},
                       "Only airlines whose own rules we hold (or only the others).",
                       example=True),
                *_paging(100, 500),
            ],
            "responses": _ok("AirlinePage", "Airlines, best match first (without `q`: by "
                             "IATA code).", cached=True),
        },
    },
    "/api/v1/airports": {
        "get": {
            "operationId": "listAirports",
            "summary": "Airports searched by code, name or city (also in Chinese, Japanese "
                       "and Korean)",
            "parameters": [
                _query("q", _TEXT_PARAM, "IATA or ICAO code, or part of the airport's name, "
                       "its city or a city it serves (`Heathrow`, `New York`, `首尔`, `인천`): "
                       "the exact code first, then exact names and cities, names that start "
                       "with it, names with a word that starts with it, names that contain "
                       "it; busier airports first (scheduled flights in Open Travel Data).",
                       example="dubai"),
                _query("country", {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                       "ISO 3166-1 alpha-2 country code.", example="AE"),
                *_paging(20, 100),
            ],
            "responses": _ok("AirportPage", "Airports, best match first (without `q`: by "
                             "IATA code).", cached=True),
        },
    },
    "/api/v1/recalls": {
        "get": {
            "operationId": "listRecalls",
            "summary": "Power bank recalls, with their official sources",
            "parameters": [
                _query("q", _TEXT_PARAM, "Words of the brand, product or recall number, or "
                       "part of a model number (compared normalised).", example="A1263"),
                _query("brand", _TEXT_PARAM, "Brand, case-insensitive.", example="Anker"),
                _query("agency", _TEXT_PARAM, "Issuing agency: CPSC, Health Canada, ACCC, "
                       "SAMR, OPSS, KATS, Manufacturer, ...", example="CPSC"),
                *_paging(20, 100),
            ],
            "responses": _ok("RecallPage", "Recalls, newest first.", cached=True),
        },
    },
    "/api/v1/rules": {
        "get": {
            "operationId": "listRules",
            "summary": "Carriage rules: international baseline, authorities, airlines",
            "parameters": [
                _query("issuer", _TEXT_PARAM, "Issuer name, case-insensitive.",
                       example="Emirates"),
                _query("airline", _AIRLINE_PARAM, "Rules of this airline (IATA code).",
                       example="EK"),
                _query("country", {"type": "string", "pattern": "^([A-Za-z]{2})$"},
                       "Rules whose country is this ISO code (authorities, and airlines "
                       "based there).", example="CN"),
                _query("scope", {"enum": [s.value for s in Scope]}, "Kind of rule.",
                       example="airline"),
                _query("date", _DATE, "Only the versions in force on this date (the newest "
                       "of each series on or before it). Without it every version is "
                       "listed.", example="2026-12-01"),
                *_paging(50, 200),
            ],
            "responses": _ok("RulePage", "Rules by scope, issuer and effective date.",
                             cached=True),
        },
    },
    "/api/v1/models": {
        "get": {
            "operationId": "suggestModels",
            "summary": "Autocomplete model numbers and product names",
            "description": "Over recalled models and the capacity catalogue, one row per "
                           "product: what looks like the start of a model number is matched "
                           "as a prefix of the normalised model number (`anker a-126` finds "
                           "`A1263`); anything else by the words of product names, in any "
                           "order and script (`anker powercore`, `小米 充电宝`). Products on a "
                           "recall list carry `recall_status` and come first among equals.",
            "parameters": [
                _query("q", {**_REQUIRED_TEXT_PARAM, "maxLength": MAX_MODEL},
                       "What the user typed so far.", required=True, example="anker a-126"),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 50,
                                 "default": 10}, "Most suggestions.", example=10),
            ],
            "responses": _ok("ModelSuggestions", "Suggestions, best first.",
                             cached=True),
        },
    },
}

SPEC = {
    "openapi": "3.1.0",
    "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
    "info": {
        "title": "Power bank flight check API",
        "version": API_VERSION,
        "summary": "May this power bank fly on this trip, and why?",
        "description": (
            "Verdicts with reasons and official sources, from recall lists and carriage "
            "rules.\n\n**Stability promise for v1:** fields may be added; no field is renamed "
            "or removed, and the meaning of verdicts and condition codes does not change.\n\n"
            "Errors are RFC 9457 `application/problem+json`. Read-only endpoints are CORS-open "
            "(`Access-Control-Allow-Origin: *`, no cookies) and cacheable per data version "
            "(`ETag`, `If-None-Match`). Requests are rate limited per client address; an "
            "optional `X-API-Key` raises the limit."
        ),
        "license": {"name": "Data: ODbL 1.0 (airline list from OpenFlights)",
                    "url": "https://opendatacommons.org/licenses/odbl/1-0/"},
    },
    "servers": [{"url": "/"}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                       "description": "Optional: raises the rate limit. Keys are given by the "
                                      "operator."},
        },
    },
    "security": [{}, {"apiKey": []}],
}


def spec_for(base_url: str) -> dict:
    """The spec with this server's public URL, so tools can call it directly."""
    spec = deepcopy(SPEC)
    spec["servers"] = [{"url": base_url}]
    return spec


def operations() -> list[dict]:
    """(method, path, summary, parameter names) of every documented operation."""
    return [
        {"method": method.upper(), "path": path, "summary": operation["summary"],
         "parameters": [p["name"] for p in operation.get("parameters", [])]}
        for path, methods in PATHS.items()
        for method, operation in methods.items()
    ]
