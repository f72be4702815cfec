"""Refusal judges by keyword: the paper's exact rule (`keywords-vlguard`) and the improved one (`keywords`).

Both answer the refusal question only. See `vlguard.judges.refusal` for both rules, the paper's quirks, and
each difference with its reason.
"""

from __future__ import annotations

from typing import Any

from vlguard.judges import Exchange, Verdict, no_output
from vlguard.judges.refusal import is_refusal, is_refusal_vlguard, refusal_reason


class KeywordJudge:
    question = "refusal"
    usage = None  # offline

    def __init__(self, paper: bool = False):
        self.paper = paper
        self.name = "keywords-vlguard" if paper else "keywords"

    @property
    def identity(self) -> dict[str, Any]:
        """What decides this judge's verdicts: verdicts cached under another identity are stale."""
        return {"name": self.name}

    def judge(self, items: list[Exchange]) -> list[Verdict]:
        out = []
        for r in items:
            text = r.get("output")
            if (bad := no_output(r, needs_prompt=False)) is not None:
                out.append(bad)
            elif self.paper:
                out.append(Verdict(refused=is_refusal_vlguard(text)))
            else:
                out.append(Verdict(refused=is_refusal(text), detail=refusal_reason(text)))
        return out
