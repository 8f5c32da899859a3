"""JSON Schemas of the data files under ``data/`` (documented for people in data/README.md)."""

from compliance.core.vocabulary import (
    AIRLINE_CODE,
    COUNTRY_CODE,
    RULE_LISTED_CONDITIONS,
    AppliesTo,
    Confidence,
    RecallKind,
    RecallScope,
    Scope,
    SourceKind,
)

_SLUG = {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]{1,80}$"}
_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_URL = {"type": "string", "pattern": r"^https?://[^\s]+$", "maxLength": 2000}
_TEXT = {"type": ["string", "null"], "maxLength": 4000}
_NAME = {"type": "string", "minLength": 1, "maxLength": 300}
_COUNTRY = {"type": "string", "pattern": rf"^({COUNTRY_CODE}|EU)$"}
_PROVENANCE = {
    "source_url": _URL,
    "other_sources": {"type": "array", "items": _URL},
    "checked": _DATE,
    "confidence": {"enum": [c.value for c in Confidence]},
    "notes": _TEXT,
    #: Who published ``source_url``; see SourceKind.
    "source_kind": {"enum": [k.value for k in SourceKind]},
    #: A short excerpt of the issuer's text that carries the rule or the models.
    "quote": _TEXT,
}

RECALL = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "recall_id", "agency", "agency_name", "jurisdiction", "recall_number", "date", "brand",
        "product", "models", "scope", "scope_detail", "hazard", "remedy", "how_to_identify",
        "source_url", "checked", "confidence",
    ],
    "properties": {
        "recall_id": _SLUG,
        "agency": _NAME,
        "agency_name": _NAME,
        "jurisdiction": {"type": "string",
                         "pattern": rf"^({COUNTRY_CODE}|EU|GLOBAL)(, {COUNTRY_CODE}|, EU)*$"},
        "recall_number": {"type": ["string", "null"], "maxLength": 100},
        "date": {"oneOf": [_DATE, {"type": "null"}]},
        "brand": _NAME,
        "product": _NAME,
        "models": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "minLength": 1, "maxLength": 100},
        },
        "scope": {"enum": [s.value for s in RecallScope]},
        "scope_detail": _TEXT,
        "serial_patterns": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["regex"],
                "properties": {
                    "models": {"type": "array", "items": {"type": "string"}},
                    "regex": {"type": "string", "minLength": 1, "maxLength": 500},
                },
            },
        },
        "hazard": _TEXT,
        "remedy": _TEXT,
        "remedy_url": {"oneOf": [_URL, {"type": "null"}]},
        "how_to_identify": _TEXT,
        "units": _TEXT,
        #: ``recall`` (default) or ``warning`` (the public is told to stop using it).
        "kind": {"enum": [k.value for k in RecallKind]},
        #: Other spellings of the models that the notices use (e.g. a marketplace listing).
        "aliases": {"type": "array", "items": {"type": "string", "minLength": 1,
                                               "maxLength": 100}},
        #: Other names of the product in the notices (another language, a listing title).
        "names": {"type": "array", "items": _NAME},
        **_PROVENANCE,
    },
}

_WH = {"type": ["number", "null"], "exclusiveMinimum": 0, "maximum": 10000}
_COUNT = {"type": ["integer", "null"], "minimum": 0, "maximum": 100}
_FLAG = {"type": ["boolean", "null"]}

RULE = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "rule_id", "series", "scope", "issuer", "airline", "country", "applies_to",
        "effective_from", "max_wh_no_approval", "max_wh_with_approval", "max_count_total",
        "max_count_approval_band", "inflight_use_allowed", "inflight_charging_allowed",
        "requires_wh_label", "requires_certification", "conditions", "source_url", "checked",
        "confidence",
    ],
    "properties": {
        "rule_id": _SLUG,
        "series": _SLUG,
        "scope": {"enum": [s.value for s in Scope]},
        "issuer": _NAME,
        "airline": {"oneOf": [{"type": "string", "pattern": f"^{AIRLINE_CODE}$"},
                              {"type": "null"}]},
        "country": {"oneOf": [_COUNTRY, {"type": "null"}]},
        "applies_to": {"enum": [a.value for a in AppliesTo]},
        "effective_from": {"oneOf": [_DATE, {"type": "null"}]},
        "max_wh_no_approval": _WH,
        "max_wh_with_approval": _WH,
        "max_count_total": _COUNT,
        "max_count_approval_band": _COUNT,
        #: Most power banks allowed without the airline's approval; more (up to
        #: max_count_total, where set) need it. Korea: 5, then approval and a sticker.
        "max_count_no_approval": _COUNT,
        #: true = the source says "under" max_wh_no_approval: a unit at exactly that Wh is over.
        "wh_limit_exclusive": _FLAG,
        #: International rule versions (rule_id) that, as this record's source states, the
        #: state does not apply on its domestic flights; ``divergence`` quotes that statement.
        "diverges_from": {"type": "array", "uniqueItems": True, "items": _SLUG},
        "divergence": _TEXT,
        "inflight_use_allowed": _FLAG,
        "inflight_charging_allowed": _FLAG,
        "requires_wh_label": _FLAG,
        "requires_certification": {"enum": ["CCC", None]},
        "conditions": {
            "type": "array",
            "uniqueItems": True,
            "items": {"enum": sorted(c.value for c in RULE_LISTED_CONDITIONS)},
        },
        "applies_to_text": _TEXT,
        "storage": _TEXT,
        **_PROVENANCE,
    },
}

MODEL = {
    "type": "object",
    "additionalProperties": False,
    "required": ["brand", "model", "product", "mah", "v", "wh", "source_url", "checked",
                 "confidence"],
    "properties": {
        "brand": _NAME,
        "model": {"type": "string", "minLength": 1, "maxLength": 100},
        "product": _NAME,
        "mah": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000000},
        "v": {"type": ["number", "null"], "minimum": 1, "maximum": 60},
        "wh": _WH,
        "ccc": _FLAG,
        #: Other names the maker (or the cited listing) uses for the product, e.g. its Chinese,
        #: Japanese or Korean name or a marketplace title, only as the source shows them.
        "names": {"type": "array", "items": _NAME, "maxItems": 20},
        **_PROVENANCE,
    },
}

ALIASES = {
    "type": "object",
    "additionalProperties": False,
    "required": ["brands", "generic_words"],
    "properties": {
        "about": {"type": "string"},
        "brands": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["brand", "names", "source_url", "checked"],
                "properties": {
                    "brand": _NAME,
                    "names": {"type": "array", "minItems": 1, "items": _NAME},
                    "source_url": _URL,
                    "checked": _DATE,
                    "notes": _TEXT,
                },
            },
        },
        "generic_words": {"type": "array", "items": {"type": "string", "minLength": 1,
                                                     "maxLength": 40}},
    },
}
