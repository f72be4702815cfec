"""Refusal judges by keyword: the paper's exact rule (`keywords-vlguard`) and the improved one (`keywords`).

See `vlguard.judges.refusal` for both rules, the paper's quirks, and each difference with its reason.
"""

from __future__ import annotations

from typing import Any

from vlguard.judges import Verdict
from vlguard.judges.refusal import is_refusal, is_refusal_vlguard, refusal_reason


class KeywordJudge:
    def __init__(self, paper: bool = False):
        self.paper = paper
        self.name = "keywords-vlguard" if paper else "keywords"

    def judge(self, records: list[dict[str, Any]]) -> list[Verdict]:
        out = []
        for r in records:
            text = r.get("output")
            if not isinstance(text, str):
                out.append(Verdict(error="record has no output text"))
            elif self.paper:
                out.append(Verdict(refused=is_refusal_vlguard(text)))
            else:
                out.append(Verdict(refused=is_refusal(text), detail=refusal_reason(text)))
        return out
