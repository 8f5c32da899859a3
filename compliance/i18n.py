"""Message translation that works inside and outside a request.

The engine marks its sentences with ``_`` so that pages can show them in the reader's language,
while the engine itself stays a plain function usable from the CLI and tests.
"""

from flask import has_app_context
from flask_babel import gettext as _flask_gettext


def _(message: str, **params) -> str:
    if has_app_context():
        return _flask_gettext(message, **params)
    return message % params if params else message
