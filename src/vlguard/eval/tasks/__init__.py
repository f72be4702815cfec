"""Evaluation tasks by name (the one name -> task map that `--tasks` reads), and attacked tasks: `NAME@ATTACK`
is task NAME with every prompt wrapped by an attack of `vlguard.eval.attacks` (safety tasks only)."""

from __future__ import annotations

from dataclasses import replace

from vlguard.errors import ConfigError
from vlguard.eval.attacks import Attack, get_attack, split_attack
from vlguard.eval.tasks.advbench import ADVBENCH
from vlguard.eval.tasks.base import Task
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


def attacked(task: Task, attack: Attack, text: str | None = None) -> Task:
    """`task` with every sample's prompt wrapped by `attack` (its own text, or `text`), named TASK@ATTACK."""
    if task.kind != "safety":
        raise ConfigError(f"task {task.name}@{attack.name}: attacks wrap safety tasks only ({task.name} is scored "
                          f"by {task.kind})")
    attack.wrap("x", text)  # a bad replacement text fails before anything is loaded

    def load(path, limit=None):
        return [attack.apply(s, text) for s in task.load(path, limit=limit)]

    return replace(task, name=f"{task.name}@{attack.name}", load=load,
                   description=f"{task.description}; attacked by {attack.description} ({attack.source})")


def get_task(name: str, attack_text: dict[str, str] | None = None) -> Task:
    """The task `name`, or for `NAME@ATTACK` that task under the attack (`attack_text` replaces attack texts)."""
    base, attack = split_attack(name)
    if base not in TASKS:
        raise ConfigError(f"unknown task {base!r}; known tasks: {', '.join(sorted(TASKS))}")
    if attack is None:
        return TASKS[base]
    return attacked(TASKS[base], get_attack(attack), (attack_text or {}).get(attack))
