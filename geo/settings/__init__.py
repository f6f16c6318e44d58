"""Settings: where hate happens, and the partner maps drawn from it.

Public transport, night-time economy, taxis, online, schools, residential, street and
retail. :mod:`~geo.settings.rules` (tagging rules and the tagger, with the words in
:mod:`~geo.settings.words`), :mod:`~geo.settings.retag`
(re-tag a workspace after the rules change), :mod:`~geo.settings.classifier` (a text
classifier's second opinion) and :mod:`~geo.settings.partner_maps` (disclosure-controlled
heat maps for partners).
"""

from geo.settings.classifier import classifier, evaluate_classifier
from geo.settings.hours import bank_holidays, in_nte_hours, in_school_hours
from geo.settings.partner_html import write_html
from geo.settings.partner_maps import PartnerHeatmap, partner_heatmap
from geo.settings.places import Places, store_places
from geo.settings.retag import RetagResult, retag
from geo.settings.rules import SETTING_ORDER, TaggingRules, tag_records

__all__ = [
    "SETTING_ORDER",
    "PartnerHeatmap",
    "Places",
    "RetagResult",
    "TaggingRules",
    "bank_holidays",
    "classifier",
    "evaluate_classifier",
    "in_nte_hours",
    "in_school_hours",
    "partner_heatmap",
    "retag",
    "store_places",
    "tag_records",
    "write_html",
]  # fmt: skip
