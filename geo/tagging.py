"""Settings tagging: which settings (public transport, NTE, taxi, online, school, …) a record
belongs to, with the reason each was given.

This first version reads the two explicit fields, ``location_type`` and ``online``.
Description keywords, time windows and proximity to places extend it (the settings
tagging issue); every rule records its reason as ``"<rule>:<evidence>"``.
"""

from __future__ import annotations

import json
import re

import pandas as pd

#: Location-type words (matched as whole words, case-insensitive) → setting.
LOCATION_TYPE_RULES: dict[str, tuple[str, ...]] = {
    "public_transport": (
        "bus",
        "bus station",
        "bus stop",
        "coach",
        "train",
        "railway",
        "railway station",
        "rail",
        "station",
        "tram",
        "guided bus",
        "platform",
        "underground",
    ),
    "taxi": ("taxi", "private hire", "minicab", "taxi rank"),
    "nte": (
        "pub",
        "bar",
        "nightclub",
        "night club",
        "club",
        "licensed premises",
        "takeaway",
        "take away",
        "late-night refreshment",
        "late night refreshment",
        "restaurant",
    ),
    "school": ("school", "college", "academy", "school gate"),
    "online": ("online", "internet", "social media", "email", "text message"),
    "residential": ("dwelling", "house", "home", "flat", "flats", "residential", "garden"),
    "street": ("street", "road", "footpath", "park", "car park", "public place"),
    "retail": ("shop", "supermarket", "store", "retail", "shopping centre", "petrol station"),
}

_PATTERNS = {
    setting: re.compile(
        r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b"
    )
    for setting, words in LOCATION_TYPE_RULES.items()
}


def tag_settings(location_type: pd.Series, online: pd.Series) -> pd.DataFrame:
    """Settings per record from ``location_type`` text and the ``online`` flag.

    Returns a frame aligned to the input with ``settings`` (``;``-joined, vocabulary
    order) and ``setting_reasons`` (JSON object setting → reason). Work is done once per
    distinct (location type, online) pair, so a million records cost a handful of rules.
    """
    text = location_type.fillna("").astype(str).str.strip().str.lower()
    flag = online.astype("boolean").fillna(False).astype(bool)
    keys = pd.DataFrame({"text": text, "online": flag})
    distinct = keys.drop_duplicates().reset_index(drop=True)
    settings, reasons = [], []
    for row in distinct.itertuples(index=False):
        found = {}
        for setting, pattern in _PATTERNS.items():
            match = pattern.search(str(row.text))
            if match:
                found[setting] = f"location_type:{match.group(1)}"
        if row.online:
            found["online"] = "online_flag:true"
        ordered = [s for s in _PATTERNS if s in found]
        settings.append(";".join(ordered))
        reasons.append(json.dumps({s: found[s] for s in ordered}))
    distinct["settings"], distinct["setting_reasons"] = settings, reasons
    merged = keys.merge(distinct, on=["text", "online"], how="left")
    merged.index = location_type.index
    return merged[["settings", "setting_reasons"]]
