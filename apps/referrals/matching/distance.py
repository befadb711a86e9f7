"""Straight-line distances as the DfE computes them (between postcode points), in miles."""

from __future__ import annotations

import math

import numpy as np

from apps.organisations.geo import EARTH_RADIUS_MILES


def miles(a: tuple[float, float], lat: float, lng: float) -> float:
    """Great-circle distance in miles between (latitude, longitude) points in degrees."""
    lat1, lat2 = math.radians(a[0]), math.radians(lat)
    dlat, dlng = lat2 - lat1, math.radians(lng - a[1])
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def miles_from(centre: tuple[float, float], lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    """Great-circle miles from `centre` (degrees) to points in radians."""
    lat0, lng0 = np.radians(centre[0]), np.radians(centre[1])
    h = np.sin((lat - lat0) / 2) ** 2 + np.cos(lat0) * np.cos(lat) * np.sin((lng - lng0) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.clip(h, 0, 1))))
