"""A deterministic corpus of realistic English chunks (varied sentences, 500-1,500 characters each).

Not lorem ipsum: sentences are assembled from topic vocabularies (science, history, finance, cooking, travel,
software, health, law) with varied grammar, numbers, names and punctuation, so that token counts behave like those
of real documents split for retrieval.
"""

from __future__ import annotations

import random

__all__ = ["english_chunks"]

_TOPICS: dict[str, dict[str, list[str]]] = {
    "science": {
        "subjects": ["the research team", "a graduate student", "the laboratory", "Dr. Okafor", "the survey"],
        "verbs": ["measured", "observed", "compared", "recorded", "modelled", "questioned"],
        "objects": [
            "the rate of photosynthesis in shaded leaves",
            "changes in ocean salinity near the estuary",
            "the half-life of the unstable isotope",
            "how quickly the enzyme lost its activity",
            "the orbit of a faint comet",
        ],
    },
    "history": {
        "subjects": ["the treaty", "the merchant guild", "Queen Matilda", "the provincial council", "the chronicle"],
        "verbs": ["reshaped", "ignored", "documented", "financed", "challenged", "preserved"],
        "objects": [
            "the trade routes along the northern coast",
            "a long dispute over grazing rights",
            "the rebuilding of the cathedral after the fire of 1174",
            "the customs of the river towns",
            "taxes on salt and wool",
        ],
    },
    "finance": {
        "subjects": ["the central bank", "our quarterly report", "the pension fund", "analysts", "the audit committee"],
        "verbs": ["revised", "highlighted", "underestimated", "reported", "hedged against", "forecast"],
        "objects": [
            "a 3.5% rise in operating costs",
            "the exposure to variable-rate loans",
            "slower growth in consumer spending",
            "the currency risk on imported parts",
            "cash reserves of roughly $42 million",
        ],
    },
    "cooking": {
        "subjects": ["the chef", "my grandmother", "this recipe", "a good baker", "the test kitchen"],
        "verbs": ["recommends", "avoids", "simmers", "folds in", "seasons", "rests"],
        "objects": [
            "the onions until they turn golden and sweet",
            "the dough for at least forty minutes",
            "a pinch of smoked paprika",
            "the sauce before adding the cream",
            "fresh herbs at the very end",
        ],
    },
    "travel": {
        "subjects": ["the night train", "our guide", "the ferry to the islands", "most visitors", "the old harbour"],
        "verbs": ["leaves from", "recommends", "skips", "crosses", "overlooks", "connects"],
        "objects": [
            "the market square near the cathedral",
            "a quiet valley famous for its vineyards",
            "the border town before sunrise",
            "the coastal path between two fishing villages",
            "the museum of maps and instruments",
        ],
    },
    "software": {
        "subjects": ["the build server", "our API client", "the migration script", "the on-call engineer", "the cache"],
        "verbs": ["retries", "validates", "rolled back", "profiled", "rejected", "batched"],
        "objects": [
            "requests that exceed the token budget",
            "the schema change on the orders table",
            "every response before it reaches the user",
            "slow queries during the nightly import",
            "connections that were left open",
        ],
    },
    "health": {
        "subjects": [
            "the clinic",
            "a nurse practitioner",
            "the new guideline",
            "patients in the trial",
            "the pharmacist",
        ],
        "verbs": ["monitors", "reduced", "explained", "screens for", "adjusted", "tracked"],
        "objects": [
            "blood pressure twice a week",
            "the dose for older adults",
            "early signs of dehydration",
            "sleep quality over six months",
            "side effects reported after the second week",
        ],
    },
    "law": {
        "subjects": ["the court", "the tenant", "the contract", "both parties", "the regulator"],
        "verbs": ["required", "disputed", "limited", "clarified", "waived", "enforced"],
        "objects": [
            "notice of at least thirty days",
            "liability for indirect damages",
            "the right to terminate early",
            "the deadline for filing an appeal",
            "disclosure of the fees in writing",
        ],
    },
}
_OPENERS = [
    "",
    "",
    "",
    "In practice, ",
    "According to the notes, ",
    "By early spring, ",
    "For this reason, ",
    "Surprisingly, ",
    "After several attempts, ",
    "As expected, ",
]
_TAILS = [
    ".",
    ".",
    ".",
    ", which nobody had predicted.",
    " without any serious problems.",
    ", although the results were mixed.",
    " despite the limited budget.",
    "; the details are in the appendix.",
    " (see table 4).",
    "?",
]
_LINKS = [
    "However, {s} {v} {o}.",
    "Meanwhile, {s} {v} {o}.",
    "It is worth noting that {s} {v} {o}.",
    '"We {v} {o}," said {s}.',
    "Between {n} and {m}, {s} {v} {o}.",
]


def _sentence(rng: random.Random, vocab: dict[str, list[str]]) -> str:
    s, v, o = rng.choice(vocab["subjects"]), rng.choice(vocab["verbs"]), rng.choice(vocab["objects"])
    if rng.random() < 0.25:
        year = rng.randint(1850, 2024)
        link = rng.choice(_LINKS).format(s=s, v=v, o=o, n=year, m=year + rng.randint(1, 30))
        return link[0].upper() + link[1:]
    opener = rng.choice(_OPENERS)
    first = s if opener else s[0].upper() + s[1:]
    return f"{opener}{first} {v} {o}{rng.choice(_TAILS)}"


def english_chunks(count: int, *, seed: int = 11, min_chars: int = 500, max_chars: int = 1500) -> list[str]:
    """``count`` chunks of varied English prose, each between ``min_chars`` and about ``max_chars`` characters."""
    rng = random.Random(seed)
    topics = list(_TOPICS.values())
    chunks = []
    for _ in range(count):
        target = rng.randint(min_chars, max_chars)
        vocab = rng.choice(topics)
        parts: list[str] = []
        size = 0
        while size < target:
            if rng.random() < 0.15:
                vocab = rng.choice(topics)  # chunks drift between topics, like real documents
            sentence = _sentence(rng, vocab)
            parts.append(sentence)
            size += len(sentence) + 1
        chunks.append(" ".join(parts))
    return chunks
