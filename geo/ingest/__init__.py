"""Ingest: a force's CSV exports into the workspace store, every row accounted for.

Incident records go read → map columns → validate → geocode → tag settings → store
(:func:`geo.ingest.incidents.ingest_incidents`); schools, transport nodes and
night-time-economy premises are stored as places (:func:`geo.ingest.places.ingest_places`).
Each input row is counted as ingested, updated, unchanged or rejected, and each file is
stored in one transaction.

A CSV is read as text by :mod:`geo.reading` (which :mod:`geo.geography` and
:mod:`geo.settings` use too); then one module per step: :mod:`~geo.ingest.mapping`
(another export's columns and words),
:mod:`~geo.ingest.police_uk` (data.police.uk street-level files),
:mod:`~geo.ingest.fields` (dates, yes/no and text values),
:mod:`~geo.ingest.validate` (row checks and reject reasons),
:mod:`~geo.ingest.rejects` (the rejects CSV), :mod:`~geo.ingest.batch` (one file, one
transaction), :mod:`~geo.ingest.incidents` and :mod:`~geo.ingest.places`.
"""

from geo.ingest.batch import BatchResult, commit_batch
from geo.ingest.incidents import IngestSummary, ingest_incidents
from geo.ingest.mapping import ColumnMapping
from geo.ingest.places import PlaceReader, ingest_places
from geo.ingest.validate import validate_incidents

__all__ = [
    "BatchResult", "ColumnMapping", "IngestSummary", "PlaceReader", "commit_batch",
    "ingest_incidents", "ingest_places", "validate_incidents",
]  # fmt: skip
