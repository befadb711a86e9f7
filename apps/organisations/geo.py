"""Straight-line distances as the DfE computes them (between postcode points), in miles."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

EARTH_RADIUS_MILES = 3958.8


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points in miles."""
    lat1, lng1, lat2, lng2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def nearest_points(
    points: Sequence[tuple[float, float]], centres: Sequence[tuple[float, float]]
) -> list[tuple[int, float]]:
    """For each point, the index of the nearest centre and the distance to it in miles."""
    if not points or not centres:
        return [(0, math.inf) for _ in points]
    p = np.radians(np.asarray(points, dtype=float))
    c = np.radians(np.asarray(centres, dtype=float))
    dlat = p[:, None, 0] - c[None, :, 0]
    dlng = p[:, None, 1] - c[None, :, 1]
    h = (
        np.sin(dlat / 2) ** 2
        + np.cos(p[:, None, 0]) * np.cos(c[None, :, 0]) * np.sin(dlng / 2) ** 2
    )
    miles = 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    index = miles.argmin(axis=1)
    return [(int(i), float(miles[row, i])) for row, i in enumerate(index)]


def bounding_box(
    centre: tuple[float, float], radius_miles: float
) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) of a box that contains the circle."""
    lat, lng = centre
    dlat = math.degrees(radius_miles / EARTH_RADIUS_MILES)
    dlng = math.degrees(
        radius_miles / (EARTH_RADIUS_MILES * max(0.01, math.cos(math.radians(lat))))
    )
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng
