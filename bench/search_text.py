"""Comments that read like the portal's, for the search benchmark: many topics, each word at
the rate it has in real discussions ("infusion" in about one comment in ten, "thyroid" in one
in thirty), never one sentence pasted into every row, which would make every search find
everything and measure nothing.

Plain sentences only (no Markdown, links or list markers), so the stored HTML is the text
escaped in one paragraph: exactly what the write path stores, without sanitizing 80,000 bodies
(`html_of` checks that claim against the real renderer on a sample).
"""

from __future__ import annotations

import random

from portal import sanitize

DRUGS = ("ocrelizumab", "natalizumab", "alemtuzumab", "cladribine", "ofatumumab")

# topic: (share of comments that touch it, sentences that use its words).
TOPICS: dict[str, tuple[float, tuple[str, ...]]] = {
    "infusion": (
        0.10,
        (
            "The infusion itself took about four hours and the nurses were lovely.",
            "I had a rash and an itchy throat during the first infusion day.",
            "They slowed the drip when my blood pressure dropped at the infusion unit.",
            "Is it normal to need two weeks off work after each infusion of {drug}?",
        ),
    ),
    "fatigue": (
        0.08,
        (
            "The fatigue hits me most in the afternoon, like walking through treacle.",
            "My fatigue was worse for a fortnight and then slowly lifted.",
            "Does anyone have tips for managing fatigue with small children at home?",
            "Pacing helped my fatigue more than any tablet ever did.",
        ),
    ),
    "thyroid": (
        0.03,
        (
            "My thyroid went overactive about two years after the second course.",
            "They found thyroid antibodies on my monthly bloods and referred me on.",
            "How often should thyroid function be checked after {drug}?",
            "I was told to watch for a racing heart and weight loss, signs of thyroid trouble.",
        ),
    ),
    "vaccines": (
        0.05,
        (
            "The team wanted my vaccinations done before the first dose.",
            "Can I have the flu jab while on {drug}, or should I wait?",
            "My shingles vaccine had to be given six weeks before starting.",
        ),
    ),
    "pregnancy": (
        0.03,
        (
            "We are hoping to start a family and I am worried about timing with {drug}.",
            "How long after the last dose is it considered safe to conceive?",
            "Breastfeeding was the question nobody at the clinic could answer.",
        ),
    ),
    "infections": (
        0.05,
        (
            "I keep getting urinary infections since starting treatment.",
            "A chest infection in winter put me in bed for a week.",
            "Should I tell the team about every cold, or only a fever?",
        ),
    ),
    "relapse": (
        0.06,
        (
            "I had a relapse last spring with numbness down my left leg.",
            "Steroids shortened the relapse but I slept badly for days.",
            "How do you tell a relapse from a bad week of heat and stress?",
        ),
    ),
    "mri": (
        0.06,
        (
            "My latest MRI showed no new lesions, which was such a relief.",
            "The scanner is loud; I ask for headphones and music now.",
            "Is contrast needed every time for the yearly brain scan?",
        ),
    ),
    "bloods": (
        0.07,
        (
            "My lymphocytes dropped low and they paused the next dose.",
            "Monthly blood tests are a chore but the results come back quickly.",
            "My liver numbers were slightly raised at the last check.",
        ),
    ),
    "hair": (
        0.02,
        (
            "My hair thinned a lot a few months in, then grew back curlier.",
            "Has anyone else noticed hair loss with {drug}?",
        ),
    ),
    "bladder": (
        0.04,
        (
            "Bladder urgency is the symptom I find hardest at work.",
            "A continence nurse showed me exercises that really helped.",
        ),
    ),
    "work": (
        0.05,
        (
            "My employer agreed to flexible hours around appointments.",
            "I worry about telling my manager about the diagnosis.",
            "Working from home two days a week made a real difference.",
        ),
    ),
    "sleep": (
        0.04,
        (
            "I wake at three every night with spasms in my calves.",
            "A cooler bedroom and no screens after nine helped my sleep.",
        ),
    ),
    "mood": (
        0.04,
        (
            "Low mood crept up on me after the diagnosis.",
            "Talking to a counsellor through the clinic helped me cope.",
        ),
    ),
    "heat": (
        0.03,
        (
            "Hot weather makes my symptoms flare for a day or two.",
            "A cooling vest was worth every penny last summer.",
        ),
    ),
    "walking": (
        0.05,
        (
            "My walking distance has improved since I started physiotherapy.",
            "I use a stick on uneven ground and feel steadier for it.",
            "Foot drop made me trip on kerbs until I got a splint.",
        ),
    ),
    "eyes": (
        0.02,
        (
            "Optic neuritis blurred the vision in my right eye for weeks.",
            "Reading glasses suddenly stopped being enough.",
        ),
    ),
    "travel": (
        0.03,
        (
            "We flew abroad between doses and took a letter from the nurse.",
            "Travel insurance cost far more once I declared the condition.",
        ),
    ),
    "diet": (
        0.03,
        (
            "I have tried cutting out sugar but cannot say it changed much.",
            "Vitamin D was low, so I take a supplement through the winter.",
        ),
    ),
    "switching": (
        0.04,
        (
            "My neurologist suggested switching from {drug} after the last scan.",
            "How long is the washout when changing to a different treatment?",
        ),
    ),
}

