"""Refusal judges by keyword: the paper's exact rule (`keywords-vlguard`), the improved one (`keywords`), and
the improved one's first version, frozen (`keywords-v1`), to reproduce numbers made with it.

Both answer the refusal question only ("declines, deflects or refutes instead of answering"); the paper's
ASR is "no refusal". See `vlguard.judges.refusal` for both rules, the paper's quirks, and each difference
with its reason; `vlguard.judges.cards` for how each agrees with human labels.
"""

from __future__ import annotations

from typing import Any

from vlguard.judges import Exchange, Question, Verdict, no_output, refusal_v1
from vlguard.judges.refusal import REFUSAL_RULES_VERSION, is_refusal_vlguard, refusal_match

PAPER_VERSION = "vlguard-paper"  # the list and matching of ys-zong/VLGuard's utils.py, never changed


class KeywordJudge:
    question: Question = "refusal"
    usage = None  # offline

    def __init__(self, paper: bool = False, rules_v1: bool = False):
        self.paper = paper
        self._match = refusal_v1.refusal_match if rules_v1 else refusal_match
        self.name = "keywords-vlguard" if paper else "keywords-v1" if rules_v1 else "keywords"
        self.version = PAPER_VERSION if paper else "rules-v1" if rules_v1 else f"rules-v{REFUSAL_RULES_VERSION}"

    @property
    def identity(self) -> dict[str, Any]:
        """What decides this judge's verdicts: verdicts cached under another identity are stale."""
        return {"name": self.name, "version": self.version}

    def judge(self, items: list[Exchange]) -> list[Verdict]:
        out = []
        for r in items:
            if (bad := no_output(r, needs_prompt=False)) is not None:
                out.append(bad)
            elif self.paper:
                out.append(Verdict(refused=is_refusal_vlguard(r["output"])))
            else:
                m = self._match(r["output"])  # one pass gives the verdict and its reason
                out.append(Verdict(refused=m is not None, detail=str(m) if m is not None else None))
        return out
