"""What every site owes browsers and crawlers: a favicon, ``robots.txt``, ``noindex`` on pages
that show one traveller's result, and compressed responses.

Result pages (``/check``, ``/r/<token>`` and its card, ``/embed/check``) and the staff tools
(``/v``, ``/scan``) carry ``X-Robots-Tag: noindex`` (and a robots meta tag): a result is one
person's answer on one day, and must not turn up in a search engine as if it were advice.
``robots.txt`` lets crawlers read the form, ``/data`` and ``/developers``, and keeps them off
the API, which they would only load.

Compression is Flask-Compress (brotli or gzip, whatever the browser accepts): text responses
of 500 bytes or more.
"""

from pathlib import Path

from flask import Blueprint, Response, current_app, request
from flask_compress import Compress

bp = Blueprint("hygiene", __name__)

#: Endpoints whose pages are one traveller's result or a staff tool: never indexed.
NOINDEX_ENDPOINTS = frozenset({
    "traveller.check", "staff.result", "staff.result_card", "staff.manual_code_lookup",
    "staff.scan", "embed.check",
})

ROBOTS_TXT = """\
# Power bank flight check. Result pages (/check, /r/...) are one traveller's answer on one day:
# they are sent with "X-Robots-Tag: noindex". The API is for programs, not crawlers.
User-agent: *
Disallow: /api/
Disallow: /embed/check
Allow: /
"""


@bp.get("/robots.txt")
def robots_txt():
    response = Response(ROBOTS_TXT, mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on their own; pages also link the SVG icon."""
    path = Path(current_app.static_folder) / "favicon.ico"
    response = Response(path.read_bytes(), mimetype="image/x-icon")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def noindex_results(response):
    if request.endpoint in NOINDEX_ENDPOINTS:
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def buffer_static_files(response):
    """Static files are sent as a file stream; Flask-Compress would compress the stream
    without closing the file. Our static files are small: read them into the response (the
    file is closed with the response), so they are compressed like any page."""
    if (request.endpoint == "static" and response.status_code == 200
            and response.direct_passthrough):
        body = response.response
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        response.direct_passthrough = False
        response.set_data(data)
    return response


def init_app(app) -> None:
    # COMPRESS_* settings and their defaults: compliance/config.py.
    Compress(app)
    # after_request functions run last-registered first: these run before compression.
    app.after_request(buffer_static_files)
    app.after_request(noindex_results)
    app.register_blueprint(bp)
