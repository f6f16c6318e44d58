r"""The words that name a setting, and the negations that cancel a keyword.

Location types, description keywords and occupations per setting; a negation ("not on
the bus") cancels the keyword that follows it. These are the defaults of
:class:`geo.settings.rules.TaggingRules`; a workspace adds to them in its
``tensionmap.toml`` under ``[tagging]``. Entries are matched as whole words,
case-insensitively; an entry with regex syntax (``\d``) is used as written.
"""

from __future__ import annotations

LOCATION_TYPES: dict[str, tuple[str, ...]] = {
    "public_transport": (
        "bus",
        "bus station",
        "bus stop",
        "coach",
        "train",
        "railway",
        "railway station",
        "rail",
        "tram",
        "guided bus",
        "guided busway",
        "platform",
        "underground",
    ),
    "taxi": ("taxi", "private hire", "private hire vehicle", "minicab", "taxi rank"),
    "nte": (
        "pub",
        "bar",
        "nightclub",
        "night club",
        "licensed premises",
        "takeaway",
        "take away",
        "late-night refreshment",
        "late night refreshment",
        "restaurant",
    ),
    "school": (
        "school",
        "college",
        "academy",
        "school gate",
        "school gates",
        "outside school gates",
    ),
    "online": ("online", "internet", "social media", "email", "text message"),
    "residential": ("dwelling", "house", "home", "flat", "flats", "residential", "garden"),
    "street": ("street", "road", "footpath", "park", "car park", "public place"),
    "retail": ("shop", "supermarket", "store", "retail", "shopping centre", "petrol station"),
}

KEYWORDS: dict[str, tuple[str, ...]] = {
    "public_transport": (
        "bus",
        "buses",
        "coach",
        "train",
        "railway",
        "rail station",
        "railway station",
        "platform",
        "tram",
        "bus station",
        "bus stop",
        "busway",
        r"number \d+ bus",
    ),
    "taxi": ("taxi", "taxis", "private hire", "minicab", "cab driver", "taxi rank"),
    "nte": (
        "pub",
        "nightclub",
        "night club",
        "takeaway",
        "take-away",
        "kebab shop",
        "door staff",
        "doorman",
        "bouncer",
        "licensed premises",
        "behind the bar",
        "late-night",
        "late night",
    ),
    "online": (
        "social media",
        "online",
        "facebook",
        "twitter",
        "instagram",
        "whatsapp",
        "tiktok",
        "snapchat",
        "email",
        "text message",
        "posted",
    ),
    "school": ("school", "pupil", "pupils", "playground", "school gates", "college"),
    "residential": (
        "front door",
        "letterbox",
        "neighbour",
        "outside their home",
        "her home",
        "his home",
    ),
    "retail": ("shop staff", "supermarket", "shopper", "checkout", "shopping centre"),
    "street": ("walking along the road", "in the park", "along the road"),
}

OCCUPATIONS: dict[str, tuple[str, ...]] = {
    "taxi": ("taxi driver", "private hire driver", "cab driver", "minicab driver"),
    "nte": ("door staff", "doorman", "door supervisor", "bouncer", "takeaway staff", "bar staff"),
    "public_transport": ("bus driver", "train guard", "ticket inspector", "rail staff"),
}

NEGATIONS = ("not", "no", "never", "wasn't", "weren't", "didn't", "rather than", "instead of")
#: Location types that say nothing about the setting: proximity may then decide.
VAGUE_LOCATION_TYPES = ("", "street", "other", "public place", "unknown", "n/a")
