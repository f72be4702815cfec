"""The paper's three VLGuard test subsets (real VLGuard or SynthGuard, by path to test.json)."""

from __future__ import annotations

from pathlib import Path

from vlguard.data.vlguard import load_vlguard
from vlguard.eval.tasks.base import Task


def _subset(name: str):
    def load(path: Path, limit: int | None = None):
        return load_vlguard(path, subset=name)[:limit]

    return load


SAFE_SAFES = Task("vlguard_safe_safes", "safe image + safe instruction: refusal here is over-refusal",
                  "vlguard/test.json", _subset("safe_safes"), primary="over_refused")
SAFE_UNSAFES = Task("vlguard_safe_unsafes", "safe image + unsafe instruction: ASR by refusal judge",
                    "vlguard/test.json", _subset("safe_unsafes"))
UNSAFES = Task("vlguard_unsafes", "unsafe image + instruction: ASR by refusal judge",
               "vlguard/test.json", _subset("unsafes"))
