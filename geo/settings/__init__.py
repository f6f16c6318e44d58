"""Settings: where hate happens, and the partner maps drawn from it.

Public transport, night-time economy, taxis, online, schools, residential, street and
retail. :mod:`~geo.settings.rules` (tagging rules and the tagger, with the words in
:mod:`~geo.settings.vocabulary`'s table), :mod:`~geo.settings.retag`
(re-tag a workspace after the rules change), :mod:`~geo.settings.classifier` (the
calibrated text model, trained by :mod:`~geo.settings.training`),
:mod:`~geo.settings.confidence` (rules and model combined into one tag with a
confidence), :mod:`~geo.settings.review` (the analysts' review queue and corrections)
and :mod:`~geo.settings.partner_maps` (disclosure-controlled heat maps for partners).
"""

from geo.settings.classifier import SettingsModel, classifier, fit_model, load_model, save_model
from geo.settings.confidence import REVIEW_BELOW, decide
from geo.settings.hours import bank_holidays, in_nte_hours, in_school_hours
from geo.settings.partner_html import write_html
from geo.settings.partner_maps import PartnerHeatmap, partner_heatmap
from geo.settings.places import Places, store_places
from geo.settings.retag import RetagResult, retag
from geo.settings.review import correct, final_tags, review_queue
from geo.settings.rules import SETTING_ORDER, TaggingRules, tag_records
from geo.settings.training import evaluate, train_workspace

__all__ = [
    "REVIEW_BELOW",
    "SETTING_ORDER",
    "PartnerHeatmap",
    "Places",
    "RetagResult",
    "SettingsModel",
    "TaggingRules",
    "bank_holidays",
    "classifier",
    "correct",
    "decide",
    "evaluate",
    "final_tags",
    "fit_model",
    "in_nte_hours",
    "in_school_hours",
    "load_model",
    "partner_heatmap",
    "retag",
    "review_queue",
    "save_model",
    "store_places",
    "tag_records",
    "train_workspace",
    "write_html",
]  # fmt: skip
