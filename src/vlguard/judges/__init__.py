"""Judges: per exchange (a request and the model's answer), a verdict on one stated question.

Each judge answers one question (`Judge.question`), and the three are different:
- `refusal`: did the answer decline, deflect or refute instead of answering? (the paper's ASR is "no refusal")
- `harm`: did the answer give the harmful help asked for? (its verdicts also say whether it refused)
- `pairwise`: is the answer better than a reference answer? (win 1, tie 0.5, loss 0)

A judge reads `Exchange` mappings and returns one `Verdict` each, in order. A verdict that cannot be parsed is
an error, recorded and excluded from every rate, never counted as a pass. Generation failures and provider
blocks never reach a judge: the eval scorer settles them first (`vlguard.eval.scorers.settled_verdict`).
Every judge carries an `identity` (what decides its verdicts: cached verdicts under another identity are
stale) and `usage` (the calls and tokens it paid for; None for offline judges).

This module is the one name -> judge map that `--judge NAME` reads (`JUDGES`), and the one place judge
options from a command line or config become a judge's keyword arguments (`judge_options`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal, Protocol, TypedDict

from vlguard.errors import ConfigError

Question = Literal["refusal", "harm", "pairwise"]
QUESTIONS: dict[str, str] = {
    "refusal": "declines, deflects or refutes instead of answering",
    "harm": "gives the harmful help asked for",
    "pairwise": "is a better answer than the reference",
}


class Exchange(TypedDict, total=False):
    """What a judge reads. `prompt` and `output` are required; the rest is used by some judges."""

    id: str
    prompt: str  # the last request
    output: str  # the answer judged
    messages: list[dict[str, Any]]  # the conversation up to and including the request (role, content)
    image: str | None
    image_root: str | None
    reference: str | None  # pairwise: the answer to compare with


@dataclass
class Verdict:
    refused: bool | None = None
    harmful: bool | None = None
    win: float | None = None  # pairwise helpfulness: 1 win, 0.5 tie, 0 loss
    error: str | None = None
    detail: str | None = None


class Judge(Protocol):
    name: str
    question: Question
    usage: Any  # a vlguard.clients.usage.Usage for judges that call a paid API, else None

    @property
    def identity(self) -> dict[str, Any]: ...

    def judge(self, items: list[Exchange]) -> list[Verdict]: ...


def no_output(item: Exchange, needs_prompt: bool = True) -> Verdict | None:
    """An error verdict for an exchange without answer (or request) text, else None."""
    if not isinstance(item.get("output"), str):
        return Verdict(error="record has no output text")
    if needs_prompt and not isinstance(item.get("prompt"), str):
        return Verdict(error="record has no prompt text")
    return None


def _keywords_vlguard(**_: Any) -> Judge:
    from vlguard.judges.keywords import KeywordJudge

    return KeywordJudge(paper=True)


def _keywords(**_: Any) -> Judge:
    from vlguard.judges.keywords import KeywordJudge

    return KeywordJudge(paper=False)


def _keywords_v1(**_: Any) -> Judge:
    from vlguard.judges.keywords import KeywordJudge

    return KeywordJudge(rules_v1=True)


def _harm_keywords(**_: Any) -> Judge:
    from vlguard.judges.harm_keywords import HarmKeywordJudge

    return HarmKeywordJudge()


def _llm(**kw: Any) -> Judge:
    from vlguard.judges.llm import LLMJudge

    return LLMJudge(**kw)


def _classifier(**kw: Any) -> Judge:
    from vlguard.judges.classifier import ClassifierJudge

    return ClassifierJudge(**kw)


@dataclass(frozen=True)
class JudgeKind:
    factory: Callable[..., Judge]
    questions: tuple[Question, ...]  # the first is what it answers unless asked for another
    offline: bool
    summary: str


JUDGES: dict[str, JudgeKind] = {
    "keywords-vlguard": JudgeKind(_keywords_vlguard, ("refusal",), True, "the VLGuard paper's refusal keywords, exactly"),
    "keywords": JudgeKind(_keywords, ("refusal",), True, "improved refusal rules (vlguard.judges.refusal)"),
    "keywords-v1": JudgeKind(_keywords_v1, ("refusal",), True, "the improved rules' version 1, frozen"),
    "harm-keywords": JudgeKind(_harm_keywords, ("harm",), True, "harm-request lexicon + refusal rules"),
    "llm": JudgeKind(_llm, ("harm", "refusal", "pairwise"), False, "a judge model behind an OpenAI-compatible API"),
    "classifier": JudgeKind(_classifier, ("harm",), False, "a Llama-Guard-style safety classifier"),
}


def judge_kind(name: str) -> JudgeKind:
    if name not in JUDGES:
        raise ConfigError(f"unknown judge {name!r}; choose one of {', '.join(JUDGES)}")
    return JUDGES[name]


def make_judge(name: str, question: Question | None = None, **kw: Any) -> Judge:
    """The judge `name`, answering `question` (default: its first); `kw` go to its constructor."""
    kind = judge_kind(name)
    if question is not None and question not in kind.questions:
        raise ConfigError(f"judge {name!r} answers {' or '.join(kind.questions)}, not {question!r}")
    if question is not None and len(kind.questions) > 1:
        kw["mode"] = question
    return kind.factory(**kw)


def judge_options(name: str, model: str | None = None, base_url: str | None = None,
                  api_key_env: str = "OPENAI_API_KEY", concurrency: int = 8) -> dict[str, Any]:
    """The constructor arguments of judge `name` from the judge options every command shares."""
    judge_kind(name)
    if name == "llm":
        return {"model": model, "base_url": base_url, "api_key_env": api_key_env, "concurrency": concurrency}
    if name == "classifier" and model:
        return {"model": model}
    return {}


@dataclass(frozen=True)
class JudgeOptions:
    """The judge settings commands share (`--judge-model`, `--judge-base-url`, `--api-key-env`, ...)."""

    model: str | None = None
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = 8

    def build(self, name: str, question: Question | None = None) -> Judge:
        """Judge `name` (answering `question`) made with these settings."""
        return make_judge(name, question, **judge_options(name, self.model, self.base_url, self.api_key_env,
                                                          self.concurrency))
