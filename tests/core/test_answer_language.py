"""The engine's answer for a claim and a data version is the same whatever the request (issue
16): it is made of message ids and parameters, and the page, the API and the CLI turn it into
text in the reader's language only when they show it."""

from datetime import date

import pytest

from compliance.core.engine import evaluate, evaluate_itinerary
from compliance.core.messages import Joined, Message
from compliance.core.model import Device, Trip

CLAIMS = [
    (Device(model="A1263"), Trip(date(2026, 12, 20), "EK", "DXB", "LHR")),
    (Device(model="Anker PowerCore 10000"), Trip(date(2026, 12, 20), "EK", "DXB", "LHR")),
    (Device(mah=27000), Trip(date(2026, 12, 20), "CA", "PEK", "PVG")),
    (Device(wh=120, count=3, ccc=None), Trip(date(2026, 12, 20), None, "PVG", "ICN")),
]


def _texts(value) -> list:
    """Every message in an answer's fields, wherever it sits."""
    if isinstance(value, (Message, Joined)):
        return [value]
    if isinstance(value, dict):
        return [m for item in value.values() for m in _texts(item)]
    if isinstance(value, list):
        return [m for item in value for m in _texts(item)]
    return []


@pytest.mark.parametrize("device, trip", CLAIMS)
def test_the_answer_is_the_same_in_every_language(app, dataset, device, trip):
    plain = evaluate(device, trip, dataset)
    english = str(plain.headline)
    assert english.isascii(), english
    for lang in ("zh", "ja"):
        with app.test_request_context(f"/?lang={lang}"):
            inside = evaluate(device, trip, dataset)
            assert inside == plain
            assert inside.to_dict() == plain.to_dict()
            # ... and the same answer reads in the reader's language when it is shown.
            shown = str(plain.headline)
            assert shown != english and not shown.isascii(), shown


def test_an_itinerarys_answer_is_made_of_messages_not_text(app, dataset):
    device, trip = CLAIMS[0]
    answer = evaluate_itinerary(device, [trip, Trip(date(2026, 12, 22), "EK", "LHR", "DXB")],
                                dataset)
    fields = answer.to_dict()
    messages = _texts(fields)
    assert isinstance(answer.headline, (Message, Joined))
    assert len(messages) >= 6
    for reason in fields["reasons"]:
        assert isinstance(reason["text"], (Message, Joined)), reason


def test_the_api_and_the_page_translate_the_same_answer(client):
    query = {"model": "A1263", "airline": "EK", "origin": "DXB", "destination": "LHR",
             "date": "2026-12-20"}
    english = client.get("/api/v1/check", query_string=query).get_json()
    chinese = client.get("/api/v1/check", query_string=query,
                         headers={"Accept-Language": "zh"}).get_json()
    assert english["verdict"] == chinese["verdict"]
    assert english["headline"].isascii() and not chinese["headline"].isascii()
    page = client.get("/check", query_string={**query, "lang": "zh"}).get_data(as_text=True)
    reason = chinese["headline"].split("：", 1)[1]
    assert reason[:12] in page, reason
