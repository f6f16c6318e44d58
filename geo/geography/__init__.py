"""Geography: the areas records are counted in, and how a record finds its area.

:mod:`~geo.geography.areas` (LSOAs, wards, districts, CSPs and forces, and locating
points in them), :mod:`~geo.geography.geocoder` (postcodes and coordinates to areas),
:mod:`~geo.geography.postcodes` (the ONS Postcode Directory),
:mod:`~geo.geography.boundary_files` (reading a force's own boundaries and lookups),
:mod:`~geo.geography.boundary_import` (importing them and re-assigning records),
:mod:`~geo.geography.population` (residents per LSOA) and
:mod:`~geo.geography.national` (every LSOA of England and Wales, its ward, district, CSP
and force, and names of forces, CSPs and districts found however they are written).
"""

from geo.geography.areas import (
    ATTRIBUTION,
    BNG,
    LEVELS,
    WGS84,
    Geography,
    PointAreas,
    district_table,
    load_geography,
)
from geo.geography.boundary_import import (
    ReassignResult,
    import_boundary_file,
    import_lookup_file,
    import_population,
    reassign_areas,
)
from geo.geography.geocoder import GeocodeResult, geocode, normalise_postcode, to_bng, to_wgs84
from geo.geography.national import (
    AreaName,
    find_csp,
    find_district,
    find_force,
    national_areas,
    police_forces,
)
from geo.geography.population import lsoa_population

__all__ = [
    "ATTRIBUTION", "BNG", "LEVELS", "WGS84", "AreaName", "GeocodeResult", "Geography",
    "PointAreas", "ReassignResult", "district_table", "find_csp", "find_district",
    "find_force", "geocode", "import_boundary_file", "import_lookup_file",
    "import_population", "load_geography", "lsoa_population", "national_areas",
    "normalise_postcode", "police_forces", "reassign_areas", "to_bng", "to_wgs84",
]  # fmt: skip
