"""Request mixes for the benchmark and the load tests, drawn from the real dataset.

The inputs are queries, not data: real model numbers (recalled and catalogued), airlines with
rules on file, major airports that exist in the airport table, capacities and dates. Nothing
here is stored or shown as a fact.
"""

import random
from datetime import date, timedelta
from urllib.parse import urlencode

from compliance.dataset import Dataset

#: Busy airports; only those present in the dataset's airport table are used.
AIRPORTS = ("DXB", "LHR", "PVG", "PEK", "CAN", "HKG", "SIN", "ICN", "NRT", "HND", "SYD", "JFK",
            "LAX", "FRA", "CDG", "AMS", "BKK", "KUL", "DEL", "DOH", "IST", "YYZ", "GRU", "MNL",
            "TPE", "SGN", "CGK", "MEL", "AKL", "JNB")


class Inputs:
    """Random but reproducible check inputs over one dataset."""

    def __init__(self, data: Dataset, seed: int = 7, today: date | None = None):
        self.rng = random.Random(seed)
        self.today = today or date.today()
        self.models = sorted({entry[1] for entry in data.model_index})
        self.airlines = sorted(code for code, a in data.airlines.items() if a["has_rules"])
        self.airports = [code for code in AIRPORTS if code in data.airports]
        if not (self.models and self.airlines and len(self.airports) >= 2):
            raise ValueError("the dataset lacks models, airlines with rules or airports")

    def check_values(self) -> dict:
        """One plausible form submission: a model or a capacity, a trip, sometimes more."""
        rng = self.rng
        values: dict = {}
        kind = rng.random()
        if kind < 0.45:
            values["model"] = rng.choice(self.models)
        elif kind < 0.75:
            values["wh"] = f"{rng.uniform(5, 180):.1f}"
        else:
            values["mah"] = str(rng.randrange(2000, 40000, 100))
            if rng.random() < 0.5:
                values["v"] = rng.choice(["3.6", "3.7", "3.85"])
        if rng.random() < 0.3:
            values["count"] = str(rng.randint(1, 4))
        if rng.random() < 0.3:
            values["ccc"] = rng.choice(["true", "false"])
        if rng.random() < 0.8:
            values["airline"] = rng.choice(self.airlines)
        if rng.random() < 0.8:
            origin, destination = rng.sample(self.airports, 2)
            values.update(origin=origin, destination=destination)
        values["date"] = (self.today + timedelta(days=rng.randrange(0, 330))).isoformat()
        return values

    def distinct_check_queries(self, n: int) -> list[str]:
        """``n`` different query strings, so that each gives a different result token."""
        seen: set[str] = set()
        out = []
        while len(out) < n:
            query = urlencode(self.check_values())
            if query not in seen:
                seen.add(query)
                out.append(query)
        return out

    def invalid_queries(self, n: int) -> list[str]:
        """Refused inputs of every kind: bad numbers, unknown codes, typos, repeats."""
        bad = [
            {"wh": "abc"}, {"wh": "-5"}, {"wh": "1e309"}, {"mah": "9" * 40}, {"v": "3.7"},
            {"count": "0"}, {"count": "many"}, {"ccc": "maybe"}, {"airline": "??"},
            {"airline": "Q9"}, {"origin": "XXX"}, {"destination": "12"},
            {"date": "2026-02-30"}, {"date": "tomorrow"}, {"model": "x" * 65},
            {"modle": "A1263"}, {"model": "A1263\u0000"}, {"wh": "<script>"},
        ]
        out = []
        for _ in range(n):
            values = {**self.check_values(), **self.rng.choice(bad)}
            out.append(urlencode(values))
        out.append("wh=50&wh=60")
        return out


def api_mix(inputs: Inputs, n: int) -> list[str]:
    return [f"/api/v1/check?{q}" for q in inputs.distinct_check_queries(n)]


def first_view_pages(inputs: Inputs, n: int) -> list[str]:
    return [f"/check?{q}" for q in inputs.distinct_check_queries(n)]


def load_mix(inputs: Inputs, result_paths: list[str], n: int = 6000) -> list[str]:
    """Valid and invalid requests over every public route, shuffled: API checks, pages, result
    pages and their QR files, forged tokens, unknown pages, health checks."""
    rng = inputs.rng
    valid_tokens = result_paths or ["/healthz"]
    weighted = [
        (0.30, lambda: "/api/v1/check?" + urlencode(inputs.check_values())),
        (0.12, lambda: "/api/v1/check?" + rng.choice(inputs.invalid_queries(1))),
        (0.12, lambda: "/check?" + urlencode(inputs.check_values())),
        (0.06, lambda: "/check?" + rng.choice(inputs.invalid_queries(1))),
        (0.12, lambda: rng.choice(valid_tokens)),
        (0.04, lambda: rng.choice(valid_tokens) + "/qr.svg"),
        (0.02, lambda: rng.choice(valid_tokens) + "/qr.png"),
        (0.06, lambda: "/r/1" + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
                                                    k=rng.randint(10, 90)))),
        (0.04, lambda: rng.choice(valid_tokens)[:-2] + "AA"),
        (0.04, lambda: rng.choice(["/no-such-page", "/api/v1/nothing", "/r/", "/static/x.css",
                                   "/check?" + "a" * 3000])),
        (0.04, lambda: "/healthz"),
        (0.04, lambda: "/"),
    ]
    weights = [w for w, _ in weighted]
    makers = [m for _, m in weighted]
    return [rng.choices(makers, weights)[0]() for _ in range(n)]
