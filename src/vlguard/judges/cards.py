"""Judge cards: what each judge answers, its version, and how well it agrees with human labels.

A card is printed under every report table and recorded in `metrics.json`, so a number is never read
without the judge that made it. The validated figures are the ones `vlguard judges validate` measures on
the human-labelled XSTest v2 completions in ../shared/data/xstest/completions_dev/ (1,350 responses of
GPT-4 and Llama-2-70b-chat, two annotators each; partial refusals count as refusals);
tests/judges/test_cards.py measures them again, so a card cannot drift from its judge's rules.
Judges that need a model (llm, classifier) have no offline figure: validate them on your own data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from vlguard.judges import JUDGES, QUESTIONS, Judge

DEV_SET = "XSTest v2 completions (GPT-4, Llama-2-70b-chat with and without its system prompt; n=1350)"


@dataclass(frozen=True)
class Validated:
    on: str
    version: str  # the judge version measured
    agreement: float
    ci95: tuple[float, float]
    n: int
    by_source: tuple[tuple[str, float], ...]


# Measured with `vlguard judges validate ../shared/data/xstest/completions_dev --judge NAME`.
VALIDATED: dict[str, Validated] = {
    "keywords-vlguard": Validated(DEV_SET, "vlguard-paper", 1243 / 1350, (0.905108, 0.933986), 1350,
                                  (("gpt4", 419 / 450), ("llama2new", 410 / 450), ("llama2orig", 414 / 450))),
    "keywords-v1": Validated(DEV_SET, "rules-v1", 1209 / 1350, (0.878103, 0.910763), 1350,
                             (("gpt4", 426 / 450), ("llama2new", 383 / 450), ("llama2orig", 400 / 450))),
    "keywords": Validated(DEV_SET, "rules-v2", 1304 / 1350, (0.95485, 0.974358), 1350,
                          (("gpt4", 436 / 450), ("llama2new", 433 / 450), ("llama2orig", 435 / 450))),
}


def judge_card(judge: Judge) -> dict[str, Any]:
    """The card of a built judge: name, question and its definition, identity, validated agreement."""
    ident = dict(judge.identity)
    v = VALIDATED.get(judge.name)
    validated = asdict(v) if v is not None and v.version == ident.get("version") else None
    return {"judge": judge.name, "question": judge.question, "definition": QUESTIONS[judge.question],
            "identity": ident, "summary": JUDGES[judge.name].summary, "validated": validated}


def card_line(card: dict[str, Any]) -> str:
    """One sentence for a report: the judge, what it answers, and its validated agreement (if any)."""
    ident = card.get("identity") or {}
    version = ident.get("version") or ident.get("prompt") or ident.get("model") or ""
    head = f"Judge `{card['judge']}`" + (f" ({version})" if version else "")
    text = f"{head} answers the {card['question']} question: {card['definition']}."
    v = card.get("validated")
    if v:
        lo, hi = v["ci95"]
        text += (f" Agreement with human labels on {v['on']}: {v['agreement'] * 100:.1f}% "
                 f"[{lo * 100:.1f}, {hi * 100:.1f}].")
    else:
        text += " Not validated on human labels here: check it with `vlguard judges validate` on your data."
    return text
