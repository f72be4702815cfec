"""Judges: decide, per generation, whether the model refused (and, for some, whether it was harmful).

A judge takes generation records (`{id, prompt, output, ...}`) and returns one Verdict each. A verdict
that cannot be parsed is an error, recorded and excluded from every rate, never counted as a pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

from vlguard.errors import ConfigError


@dataclass
class Verdict:
    refused: bool | None = None
    harmful: bool | None = None
    win: float | None = None  # pairwise helpfulness: 1 win, 0.5 tie, 0 loss
    error: str | None = None
    detail: str | None = None


class Judge(Protocol):
    name: str

    def judge(self, records: list[dict[str, Any]]) -> list[Verdict]: ...


def _keywords_vlguard(**_: Any) -> Judge:
    from vlguard.judges.keywords import KeywordJudge

    return KeywordJudge(paper=True)


def _keywords(**_: Any) -> Judge:
    from vlguard.judges.keywords import KeywordJudge

    return KeywordJudge(paper=False)


def _harm_keywords(**_: Any) -> Judge:
    from vlguard.judges.harm_keywords import HarmKeywordJudge

    return HarmKeywordJudge()


def _llm(**kw: Any) -> Judge:
    from vlguard.judges.llm import LLMJudge

    return LLMJudge(**kw)


def _classifier(**kw: Any) -> Judge:
    from vlguard.judges.classifier import ClassifierJudge

    return ClassifierJudge(**kw)


JUDGES: dict[str, Callable[..., Judge]] = {
    "keywords-vlguard": _keywords_vlguard,
    "keywords": _keywords,
    "harm-keywords": _harm_keywords,
    "llm": _llm,
    "classifier": _classifier,
}


def make_judge(name: str, **kw: Any) -> Judge:
    if name not in JUDGES:
        raise ConfigError(f"unknown judge {name!r}; choose one of {', '.join(JUDGES)}")
    return JUDGES[name](**kw)
