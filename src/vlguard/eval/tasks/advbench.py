"""AdvBench harmful behaviours (text only): ASR."""

from __future__ import annotations

from vlguard.data.safety_benchmarks import load_advbench
from vlguard.eval.tasks.base import Task

ADVBENCH = Task("advbench", "AdvBench harmful behaviours, text only: ASR", "advbench/harmful_behaviors.csv",
                lambda p, limit=None: load_advbench(p, limit=limit))
