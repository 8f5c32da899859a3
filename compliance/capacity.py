"""Watt-hours from what the label says.

Wh = mAh x nominal cell voltage / 1000. The cell voltage (3.6-3.85 V for lithium-ion) is not the
5 V USB output: using 5 V overstates the energy by about a third.
"""

from dataclasses import dataclass

from .vocabulary import DEFAULT_CELL_VOLTAGE


class WhSource:
    """Where the Wh figure of an answer came from."""

    LABEL_WH = "label_wh"
    MAH_AND_VOLTAGE = "mah_and_voltage"
    MAH_ASSUMED_VOLTAGE = "mah_assumed_voltage"
    CATALOGUE = "catalogue"
    UNKNOWN = "unknown"


def wh_from_mah(mah: float, volts: float) -> float:
    return round(mah * volts / 1000, 2)


@dataclass(frozen=True)
class Capacity:
    wh: float | None
    source: str
    #: The mAh figure converted at the assumed voltage, when no voltage was known.
    mah_at_assumed_voltage: float | None = None


def resolve_capacity(wh=None, mah=None, volts=None, catalogue=None) -> Capacity:
    """Pick the most direct capacity figure: printed Wh, then mAh with its voltage, then mAh at
    the assumed 3.7 V, then the catalogue entry for the model."""
    if wh is not None:
        return Capacity(float(wh), WhSource.LABEL_WH)
    if mah is not None and volts is not None:
        return Capacity(wh_from_mah(mah, volts), WhSource.MAH_AND_VOLTAGE)
    if mah is not None:
        return Capacity(wh_from_mah(mah, DEFAULT_CELL_VOLTAGE), WhSource.MAH_ASSUMED_VOLTAGE, mah)
    if catalogue is None:
        return Capacity(None, WhSource.UNKNOWN)
    if catalogue.get("wh_rated") is not None:
        return Capacity(catalogue["wh_rated"], WhSource.CATALOGUE)
    if catalogue.get("mah"):
        return Capacity(
            wh_from_mah(catalogue["mah"], DEFAULT_CELL_VOLTAGE),
            WhSource.CATALOGUE,
            catalogue["mah"],
        )
    return Capacity(None, WhSource.UNKNOWN)
