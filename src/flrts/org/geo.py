"""Where a person is: the active sites nearest a point (a Telegram location), by great-circle
distance (Haversine) on a sphere of the Earth's mean radius.

The search radius is the site-config key `site_radius_km` (default 2 km).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings

from flrts.org.models import Site

EARTH_RADIUS_KM = 6371.0088
DEFAULT_RADIUS_KM = 2.0


@dataclass(frozen=True)
class Nearby:
    site: Site
    km: float

    @property
    def distance(self) -> str:
        return f"{self.km * 1000:.0f} m" if self.km < 1 else f"{self.km:.1f} km"


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points given in decimal degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def radius_km() -> float:
    """`site_radius_km` (checked by `flrts configcheck`), default 2 km."""
    return float(settings.SITE.get_float("site_radius_km", DEFAULT_RADIUS_KM, minimum=0.01))


def valid_point(latitude: float, longitude: float) -> bool:
    return (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )


def sites_by_distance(latitude: float, longitude: float) -> list[Nearby]:
    """Active sites that have coordinates, nearest first."""
    found = [
        Nearby(site, haversine_km(latitude, longitude, site.latitude, site.longitude))
        for site in Site.objects.filter(
            is_active=True, latitude__isnull=False, longitude__isnull=False
        )
        if site.latitude is not None and site.longitude is not None
    ]
    return sorted(found, key=lambda n: (n.km, n.site.site_name))


def nearest_site(latitude: float, longitude: float) -> Nearby | None:
    """The nearest active site within the configured radius, or None."""
    ranked = sites_by_distance(latitude, longitude)
    if ranked and ranked[0].km <= radius_km():
        return ranked[0]
    return None
