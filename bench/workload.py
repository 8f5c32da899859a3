"""Request mixes for the benchmark and the load tests, drawn from the real dataset.

The inputs are queries, not data: real model numbers (recalled and catalogued), airlines with
rules on file, major airports that exist in the airport table, capacities and dates. Nothing
here is stored or shown as a fact.
"""

import random
from datetime import date, timedelta
from urllib.parse import urlencode

from compliance.core.model import Dataset

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


# --- A catalogue of 50,000 models, for the autocomplete benchmark ------------------------------

#: Every synthetic record says what it is where a reader looks first: the brand and the source.
SYNTHETIC_BRAND = "Benchmark Synthetic"
SYNTHETIC_SOURCE = "https://example.invalid/bench"

#: Word lists the synthetic product names are drawn from, in the shape real names have (brand,
#: product line, modifier, capacity, power, a generic tail, sometimes in CJK). Line words mix the
#: lines travellers type ("PowerCore", "MagGo", "Nexode") with made-up ones, so that a typed
#: line word matches many rows as it would in a large real catalogue.
LINE_WORDS = ("PowerCore", "Prime", "Nano", "MagGo", "Nexode", "BoostCharge", "Zolo", "Astro",
              "Carbo", "Starship", "Blade", "Fusion", "Piston", "Traveler", "Nova", "Presto",
              "Capsule", "PowerPulse", "Voltra", "Juicebox", "Ampere", "Flux", "Orbit", "Pulse",
              "Vertex", "Helix", "Quanta", "Zephyr", "Titan", "Nimbus", "Arc", "Core", "Cell",
              "Volt", "Lumen", "Spark", "Drift", "Energy", "Charge", "Power")
MODIFIERS = ("Slim", "Air", "Pro", "Max", "Mini", "Ultra", "Lite", "Plus", "II", "III", "Gen 2",
             "Gen 3", "Duo", "SE", "Wireless", "Magnetic", "MagSafe", "Qi2", "PD", "Redux",
             "Turbo", "Go", "2-in-1", "Battery")
TAILS = ("power bank", "Power Bank", "Portable Charger", "Magnetic Battery", "Battery Pack",
         "with built-in USB-C cable", "充电宝", "移动电源", "モバイルバッテリー", "보조배터리")
BRAND_SYLLABLES = (("Volt", "Amp", "Lumi", "Zen", "Nov", "Kin", "Ori", "Vex", "Ter", "Ion",
                    "Pow", "Jun", "Aer", "Quin", "Sol", "Hex"),
                   ("ora", "ex", "ify", "tek", "ro", "io", "ax", "one", "ix", "lux", "ergy"))
CAPACITIES = (5000, 6000, 10000, 10400, 15000, 20000, 20100, 24000, 25000, 26800, 27650, 30000)
POWERS = ("20W", "22.5W", "30W", "45W", "65W", "100W", "140W", "250W")


def _capacity_word(rng: random.Random, mah: int) -> str:
    return rng.choice([f"{mah:,}mAh", f"{mah}mAh", f"{mah} mAh", f"{mah // 1000}K", str(mah)])


