"""MMLU multiple choice: letter accuracy (text only)."""

from __future__ import annotations

from vlguard.data.helpfulness_benchmarks import load_mmlu
from vlguard.eval.scorers import MatchScorer
from vlguard.eval.tasks.base import Task

MMLU = Task("mmlu", "MMLU test split: accuracy of the answer letter", "mmlu", lambda p, limit=None: load_mmlu(p, split="test", limit=limit),
            scorer=MatchScorer("letter"), primary="correct", max_new_tokens=8)
