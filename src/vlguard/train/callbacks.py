"""Callbacks a training run calls after each optimizer step, and the one that ships: `StopAfterSteps`.

`train(cfg, callbacks=[...])` calls every callback's `on_step_end(state)` after each optimizer step, after
that step's checkpoint when one is due. `state` is the run's live `TrainState` (global_step, epoch,
batch_in_epoch, tokens_seen, seconds): read it, do not change it. A callback that returns True stops the run
at that step, as a kill right after it would: the metrics file and the progress bar are closed, neither the
final adapter/model nor train_summary.json is written, and `train` returns a `TrainResult` with
`stopped=True`. `train(cfg, resume=True)` later continues from the last checkpoint.

Under `accelerate launch` every process calls its callbacks and the run stops when any of them says so, on
all processes at the same step. A time budget is therefore safe there too:

    class StopAfterSeconds:
        def __init__(self, budget): self.end = time.monotonic() + budget
        def on_step_end(self, state): return time.monotonic() >= self.end
"""

from __future__ import annotations

from typing import Any, Protocol, Sequence

from vlguard.train.checkpoint import TrainState
from vlguard.train.distributed import sum_over_processes


class TrainCallback(Protocol):
    def on_step_end(self, state: TrainState) -> bool:
        """Called after each optimizer step (and its checkpoint, if one is due); True stops the run now."""
        ...


class StopAfterSteps:
    """Stop once `steps` optimizer steps are done (counted over the whole run, a resumed one included).

    A checkpoint due at that step is written first; `--resume` continues from the last checkpoint written,
    as it would after a kill.
    """

    def __init__(self, steps: int):
        if steps < 1:
            raise ValueError(f"StopAfterSteps: steps must be at least 1, not {steps}")
        self.steps = steps

    def on_step_end(self, state: TrainState) -> bool:
        return state.global_step >= self.steps

    def __repr__(self) -> str:
        return f"StopAfterSteps({self.steps})"


def stop_requested(callbacks: Sequence[TrainCallback], state: TrainState, accelerator: Any) -> bool:
    """Call every callback on this step; True when any of them, on any process, says stop.

    A collective: every process calls it after every optimizer step, so all of them stop at the same step
    (one that went on would wait forever in the next step's collectives).
    """
    stop = any([bool(cb.on_step_end(state)) for cb in callbacks])  # a list: every callback sees every step
    (votes,) = sum_over_processes(accelerator, float(stop))
    return votes > 0