def synthetic_models(real: list[dict], aliases: dict, size: int, seed: int = 3) -> list[dict]:
    """``real`` padded to ``size`` models with synthetic records whose names vary as real ones
    do ("Anker PowerCore Slim 10,000mAh 22.5W power bank", "Voltora Nexode Gen 2 20K
    充电宝"), brand words taken from the real catalogue (as often as they occur there), from
    the CJK brand names of ``aliases`` or made up. Model numbers are random letters and digits.
    Each synthetic record's ``brand`` is :data:`SYNTHETIC_BRAND` and its source
    :data:`SYNTHETIC_SOURCE`: for the benchmark's temporary copy only, never for data/."""
    rng = random.Random(seed)
    real_brands = [m["brand"] for m in real]
    cjk_brands = [name for entry in aliases.get("brands", []) for name in entry["names"]
                  if not name.isascii()]
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    seen = {m["model"].upper() for m in real}
    models = list(real)
    while len(models) < size:
        model = (rng.choice(letters) + rng.choice(letters) + str(rng.randint(10, 99999))
                 + rng.choice(["", "-" + rng.choice(letters), "PRO", "S"]))
        if model.upper() in seen:
            continue
        seen.add(model.upper())
        kind = rng.random()
        if kind < 0.5:
            brand_word = rng.choice(real_brands)
        elif kind < 0.6:
            brand_word = rng.choice(cjk_brands)
        else:
            brand_word = rng.choice(BRAND_SYLLABLES[0]) + rng.choice(BRAND_SYLLABLES[1])
        mah = rng.choice(CAPACITIES)
        words = [brand_word, rng.choice(LINE_WORDS)]
        if rng.random() < 0.6:
            words.append(rng.choice(MODIFIERS))
        words.append(_capacity_word(rng, mah))
        if rng.random() < 0.5:
            words.append(rng.choice(POWERS))
        if rng.random() < 0.7:
            words.append(rng.choice(TAILS))
        models.append({
            "brand": SYNTHETIC_BRAND, "model": model, "product": " ".join(words), "mah": mah,
            "v": 3.7, "wh": None, "ccc": None, "source_url": SYNTHETIC_SOURCE,
            "source_kind": "other", "checked": date.today().isoformat(),
            "confidence": "partial",
            "notes": "Synthetic record made by bench/workload.py for the benchmark's temporary "
                     "copy of the data; not a product.",
        })
    return models


#: Name fragments as travellers type them (issue 10's examples, and a few more).
TYPED_NAMES = ("powercore 10", "magsafe batt", "anker prime", "anker powercore 10000",
               "belkin boostcharge", "xiaomi 20000", "casely", "varmfront", "小米 充电宝",
               "罗马仕", "安克 充电宝", "モバイルバッテリー", "ugreen nexode", "baseus magn",
               "sharge", "ecoflow rapid", "nitecore nb10", "mophie powerst", "zendure",
               "anker nano", "iniu 20000", "cuktech 20", "samsung 10000", "apple magsafe")


def name_queries(real: list[dict], aliases: dict, n: int, seed: int = 5) -> list[str]:
    """``n`` fragments of product names as a person types them, from the real records (catalogue
    and recalls): the first one to four words, the last cut short, often in lower case; CJK
    runs cut to two or more characters; a CJK brand name with a generic word; and
    :data:`TYPED_NAMES`. Only fragments with a word of three characters or more (shorter ones
    cannot be searched by name)."""
    rng = random.Random(seed)
    cjk_brands = [name for entry in aliases.get("brands", []) for name in entry["names"]
                  if not name.isascii()]
    cjk_generic = [w for w in aliases.get("generic_words", []) if not w.isascii()]
    names = []
    for record in real:
        product = record["product"]
        if record["brand"].casefold() not in product.casefold():
            product = f"{record['brand']} {product}"
        names.append(product)
    queries = list(TYPED_NAMES)
    while len(queries) < n:
        kind = rng.random()
        if kind < 0.1:
            query = f"{rng.choice(cjk_brands)} {rng.choice(cjk_generic)}"
        elif kind < 0.2:
            runs = [run for name in names for run in _cjk_runs(name) if len(run) >= 2]
            run = rng.choice(runs)
            start = rng.randrange(0, len(run) - 1)
            query = run[start:start + rng.randint(2, 6)]
        else:
            words = rng.choice(names).replace("(", " ").replace(")", " ").split()
            k = rng.randint(1, min(4, len(words)))
            typed = words[:k]
            last = typed[-1]
            typed[-1] = last[:rng.randint(min(3, len(last)), len(last))]
            query = " ".join(typed)
            if rng.random() < 0.7:
                query = query.lower()
        if max(len(w) for w in query.split()) >= 3 or not query.isascii():
            queries.append(query)
    return queries[:n]


def _cjk_runs(text: str) -> list[str]:
    import re

    return re.findall(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+", text)
