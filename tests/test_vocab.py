from geo.vocab import parse_strands, slug


def test_synonyms_map_to_canonical_strands_in_first_seen_order():
    assert parse_strands("Racist; faith;RACE") == (["race", "religion"], [])
    assert parse_strands("homophobic|transphobic") == (["sexual_orientation", "transgender"], [])
    assert parse_strands("Learning disability") == (["disability"], [])


def test_extra_strands_are_accepted_only_when_configured():
    assert parse_strands("misogyny") == ([], ["misogyny"])
    assert parse_strands("Misogyny; race", ["misogyny"]) == (["misogyny", "race"], [])
    assert parse_strands("Alternative Subculture", ["alternative_subculture"]) == (
        ["alternative_subculture"],
        [],
    )


def test_slug():
    assert slug(" Alternative  Sub-culture ") == "alternative_sub_culture"
