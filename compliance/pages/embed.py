"""The embeddable widget: a compact check made to live in another site's iframe.

``/embed`` is the form and ``/embed/check`` the verdict with its QR code; both may be framed by
the origins in ``EMBED_FRAME_ANCESTORS`` (every other page refuses framing). ``/embed.js`` is
the one-line script tag embedders paste: it inserts the iframe and resizes it to the content
on ``postMessage`` from ``static/embed-frame.js``.

Widget options travel in the query string (the app keeps no state): ``theme`` (light|dark),
``accent`` (#RRGGBB, served as a generated stylesheet because the CSP forbids inline styles),
``hide_airline``, ``lang`` and ``parent_origin`` (the embedding page's origin, so the frame
names it as the postMessage target instead of ``*``).
"""

import re

from flask import (
    Blueprint,
    Response,
    render_template,
    request,
    url_for,
)

from compliance.core.params import (
    CHECK_PARAMS,
    EXTRA_LEG_PARAMS,
    ParamError,
    airline_code,
    boolean,
    single_values,
)
from compliance.data.db import get_dataset
from compliance.results import qr, run_itinerary_check
from compliance.results.verification import new_manual_code
from compliance.web.i18n import _
from compliance.web.security import embeddable
from compliance.web.templating import root_script

bp = Blueprint("embed", __name__)

OPTION_PARAMS = ("theme", "accent", "hide_airline", "parent_origin", "lang")
THEMES = ("light", "dark")
_ACCENT = re.compile(r"#[0-9A-Fa-f]{6}", re.ASCII)
_LANG = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8}){0,3}", re.ASCII)
_ORIGIN = re.compile(r"https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)"
                     r"(:(?P<port>[0-9]{1,5}))?", re.ASCII)


def parse_options(values: dict) -> dict:
    """The widget options among ``values`` (removed from it), validated; raises ParamError."""
    theme = values.pop("theme", None) or "light"
    if theme not in THEMES:
        raise ParamError("theme", f"{theme!r} is not one of {', '.join(THEMES)}")
    accent = values.pop("accent", None) or None
    if accent is not None and not _ACCENT.fullmatch(accent):
        raise ParamError("accent", "must be a colour written #RRGGBB (6 hexadecimal digits)")
    hide_airline = bool(boolean(values.pop("hide_airline", None), "hide_airline"))
    lang = values.pop("lang", None) or None
    if lang is not None and (len(lang) > 20 or not _LANG.fullmatch(lang)):
        raise ParamError("lang", "must be a language code such as en, zh or ja")
    parent_origin = values.pop("parent_origin", None) or None
    if parent_origin is not None:
        parent_origin = web_origin(parent_origin)
    return {"theme": theme, "accent": accent.lower() if accent else None,
            "hide_airline": hide_airline, "lang": lang, "parent_origin": parent_origin}


def web_origin(value: str) -> str:
    """``value`` if it is exactly an http(s) origin (scheme, host, optional port), lower-cased."""
    match = _ORIGIN.fullmatch(value)
    if not match or (match.group("port") and int(match.group("port")) > 65535):
        raise ParamError("parent_origin", "must be an origin such as https://www.example.com "
                                          "(scheme, host and port only)")
    return value.lower()


def option_query(options: dict) -> dict:
    """The options as query parameters, only those that differ from the defaults."""
    query = {}
    if options["theme"] != "light":
        query["theme"] = options["theme"]
    if options["accent"]:
        query["accent"] = options["accent"]
    if options["hide_airline"]:
        query["hide_airline"] = "1"
    for name in ("lang", "parent_origin"):
        if options[name]:
            query[name] = options[name]
    return query


def _render(template: str, status: int = 200, **context) -> tuple[str, int]:
    options = context["options"]
    hidden = option_query(options)
    hidden.pop("lang", None)  # the form keeps the chosen language itself
    return render_template(template, hidden_fields=hidden, hide_airline=options["hide_airline"],
                           action=url_for("embed.check"), add_leg_action=url_for("embed.form"),
                           link_options=option_query(options), data=get_dataset(),
                           **context), status


def _request_values() -> tuple[dict, dict]:
    """(check values, widget options) from the query string; raises ParamError."""
    values = single_values(request.args, CHECK_PARAMS + EXTRA_LEG_PARAMS + OPTION_PARAMS)
    return values, parse_options(values)


def _option_error(error: ParamError):
    """A bad widget option is the embedder's mistake: say so plainly inside the frame."""
    options = {"theme": "light", "accent": None, "hide_airline": False, "lang": None,
               "parent_origin": None}
    return _render("embed/error.html", 400, options=options, error=error)


@bp.get("/embed")
@embeddable
def form():
    """The compact form, with presets (e.g. ``airline=EK``) filled in."""
    try:
        values, options = _request_values()
    except ParamError as error:
        return _option_error(error)
    error = None
    try:
        airline_code(values.get("airline"), get_dataset())
    except ParamError as exc:
        error = exc
    return _render("embed/form.html", 400 if error else 200, values=values, options=options,
                   error=error)


@bp.get("/embed/check")
@embeddable
def check():
    """The verdict and QR code inside the frame; bad input re-renders the form there."""
    try:
        values, options = _request_values()
    except ParamError as error:
        return _option_error(error)
    try:
        result = run_itinerary_check(values)
    except ParamError as error:
        return _render("embed/form.html", 400, values=values, options=options, error=error)
    return _render(
        "embed/check.html",
        options=options,
        values=values,
        answer=result.answer,
        token=result.token,
        result_url=result.result_url,
        qr_svg=qr.svg(result.result_url, _("QR code of this result")),
        code=new_manual_code(result.token),
    )


def _text_colour_on(accent: str) -> str:
    """Black or white, whichever contrasts more with ``accent`` (WCAG relative luminance)."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(accent[i:i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


@bp.get("/embed/theme.css")
def theme_css():
    """The accent colour as a tiny stylesheet (the CSP allows no inline style)."""
    given = request.args.getlist("accent")
    accent = given[0] if len(given) == 1 else ""
    if set(request.args) != {"accent"} or not _ACCENT.fullmatch(accent):
        return Response("/* accent must be given once as #RRGGBB */\n", status=400,
                        mimetype="text/css")
    accent = accent.lower()
    body = (f":root{{--embed-accent:{accent};--embed-on-accent:{_text_colour_on(accent)}}}\n")
    response = Response(body, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/embed.js")
def script():
    """The embed script at a short, stable URL for the one-line snippet."""
    return root_script("embed.js", "public, max-age=3600")


def init_app(app) -> None:
    app.register_blueprint(bp)
