"""Flask-Babel wiring: the reader's language from ``lang=``, then Accept-Language."""

from flask import request
from flask_babel import Babel

LANGUAGES = {"en": "English"}


def select_locale() -> str:
    if request:
        asked = request.args.get("lang", "")
        if asked in LANGUAGES:
            return asked
        return request.accept_languages.best_match(list(LANGUAGES)) or "en"
    return "en"


def init_app(app) -> None:
    Babel(app, locale_selector=select_locale)