OPENERS = (
    "Hello everyone.",
    "Thank you for this post.",
    "Hi, first time writing here.",
    "Just an update from me.",
    "Sorry if this has been asked before.",
    "A quick question.",
    "",
    "",
)
CLOSERS = (
    "Thanks in advance.",
    "Any advice welcome.",
    "I would love to hear how others manage.",
    "Wishing everyone a good week.",
    "",
    "",
)
ANSWER_OPENERS = (
    "Thank you for asking.",
    "That is a very common question.",
    "Good question, and you are not alone.",
)
ANSWER_CLOSERS = (
    "Please raise it with your MS team at your next review.",
    "If anything changes suddenly, contact your team the same day.",
    "Keep a short diary to bring to the clinic; it helps us a lot.",
)

# Everyday sentences for a comment that touches no topic: a thank-you, news, a hello.
GENERAL = (
    "It helps so much to read that others have been through the same.",
    "We saw the specialist nurse last week and came away reassured.",
    "My partner comes to every appointment with me now.",
    "Three years in and I finally feel I understand my own condition.",
    "The support group meets on Thursdays if anyone local is interested.",
)


def _topics(rng: random.Random) -> list[str]:
    # Each topic on its own chance: its words then appear in about its share of comments.
    return [topic for topic, (share, _) in TOPICS.items() if rng.random() < share]


def comment(rng: random.Random, *, answer: bool = False) -> str:
    """One comment's text: a greeting, a few sentences on one to three topics, a sign-off."""
    drug = rng.choice(DRUGS)
    sentences = [rng.choice(TOPICS[topic][1]).format(drug=drug) for topic in _topics(rng)]
    if not sentences or rng.random() < 0.5:
        sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(GENERAL))
    if answer:
        parts = [rng.choice(ANSWER_OPENERS), *sentences, rng.choice(ANSWER_CLOSERS)]
    else:
        parts = [rng.choice(OPENERS), *sentences, rng.choice(CLOSERS)]
    return " ".join(part for part in parts if part)


def html_of(text: str) -> str:
    """The stored HTML of a plain-sentence comment: one escaped paragraph."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<p>{escaped.replace(chr(34), '&quot;')}</p>"


def check_html(rng: random.Random, samples: int = 200) -> None:
    """Fail loudly if html_of ever differs from what the write path would store."""
    for _ in range(samples):
        text = comment(rng, answer=rng.random() < 0.3)
        if html_of(text) != sanitize.render_markdown(text):
            raise RuntimeError(f"the bench's HTML differs from the renderer's for {text!r}")


def share_with(word: str, texts: list[str]) -> float:
    """How many of texts hold word (case aside), as a fraction: to print the realism."""
    needle = word.casefold()
    return sum(needle in text.casefold() for text in texts) / max(1, len(texts))
