"""Active airlines from OpenFlights (https://openflights.org/data, ODbL 1.0).

airlines.dat columns: id, name, alias, IATA, ICAO, callsign, country (a name), active (Y/N).
countries.dat maps country names to ISO codes.
"""

import csv
import re
from pathlib import Path

from compliance.core.vocabulary import AIRLINE_CODE
from compliance.data.build import AIRLINE_COLUMNS

#: OpenFlights spells some countries differently in airlines.dat and countries.dat.
_COUNTRY_ALIASES = {
    "Republic of Korea": "South Korea",
    "Hong Kong SAR of China": "Hong Kong",
    "Macao SAR of China": "Macau",
    "Russian Federation": "Russia",
    "Lao Peoples Democratic Republic": "Laos",
    "Democratic People's Republic of Korea": "North Korea",
    "Syrian Arab Republic": "Syria",
    "Viet Nam": "Vietnam",
    "Burma": "Myanmar",
    "Congo (Kinshasa)": "DR Congo",
    "Republic of the Congo": "Congo Republic",
    "Ivory Coast": "Cote d'Ivoire",
    "Canadian Territories": "Canada",
    "Kyrgyzstan": "Kyrgyz Republic",
    "Brunei": "Brunei Darussalam",
}


def _rows(path: Path):
    with open(path, encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle)


def write_airlines_csv(airlines_dat: Path, countries_dat: Path, target: Path) -> int:
    codes = {row[0]: row[1] for row in _rows(countries_dat) if len(row) >= 2 and row[1]}
    chosen: dict[str, dict] = {}
    for row in _rows(airlines_dat):
        if len(row) < 8 or row[7] != "Y":
            continue
        iata = row[3].strip().upper()
        if not re.fullmatch(AIRLINE_CODE, iata):
            continue
        name, country = row[1].strip(), row[6].strip()
        candidate = {
            "iata": iata,
            "icao": row[4].strip() if row[4] not in ("\\N", "N/A") else "",
            "name": name,
            "country": codes.get(_COUNTRY_ALIASES.get(country, country), ""),
        }
        # Several active records can share a code (e.g. an airline and its cargo arm):
        # prefer the passenger carrier, then the first listed.
        current = chosen.get(iata)
        if current is None or ("cargo" in current["name"].lower()
                               and "cargo" not in name.lower()):
            chosen[iata] = candidate
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=AIRLINE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(chosen.values(), key=lambda a: a["iata"]))
    return len(chosen)
