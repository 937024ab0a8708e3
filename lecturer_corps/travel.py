"""How far apart two places are and how long a lecturer needs between them.

Straight-line (haversine) distance times a road factor, at an average speed. The
figures suit the oasis towns and farms around Turpan, where roads are straight but
a trip starts and ends on slow village lanes. Everything works on numpy arrays too.
"""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0
ROAD_FACTOR = 1.3  # road distance ≈ 1.3 × straight-line distance
AVERAGE_SPEED_KMH = 50.0
# Time to park, find the room and set up, added to every trip between two venues.
TRANSFER_MINUTES = 15


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; works element-wise on arrays (NaN where unknown)."""
    lat1, lon1, lat2, lon2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2)
    )
    dlat = lat2 - lat1
    dlon = lon2 - lon1
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def road_km(lat1, lon1, lat2, lon2):
    return haversine_km(lat1, lon1, lat2, lon2) * ROAD_FACTOR


def travel_minutes(lat1, lon1, lat2, lon2):
    """Minutes to get from one venue to another (0 for the same place; NaN if unknown)."""
    km = road_km(lat1, lon1, lat2, lon2)
    minutes = km / AVERAGE_SPEED_KMH * 60.0
    return np.where(km < 0.05, 0.0, minutes + TRANSFER_MINUTES)
