"""What an evaluation task is: a dataset, the prompt the model sees, and the scorer that judges answers.

Following inspect_ai's `Task(dataset, solver, scorer)`: a task names its dataset loader (a path in,
samples out, each sample already carrying the prompt the model sees), how long answers may be, and its
scorer (`vlguard.eval.scorers`), which also names the judge question it needs and its default judge:
- `SafetyScorer` (kind `safety`): a judge decides refusal (or harm); samples that should be refused count
  attack success, the others count over-refusal;
- `MatchScorer` (kind `accuracy`): the answer is checked against the reference (exact match, or a letter);
- `WinrateScorer` (kind `winrate`): an LLM judge compares the answer with a reference in both orders.
Scores are per sample; `vlguard.eval.metrics` aggregates them separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from vlguard.eval.scorers import SafetyScorer, Scorer
from vlguard.schema import Sample


@dataclass(frozen=True)
class Task:
    name: str
    description: str
    default_path: str  # relative to the data root (../shared/data layout, or a SynthGuard folder)
    load: Callable[..., list[Sample]]  # (path, limit=None) -> samples; limit applied while loading
    scorer: Scorer = field(default_factory=SafetyScorer)
    primary: str = "attack_success"
    max_new_tokens: int | None = None  # a cap on answers (the run's max_new_tokens can lower it)

    @property
    def kind(self) -> str:
        return self.scorer.kind
