"""The developers page: how to embed the widget and how to call the API, with the v1 promise.

Everything shown is derived from the running configuration and from the API's own description
(:mod:`compliance.api.openapi`, which the API publishes on the app as ``api_operations``: a
page never imports the API), so the page cannot advertise a parameter or route that does not
exist.
"""

from flask import Blueprint, current_app, render_template

from compliance.data.db import get_dataset
from compliance.results import public_base_url
from compliance.web.problems import PROBLEM_TYPES

bp = Blueprint("developers", __name__)


def embed_snippet(base_url: str, airline: str = "EK") -> str:
    return f'<script src="{base_url}/embed.js" data-airline="{airline}"></script>'


@bp.get("/developers")
def page():
    base_url = public_base_url()
    return render_template(
        "site/developers.html",
        base_url=base_url,
        snippet=embed_snippet(base_url),
        operations=current_app.extensions.get("api_operations", []),
        problem_types=PROBLEM_TYPES,
        rate_limit=current_app.config.get("API_RATE_LIMIT"),
        key_rate_limit=current_app.config.get("API_KEY_RATE_LIMIT"),
        limits_shared=not current_app.config.get("RATELIMIT_STORAGE_URI", "memory://")
        .startswith("memory://"),
        frame_ancestors=current_app.config["EMBED_FRAME_ANCESTORS"],
        data=get_dataset(),
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
