"""Evaluation tasks by name (the one name -> task map that `--tasks` reads)."""

from __future__ import annotations

from vlguard.errors import ConfigError
from vlguard.eval.tasks.base import Task
from vlguard.eval.tasks.advbench import ADVBENCH
from vlguard.eval.tasks.figstep import FIGSTEP
from vlguard.eval.tasks.mm_safetybench import MM_SAFETYBENCH
from vlguard.eval.tasks.mmlu import MMLU
from vlguard.eval.tasks.synth import SYNTH_HARMFUL, SYNTH_HELPFUL, SYNTH_TEXT_HELPFUL, SYNTH_XSTEST
from vlguard.eval.tasks.vlguard_subsets import SAFE_SAFES, SAFE_UNSAFES, UNSAFES
from vlguard.eval.tasks.winrate import WINRATE
from vlguard.eval.tasks.xstest import XSTEST

TASKS: dict[str, Task] = {t.name: t for t in (
    SAFE_SAFES, SAFE_UNSAFES, UNSAFES, ADVBENCH, XSTEST, MMLU, WINRATE,
    FIGSTEP, MM_SAFETYBENCH,
    SYNTH_HELPFUL, SYNTH_TEXT_HELPFUL, SYNTH_HARMFUL, SYNTH_XSTEST,
)}


def get_task(name: str) -> Task:
    if name not in TASKS:
        raise ConfigError(f"unknown task {name!r}; known tasks: {', '.join(sorted(TASKS))}")
    return TASKS[name]
