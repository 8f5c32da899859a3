"""Groups of countries that a rule can name instead of one country."""

#: EASA member states: the 27 EU states plus Iceland, Liechtenstein, Norway and Switzerland
#: (https://www.easa.europa.eu/en/the-agency/faqs/member-states).
EASA_STATES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO CH".split()
)

REGIONS = {"EU": EASA_STATES}


def in_region(country: str | None, code: str | None) -> bool:
    """Whether ``country`` is ``code`` itself or one of the states of region ``code``."""
    if country is None or code is None:
        return False
    return country == code or country in REGIONS.get(code, ())
