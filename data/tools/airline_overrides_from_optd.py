"""Write data/airline_overrides.csv from a checkout of Open Travel Data (CC BY 4.0).

Run in the checkout's opentraveldata/ folder (optd_airlines.csv, optd_airlines_websites.csv,
optd_airline_por.csv), with the commits read and the paths of data/airlines.csv and of the
file to write:

    python airline_overrides_from_optd.py AIRLINES_COMMIT POR_COMMIT data/airlines.csv OUT.csv

data/README.md explains each choice. data/airport_traffic.csv is the sum of ``flt_freq`` of
optd_airline_por.csv per airport, as origin or destination (see data/README.md). Rows are never invented: what the list does not give is
left empty and said in ``notes``.
"""
import csv, collections, sys
import airportsdata
AIRLINES_COMMIT = sys.argv[1]; POR_COMMIT = sys.argv[2]
BASE = "https://github.com/opentraveldata/opentraveldata/blob/"
SRC = BASE + AIRLINES_COMMIT + "/opentraveldata/optd_airlines.csv"
POR = BASE + POR_COMMIT + "/opentraveldata/optd_airline_por.csv"
CHECKED = "2026-12-03"
airports = airportsdata.load("IATA")
rows = list(csv.DictReader(open("optd_airlines.csv", encoding="utf-8"), delimiter="^"))
of = {r["iata"]: r for r in csv.DictReader(open(sys.argv[3], encoding="utf-8"))}
websites = {r["2char_code"]: r["website"] for r in csv.DictReader(open("optd_airlines_websites.csv", encoding="utf-8"), delimiter="^")}
dep = collections.defaultdict(collections.Counter)
for r in csv.DictReader(open("optd_airline_por.csv", encoding="utf-8"), delimiter="^"):
    a = airports.get(r["apt_org"])
    if a and a["country"]:
        dep[r["airline_code"]][a["country"]] += int(r["flt_freq"] or 0)
valid = [r for r in rows if not r["validity_to"] and not r["env_id"] and len(r["2char_code"]) == 2
         and "R" not in r["type"] and "G" not in r["type"]]
best = {}
for r in valid:
    f = int(r["flt_freq"] or 0)
    if r["2char_code"] not in best or f > int(best[r["2char_code"]]["flt_freq"] or 0):
        best[r["2char_code"]] = r
ranked = sorted(best.values(), key=lambda r: -int(r["flt_freq"] or 0))
chosen = ranked[:200]
extra = [c for c in ("FR", "GK") if c not in {r["2char_code"] for r in chosen}]
chosen += [best[c] for c in extra]
CJK = lambda s: any(0x2e80 <= ord(ch) <= 0xd7af or 0xf900 <= ord(ch) <= 0xffef for ch in s)
out = []
for r in chosen:
    iata, icao, name = r["2char_code"], r["3char_code"], r["name"].strip()
    names = []
    for part in r["alt_names"].split("="):
        bits = part.split("|")
        if len(bits) >= 2 and bits[0] in ("zh", "ja", "ko") and bits[1].strip() and bits[1].strip() != name:
            names.append(f"{bits[0]}:{bits[1].strip()}")
    notes = []
    o = of.get(iata)
    country = ""
    if o and icao and o["icao"] == icao and o["country"]:
        country = o["country"]
        notes.append("country from OpenFlights (same ICAO code)")
    else:
        counts = dep.get(iata)
        if counts:
            (top, n), *rest = counts.most_common(2) + [(None, 0)]
            share = n / sum(counts.values())
            if share >= 0.35 and n >= 2 * rest[0][1]:
                country = top
                notes.append(f"country inferred: {share:.0%} of its departures in OPTD's schedule data ({POR}) are in {top}")
        if not country:
            notes.append("country unknown: not in OPTD, and OpenFlights lists another airline under this code")
    if o and o["name"] != name:
        notes.append(f"OpenFlights (out of date) names {o['name']!r}")
    if not icao:
        notes.append("no ICAO code in the source")
    out.append({"iata": iata, "icao": icao, "name": name, "country": country,
                "names": " | ".join(names), "website": websites.get(iata, ""),
                "source_url": SRC, "other_source": r["wiki_link"], "checked": CHECKED,
                "notes": "; ".join(notes)})
# By hand, from pages read (IATA's code search as quoted by the press, and the first flight number).
out = [x for x in out if x["iata"] != "ZG"] + [{
    "iata": "ZG", "icao": "", "name": "ZIPAIR Tokyo", "country": "JP", "names": "ja:ZIPAIR (ジップエア)",
    "website": "", "source_url": "https://www.traveltowns.jp/news/world/zipair-tokyo-iata-2-letter-code-zg/",
    "other_source": "https://aerotime.aero/articles/25131-japan-s-new-zipair-airline-begins-flights-despite-change-of-plans/amp",
    "checked": CHECKED,
    "notes": "IATA's Airline and Airport Code Search lists 'ZIPAIR Tokyo Inc.' as ZG (quoted by the source); first flight ZG51 Narita-Bangkok 2020-06-03; ICAO code only on unofficial sites, so left empty; OPTD still lists Groznyy Avia under ZG"}]
out.sort(key=lambda x: x["iata"])
w = csv.DictWriter(open(sys.argv[4], "w", encoding="utf-8", newline=""), fieldnames=list(out[0]), lineterminator="\n")
w.writeheader(); w.writerows(out)
print(len(out))
