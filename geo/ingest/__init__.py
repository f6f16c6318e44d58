"""Ingest: a force's CSV exports into the workspace store, every row accounted for.

Incident records go read → map columns → validate → geocode → tag settings → store
(:func:`geo.ingest.incidents.ingest_incidents`); schools, transport nodes and
night-time-economy premises are stored as places (:func:`geo.ingest.places.ingest_places`).
Each input row is counted as ingested, updated, unchanged or rejected, and each file is
stored in one transaction.

One module per step: :mod:`~geo.ingest.reading` (a CSV as text),
:mod:`~geo.ingest.mapping` (another export's columns and words),
:mod:`~geo.ingest.police_uk` (data.police.uk street-level files),
:mod:`~geo.ingest.fields` (dates, yes/no and text values),
:mod:`~geo.ingest.validate` (row checks and reject reasons),
:mod:`~geo.ingest.rejects` (the rejects CSV), :mod:`~geo.ingest.batch` (one file, one
transaction), :mod:`~geo.ingest.incidents` and :mod:`~geo.ingest.places`.

The package imports none of them itself: :mod:`geo.settings` reads CSVs with
:mod:`~geo.ingest.reading` while ingest tags records with :mod:`geo.settings`, so
exporting the ingest functions here would close an import cycle. Import them from
their modules.
"""
