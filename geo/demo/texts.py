"""Words for generated records: location types, descriptions and offence texts per setting.

No real names: descriptions speak of "the victim", "a male", "a group of youths".
About a quarter of transport, taxi and night-time-economy records carry a vague
location type ("Street", blank) so the setting is only evident from the description,
as in real exports.
"""

from __future__ import annotations

import numpy as np

LOCATION_TYPES: dict[str, tuple[str, ...]] = {
    "residential": ("Dwelling", "Dwelling", "Garden", "Communal area of flats"),
    "street": ("Street", "Street", "Footpath", "Park", "Car park"),
    "nte": ("Licensed premises", "Pub", "Nightclub", "Takeaway", "Bar"),
    "public_transport": ("Bus", "Railway station", "Train", "Bus station", "Bus stop"),
    "taxi": ("Taxi", "Private hire vehicle", "Taxi rank"),
    "online": ("Online", "Social media", "Online"),
    "school": ("School", "Outside school gates", "College"),
    "retail": ("Shop", "Supermarket", "Shopping centre", "Petrol station"),
}
VAGUE_LOCATION_TYPES = ("Street", "", "Other")

DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "residential": (
        "The victim was subjected to {abuse} by a neighbour outside their home.",
        "Eggs were thrown at the victim's front door and {abuse} was shouted.",
        "A note containing {abuse} was pushed through the victim's letterbox.",
    ),
    "street": (
        "The victim was walking along the road when a male directed {abuse} at them.",
        "A group of youths followed the victim through the park shouting {abuse}.",
    ),
    "nte": (
        "Door staff reported a customer who directed {abuse} at another customer in the pub.",
        "The victim, working behind the counter of a late-night takeaway, "
        "received {abuse} from a customer.",
        "Outside the nightclub a male approached the victim and made {abuse}.",
    ),
    "public_transport": (
        "The victim was travelling on the bus when another passenger made {abuse}.",
        "While waiting on the platform at the railway station the victim received {abuse}.",
        "A passenger on the train directed {abuse} at the victim and refused to move seats.",
    ),
    "taxi": (
        "The taxi driver was subjected to {abuse} by a passenger who then refused to pay the fare.",
        "A private hire driver was racially abused by a fare at the end of the journey.",
        "At the taxi rank a male shouted {abuse} at the driver.",
    ),
    "online": (
        "The victim received messages on social media containing {abuse}.",
        "Posts containing {abuse} about the victim were shared online.",
    ),
    "school": (
        "At the school gates a parent directed {abuse} at the victim.",
        "A pupil reported {abuse} from older students on the way out of school.",
    ),
    "retail": (
        "Shop staff were subjected to {abuse} by a customer who was refused service.",
        "A shopper directed {abuse} at the victim in the supermarket queue.",
    ),
}

ABUSE = {
    "race": "racist abuse",
    "religion": "abuse about their faith",
    "sexual_orientation": "homophobic abuse",
    "disability": "abuse about their disability",
    "transgender": "transphobic abuse",
}

INCIDENT_OFFENCE = {
    "race": "RACIST INCIDENT - NON CRIME (NR)",
    "religion": "FAITH INCIDENT - NON CRIME (NR)",
    "sexual_orientation": "HOMOPHOBIC INCIDENT - NON CRIME (NR)",
    "disability": "DISABILITY INCIDENT - NON CRIME (NR)",
    "transgender": "TRANSPHOBIC INCIDENT - NON CRIME (NR)",
}

#: Vague wording for transport/taxi/NTE records whose location type says little.
VAGUE_DESCRIPTIONS = {
    "public_transport": "Whilst on the number {route} bus the victim was subjected to {abuse}.",
    "taxi": "The victim, a taxi driver, was subjected to {abuse} by his passenger.",
    "nte": "Late at night outside the pub a customer subjected the victim to {abuse}.",
}


def pick(rng: np.random.Generator, options: tuple[str, ...], n: int) -> np.ndarray:
    """``n`` options drawn uniformly with replacement.

    Parameters
    ----------
    rng
        The scenario's random generator.
    options
        The texts to draw from (repeat one to make it likelier).
    n
        How many to draw.

    Returns
    -------
    numpy.ndarray
        ``n`` texts (object dtype).

    Examples
    --------
    >>> pick(np.random.default_rng(0), LOCATION_TYPES["taxi"], 3).tolist()
    ['Taxi rank', 'Private hire vehicle', 'Private hire vehicle']
    """
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), n)]
