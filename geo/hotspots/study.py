"""What an analysis of a workspace starts from.

Its records, its boundary set and the residents per LSOA, narrowed by the analyst's
filters to a study area.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.config import Workspace
from geo.geography.areas import Geography, load_geography
from geo.geography.population import lsoa_population
from geo.hotspots.aggregate import Filters
from geo.hotspots.analysis import restrict


@dataclass(frozen=True)
class Study:
    """Records with the geography and residents they are analysed against.

    Read a workspace's with :func:`read_study`.

    Attributes
    ----------
    incidents : pandas.DataFrame
        The records (canonical columns).
    geo : Geography
        The boundary set.
    population : numpy.ndarray
        Residents per LSOA, aligned to ``geo.lsoas``.
    population_source : str
        Where the residents come from (a census import, or postcode counts as a proxy).

    Examples
    --------
    >>> from datetime import date
    >>> from geo.geography.areas import load_geography
    >>> geo = load_geography()
    >>> records = pd.DataFrame({"recorded_at": ["2019-05-01T21:30", "2019-06-01T09:10"],
    ...                         "force": ["Hertfordshire", "Cambridgeshire"]})
    >>> study = Study(records, geo, np.full(len(geo.lsoas), 1500.0), "flat")
    >>> cambs = study.restricted(Filters(force="cambridgeshire"))
    >>> len(cambs.incidents), len(cambs.geo.lsoas) < len(geo.lsoas)
    (1, True)
    """

    incidents: pd.DataFrame
    geo: Geography
    population: np.ndarray
    population_source: str

    def restricted(self, filters: Filters) -> Study:
        """The records passing ``filters``, over the study area they imply.

        A force or CSP filter keeps that area's LSOAs only (see
        :func:`~geo.hotspots.analysis.restrict`), so that the rest of the map does not
        enter expected counts as empty, cold areas.

        Parameters
        ----------
        filters : Filters
            Which records to keep.

        Returns
        -------
        Study
            The chosen records, the study area's geography and its residents.

        Raises
        ------
        TensionmapError
            When a force or CSP filter matches no LSOA.

        Examples
        --------
        >>> from geo.geography.areas import load_geography
        >>> geo = load_geography()
        >>> records = pd.DataFrame({"recorded_at": ["2019-05-01"], "force": ["Hertfordshire"]})
        >>> study = Study(records, geo, np.ones(len(geo.lsoas)), "flat")
        >>> len(study.restricted(Filters(force="hertfordshire")).incidents)
        1
        """
        geo, population = restrict(self.geo, self.population, filters)
        return Study(filters.apply(self.incidents), geo, population, self.population_source)


def read_study(ws: Workspace) -> Study:
    """A workspace's current records, its boundary set and the residents per LSOA.

    Parameters
    ----------
    ws : Workspace
        The workspace (its store, and the boundaries and population under ``geography/``).

    Returns
    -------
    Study
        Every current record (context crime left out), the imported or default boundary
        set, and residents from an imported census table or, without one, postcode counts.

    Examples
    --------
    >>> study = read_study(Workspace.open("tensionmap-demo", create=False))  # doctest: +SKIP
    >>> study.population_source  # doctest: +SKIP
    'ONS Postcode Directory postcode counts (proxy for residents)'
    """
    incidents = ws.read_incidents()
    geo = load_geography(ws.geography_dir)
    population, source = lsoa_population(geo, geography_dir=ws.geography_dir)
    return Study(incidents, geo, population, source)
