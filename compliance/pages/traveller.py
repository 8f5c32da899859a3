"""The traveller's pages: the check form and its answer, with the QR code of the signed result."""

from flask import Blueprint, render_template, request

from compliance.core.params import FORM_PARAMS, ParamError, form_values, single_values
from compliance.data.db import get_dataset
from compliance.results import qr, run_itinerary_check
from compliance.results.verification import new_manual_code
from compliance.web.i18n import _

bp = Blueprint("traveller", __name__)


@bp.get("/")
def index():
    values = form_values(request.args)
    return render_template("traveller/index.html", values=values, error=None, data=get_dataset())


@bp.get("/check")
def check():
    """The verdict for the form's input, with a QR code of the signed result."""
    data = get_dataset()
    try:
        values = single_values(request.args, FORM_PARAMS)
        values.pop("lang", None)
        result = run_itinerary_check(values)
    except ParamError as error:
        values = form_values(request.args)
        return render_template("traveller/index.html", values=values, error=error, data=data), 400
    return render_template(
        "traveller/check.html",
        answer=result.answer,
        token=result.token,
        result_url=result.result_url,
        qr_svg=qr.svg(result.result_url, _("QR code of this result")),
        qr_info=qr.info(result.result_url),
        code=new_manual_code(result.token),
        issued_at=result.issued_at,
        data=data,
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
