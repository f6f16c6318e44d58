"""Settings tagging on police-style text (#20): vocabulary, normalisation, typos, traps."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from geo._errors import InputFileError, WorkspaceError
from geo.config import Workspace
from geo.settings import fuzzy
from geo.settings.fuzzy import (
    FUZZY_THRESHOLD,
    correct_typos,
    corrections,
    measurement_set,
    threshold_sweep,
    typo_targets,
)
from geo.settings.normalise import (
    collapse_whitespace,
    expand_symbols,
    expand_words,
    lower_case,
    normalise,
    strip_punctuation,
)
from geo.settings.rules import TaggingRules, tag_records
from geo.settings.vocabulary import KINDS, load_vocabulary, read_vocabulary
from geo.vocab import SETTINGS

HEADER = "setting,kind,term,expansion,source,note\n"


def _one(description: str, location_type: str = "", **columns) -> tuple[list[str], dict]:
    out = tag_records(
        pd.DataFrame([{"description": description, "location_type": location_type, **columns}])
    )
    settings = out.loc[0, "settings"]
    return (settings.split(";") if settings else []), json.loads(out.loc[0, "setting_reasons"])


# ---- vocabulary ------------------------------------------------------------------------


def test_shipped_vocabulary_has_every_source_and_kind():
    v = load_vocabulary()
    assert set(v.sources) == {
        "tensionmap-v1",
        "tensionmap",
        "ONS-CSEW",
        "RMS",
        "NaPTAN",
        "FHRS",
        "GIAS",
        "shorthand",
    }
    assert "bct" in v.by_setting["location_type"]["public_transport"]  # NaPTAN StopType
    assert "txr" in v.by_setting["location_type"]["taxi"]
    assert "pub bar nightclub" in v.by_setting["location_type"]["nte"]  # FHRS, normalised
    assert {"bouncer", "doorman", "bar staff"} <= set(v.by_setting["role"]["nte"])
    assert {"taxi driver", "cabbie"} <= set(v.by_setting["role"]["taxi"])
    assert v.expansions["o/s"] == "outside" and v.expansions["phv"] == "private hire vehicle"
    assert "police station" in v.words["not_a_place"]
    assert "wasnt" in v.words["negation"]  # "wasn't" as normalised text has it


def test_the_readme_names_every_source_of_the_vocabulary():
    readme = Path("README.md").read_text(encoding="utf-8")
    for source in load_vocabulary().sources:
        assert f"`{source}`" in readme, source


def test_a_bad_vocabulary_row_is_named_by_file_row_column_and_value(tmp_path):
    bad = tmp_path / "v.csv"
    bad.write_text(HEADER + "taxi,place,cab,,me,\ntrains,place,tram,,me,\n")
    with pytest.raises(InputFileError) as err:
        read_vocabulary(bad)
    assert str(err.value) == (
        f"{bad}: row 3, column 'setting': 'trains' is not a setting; settings are {SETTINGS}."
    )
    bad.write_text(HEADER + ",abbreviation,o/s,,me,\n")
    with pytest.raises(InputFileError, match=r"row 2, column 'expansion': '' is empty"):
        read_vocabulary(bad)
    bad.write_text("setting,kind,term\n")
    with pytest.raises(InputFileError, match=r"missing column\(s\) \['expansion', 'source'"):
        read_vocabulary(bad)
    bad.write_text(HEADER + "taxi,plaice,cab,,me,\n")
    with pytest.raises(
        InputFileError, match=re.escape(f"'plaice' is not a kind; kinds are {KINDS}")
    ):
        read_vocabulary(bad)


def test_a_vocabulary_file_is_read_as_written(tmp_path):
    f = tmp_path / "v.csv"
    f.write_text(HEADER + "taxi,role,Cabbie,,me,\n,abbreviation,T/R,taxi rank,me,\n")
    v = read_vocabulary(f)
    assert v.by_setting["role"] == {"taxi": ("cabbie",)}
    assert v.expansions == {"t/r": "taxi rank"}
    assert v.sources == ("me",)


# ---- normalisation, one step at a time -------------------------------------------------


def test_each_normalisation_step():
    table = load_vocabulary().expansions
    assert lower_case(pd.Series(["IP O/S The PH", None])).tolist() == ["ip o/s the ph", ""]
    assert expand_symbols(
        pd.Series(["ip o/s b/stop", "p&r site", "a&e", "take-away", "and/or"]), table
    ).tolist() == [
        "ip outside bus stop",
        "park and ride site",
        "accident and emergency",
        "takeaway",
        "and/or",
    ]
    assert strip_punctuation(pd.Series(["ip's bag; wasn't on bus/train & tram"])).tolist() == [
        "ips bag .  wasnt on bus train  and  tram"
    ]
    assert strip_punctuation(pd.Series(["“go home” – he said"])).tolist() == [" go home    he said"]
    assert collapse_whitespace(pd.Series(["  a \t b\n c "])).tolist() == ["a b c"]
    assert expand_words(
        pd.Series(["rly stn", "in the ph", "phv", "chippy", "spoons", "phone", "nite club"]),
        table,
    ).tolist() == [
        "railway station",
        "in the public house",
        "private hire vehicle",
        "chip shop",
        "wetherspoons",
        "phone",
        "nightclub",
    ]


def test_normalise_runs_the_steps_in_order():
    text = pd.Series(["IP ASSAULTED O/S B/STOP, SUSP INTOX!!", "V abused in PH (spoons)"])
    assert normalise(text, load_vocabulary().expansions).tolist() == [
        "injured party assaulted outside bus stop . suspect intoxicated . .",
        "v abused in public house wetherspoons",
    ]


# ---- fuzzy matching --------------------------------------------------------------------


def test_the_fuzzy_threshold_is_the_measured_one():
    """80 is the highest threshold that keeps every correctable typo (benchmarks/eval_fuzzy.py)."""
    targets = typo_targets(TaggingRules().all_terms())
    typos, others = measurement_set(targets)
    sweep = threshold_sweep(typos, others, targets, [76, 78, 80, 82]).set_index("threshold")
    assert FUZZY_THRESHOLD == 80.0
    chosen = sweep.loc[80.0]
    assert chosen["precision"] >= 0.96 and chosen["recall"] >= 0.85, chosen.to_dict()
    assert sweep.loc[82.0, "recall"] < chosen["recall"] - 0.05  # one step up loses typos
    assert sweep.loc[76.0, "precision"] <= chosen["precision"]  # one step down gains nothing


def test_fuzzy_corrects_typos_not_english_words_or_place_names():
    targets = ("nightclub", "station", "train", "platform", "buses")
    fixes = corrections(
        ["trian", "staion", "nightclb", "platfrom", "trail", "couch", "bushey"], targets
    )
    assert fixes == {
        "nightclb": "nightclub",
        "platfrom": "platform",
        "staion": "station",
        "trian": "train",
    }
    assert corrections(["trian"], targets, threshold=90) == {}


def test_fuzzy_scores_each_distinct_token_once(monkeypatch):
    calls = []
    real = fuzzy.process.cdist

    def counting(queries, choices, **kwargs):
        calls.append(len(queries))
        return real(queries, choices, **kwargs)

    monkeypatch.setattr(fuzzy.process, "cdist", counting)
    text = pd.Series(["ip on the trian"] * 5000 + ["at the rly staion"] * 5000)
    fixed, changed = correct_typos(text, ("train", "station"))
    assert calls == [2]  # one call, one row per distinct candidate
    assert changed.all() and fixed.iloc[0] == "ip on the train"


def test_a_typo_tags_with_its_own_family():
    settings, reasons = _one("IP abused on the trian by susp", "Street")
    assert "public_transport" in settings
    assert reasons["public_transport"] == "description~typo:train"
    assert _one("V abused in the nitclub")[1] == {}  # two slips in nine letters: not corrected
    assert _one("V abused in the nightclb")[1] == {"nte": "description~typo:nightclub"}


# ---- shorthand, negation and role traps ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "location", "expected"),
    [
        ("IP ASSAULTED O/S B/STOP BY SUSP", "", ["public_transport"]),
        ("SUSP INTOX O/S SPOONS SHOUTING RACIAL ABUSE", "Other", ["nte"]),
        ("V abused by group in the PH", "", ["nte"]),
        ("Fare refused to pay and racially abused driver of PHV", "", ["taxi"]),
        ("IP racially abused at the rank by another cabbie", "", ["taxi"]),
        ("abuse on the tube between stations", "", ["public_transport"]),
        ("words said at the ticket barrier", "", ["public_transport"]),
        ("Kebab shop worker abused by customer", "", ["nte"]),
        ("IP attended police stn to report abuse", "", []),
        ("susp armed with iron bar", "", []),
        ("note posted through the letterbox", "", ["residential"]),
        ("V not on the bus, abused in the street", "Street", ["street"]),
        ("IP got off the bus and walked home, followed and abused", "Street", ["street"]),
        ("IP abused on the bus, then got off at his stop", "", ["public_transport"]),
        ("IP refused to pay the taxi fare and was abusive", "", ["taxi"]),
        ("IP did not pay the taxi driver", "", ["taxi"]),
        ("IP works as a taxi driver, abused at home address", "", ["residential"]),
        ("IP works as a taxi driver. Abusive comments made by neighbour", "", ["residential"]),
        ("Off-duty bus driver racially abused in Tesco", "", ["retail"]),
        ("The victim, a taxi driver, was abused by his passenger", "", ["taxi"]),
        ("IP is a teacher, abused on the train", "", ["public_transport"]),
        # departures: where someone came from or was going is not where it happened
        ("Fare picked up from the Ritz nightclub abused driver", "Taxi/PHV", ["taxi"]),
        ("after leaving the Red Lion PH IP was abused in the cab", "", ["taxi"]),
        ("IP walking past the pub when abuse shouted from a van", "Street", ["street"]),
        # a place word before a job noun is a job; before a road or pub word, a name
        ("IP, a pub landlord, abused while shopping in Lidl", "", ["retail"]),
        ("IP abused by male on Station Road", "Street", ["street"]),
        ("abuse in the bar of the Railway Arms", "", ["nte"]),
        ("Old School Lane - youths shouted abuse at IP", "", []),
        # a role at work: the driver with a fare is in the taxi, wherever the address
        (
            "taxi driver abused by the fare's neighbour while waiting to collect",
            "Dwelling",
            ["taxi"],
        ),
        ("IP is a cabbie, on his day off, abused by a male", "", []),
        ("IP is a taxi driver. His fare refused to pay and abused him", "", ["taxi"]),
        ("Off duty taxi driver, a passenger on the bus, was abused", "", ["public_transport"]),
        ("IP working as a PHV driver abused by a passenger", "Other", ["taxi"]),
    ],
)
def test_police_shorthand_and_traps(text, location, expected):
    assert _one(text, location)[0] == expected


def test_a_role_at_work_overrides_the_location_type_and_says_so():
    assert _one("the taxi driver was abused after the fare refused to pay", "Dwelling")[1] == {
        "taxi": "description:taxi driver (overrides location type 'Dwelling')"
    }


def test_a_role_word_gives_its_own_reason_family():
    assert _one("The victim, a taxi driver, was abused")[1] == {
        "taxi": "description~role:taxi driver"
    }


def test_occupation_columns_follow_the_role_rule():
    assert _one("", "Dwelling", victim_occupation="Taxi driver")[0] == ["residential"]
    assert _one("", "Street", victim_occupation="Taxi driver")[0] == ["taxi", "street"]
    assert _one("", "", suspect_occupation="Door supervisor")[1] == {
        "nte": "suspect_occupation:door supervisor"
    }


# ---- text beats a contradicting location type ------------------------------------------


def test_text_beats_a_contradicting_location_type_and_says_so():
    settings, reasons = _one("IP abused on the bus by a male", "Dwelling")
    assert settings == ["public_transport"]
    assert reasons == {"public_transport": "description:bus (overrides location type 'Dwelling')"}


def test_text_agreeing_with_the_location_type_or_a_vague_type_is_not_an_override():
    assert _one("abused on the bus then followed home", "Bus")[1] == {
        "residential": "description:home",
        "public_transport": "location_type:bus",
    }
    assert _one("abused on the bus", "Street")[1] == {
        "street": "location_type:street",
        "public_transport": "description:bus",
    }
    # a role word never overrides: the taxi driver was abused at home
    assert _one("the taxi driver was abused", "Dwelling")[0] == ["residential"]


def test_output_contract_is_unchanged():
    out = tag_records(pd.DataFrame({"description": ["on the bus", ""], "online": [True, False]}))
    assert list(out.columns) == ["settings", "setting_reasons"]
    assert out["settings"].tolist() == ["public_transport;online", ""]
    assert out["setting_reasons"].tolist() == [
        json.dumps({"public_transport": "description:bus", "online": "online_flag:true"}),
        "{}",
    ]


# ---- a force extends the vocabulary in tensionmap.toml ---------------------------------


def test_a_force_extends_the_vocabulary_in_tensionmap_toml(tmp_path):
    ws = Workspace.open(tmp_path)
    toml = ws.root / "tensionmap.toml"
    toml.write_text(
        toml.read_text()
        + '\n[tagging]\nnot_a_place = ["bus lane camera"]\nfuzzy_threshold = 90\n'
        + '[tagging.abbreviations]\n"t/r" = "taxi rank"\n'
        + '[tagging.roles]\ntaxi = ["chauffeur"]\n'
        + '[tagging.keywords]\npublic_transport = ["Guided-Bus"]\n'
    )
    rules = TaggingRules.from_config(Workspace.open(tmp_path).config.tagging)
    assert rules.fuzzy_threshold == 90.0
    records = pd.DataFrame(
        {
            "description": [
                "IP abused at the T/R",
                "The chauffeur was abused",
                "abused near the bus lane camera",
                "abused on the guided bus",
                "on the trian",  # 80 < 90: no longer corrected
            ]
        }
    )
    assert tag_records(records, rules=rules)["settings"].tolist() == [
        "taxi",
        "taxi",
        "",
        "public_transport",
        "",
    ]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"abbreviation": {}}, r"\[tagging\]: unknown key\(s\) \['abbreviation'\]; known: "),
        ({"roles": {"cabs": ["x"]}}, r"\[tagging.roles\]: 'cabs' is not a setting"),
        (
            {"keywords": {"taxi": "uber"}},
            r"\[tagging.keywords.taxi\]: expected a list of words; 'uber' was given",
        ),
        ({"not_a_place": "x"}, r"\[tagging.not_a_place\]: expected a list of words"),
        (
            {"abbreviations": ["x"]},
            r"'abbreviations' must be a table \(\[tagging.abbreviations\]\)",
        ),
        ({"fuzzy_threshold": "high"}, r"fuzzy_threshold must be a number; 'high' was given"),
    ],
)
def test_bad_tagging_keys_are_named(table, message):
    with pytest.raises(WorkspaceError, match=message):
        TaggingRules.from_config(table)
