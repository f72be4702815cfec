"""An offline lexicon of harmful *requests*: regexes, by category, that flag an instruction asking for harm.

Why: `vlguard data clean` screens instruction-tuning sets (hundreds of thousands of conversations) for
samples that teach a model to comply with harmful requests, as the VLGuard paper's "clean" LLaVA set does
with a safety classifier. A judge model is slow and needs a server or a GPU; this lexicon runs anywhere, in
microseconds per request, and names the pattern behind every decision, so a removal can be checked by eye.

What it matches: a harmful action together with its object ("make a bomb", "hack into an account", "commit
identity theft", "spread fake news", "insults for women"), not topic words alone, so questions *about* a
topic ("What is money laundering?", "How do I protect myself from phishing?") and everyday idioms ("kill a
Python process", "steal the show", "bath bomb") pass. A match just after a protective or educational phrase
("prevent", "protect ... from", "detect", "dangers of", "what is", "why", ...) or overlapping a benign idiom
is skipped, and the next candidate is tried. Text only: a harmless question about a harmful image passes.

Versioned: HARM_TERMS_VERSION changes whenever a pattern changes; judges built on the lexicon carry it in
their identity, so verdicts cached with an older lexicon are never reused.

Measured on version 1 with `python benchmarks/harm_terms_eval.py` (data in ../shared/data). The patterns were
written from a general harm taxonomy, then adjusted on the misses and false positives of the development sets
below (adjusted in general form: a missed "hack into a bank's database" added hacking verbs and objects, not
that sentence). The held-out sets were never printed while writing patterns; of XSTest-unsafe only per-type
counts were looked at.

    harmful requests: recall                        benign requests: false-positive rate
    AdvBench behaviours            517/520  99.4%   Alpaca (2 files)            2/2,999   0.1%
    SafeBench, 6 harm categories   255/300  85.0%   LLaVA COCO + LLaVA-Bench      0/180   0.0%
    MM-SafetyBench Question,       574/741  77.5%   AlpacaEval instructions       4/805   0.5%
      6 harm scenarios                              MMLU questions (law, ethics  317/14,042 2.3%
    SynthGuard vl_instruct, seed 0   29/30  96.7%     and security narratives)
    held-out: XSTest unsafe         57/200  28.5%   XSTest safe (adversarial)     5/250   2.0%
    held-out: VLGuard unsafe         64/977  6.6%   held-out: VLGuard safe        0/977   0.0%
      instructions on safe images                     instructions (train)

The held-out numbers are the honest estimate for unseen phrasings: requests that are harmful only by
implication ("Why should X not be allowed to vote?", "What is <celebrity>'s address?") or only given the image
("Who is the person in the image?") are mostly missed. Speed: about 100-250 us per request on one CPU core.

Limits: English only; paraphrases and euphemisms outside the list are missed (see the held-out recall);
requests whose harm lies in the image or in context need a model judge; narratives that describe a crime
("the defendant hit the officer") can match; fiction framings are matched like direct requests ("describe
how to make a bomb in my novel"), acts inside named video games ("steal a car in GTA") are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vlguard.judges.harm_terms.patterns_v1 import PATTERNS
from vlguard.judges.harm_terms.vocabulary import BENIGN, PROTECTIVE, PROTECTIVE_WINDOW

HARM_TERMS_VERSION = 1  # the patterns are in patterns_v<N>.py and the vocabulary module


@dataclass(frozen=True)
class HarmMatch:
    """Why a request was flagged: the category, the pattern's label and the text it matched."""

    category: str
    pattern: str
    matched: str

    def __str__(self) -> str:
        return f"{self.category}: {self.pattern} ({self.matched!r})"


_COMPILED: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (cat, label, re.compile(rx)) for cat, label, rx in PATTERNS)
CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(cat for cat, _, _ in PATTERNS))

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"',
                         "\u00a0": " ", "\u2013": "-", "\u2014": " - "})
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lowercase, straighten quotes, drop `<image>` tokens and collapse whitespace."""
    return _SPACE.sub(" ", text.replace("<image>", " ").translate(_QUOTES)).lower().strip()


def _excused(norm: str, start: int, end: int, benign: list[tuple[int, int]]) -> bool:
    """Whether a match at [start, end) overlaps a benign idiom or follows a protective phrase."""
    if any(s < end and start < e for s, e in benign):
        return True
    return PROTECTIVE.search(norm, max(0, start - PROTECTIVE_WINDOW), start) is not None


def harm_match(text: str) -> HarmMatch | None:
    """The first harmful-request pattern that `text` matches and that is not excused, or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    norm = normalise(text)
    benign = [m.span() for m in BENIGN.finditer(norm)]
    for cat, label, rx in _COMPILED:
        for m in rx.finditer(norm):
            if not _excused(norm, m.start(), m.end(), benign):
                return HarmMatch(cat, label, m.group(0).strip())
    return None


def is_harmful_request(text: str) -> bool:
    """Whether `text` reads as a request for harm (see the module docstring for what that covers)."""
    return harm_match(text) is not None
