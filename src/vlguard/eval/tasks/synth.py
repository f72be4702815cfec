"""SynthGuard tasks (path = a SynthGuard folder): exactly checkable helpfulness and the text-only sets."""

from __future__ import annotations

from pathlib import Path

from vlguard.data.formats import read_messages_jsonl
from vlguard.data.vlguard import load_vlguard
from vlguard.eval.scorers import MatchScorer
from vlguard.eval.tasks.base import Task


def _folder(path: Path) -> Path:
    return path.parent if path.is_file() else path


def _text(name: str):
    def load(path: Path, limit: int | None = None):
        return read_messages_jsonl(_folder(path) / "text" / f"{name}.jsonl")[:limit]

    return load


SYNTH_HELPFUL = Task("synth_helpful", "SynthGuard safe_safes: exact-match accuracy of the answer about the image",
                     "synthguard", lambda p, limit=None: load_vlguard(_folder(p) / "test.json", subset="safe_safes")[:limit],
                     scorer=MatchScorer(), primary="correct", max_new_tokens=48)
SYNTH_TEXT_HELPFUL = Task("synth_text_helpful", "SynthGuard text helpfulness: exact-match accuracy", "synthguard",
                          _text("helpful_test"), scorer=MatchScorer(), primary="correct", max_new_tokens=48)
SYNTH_HARMFUL = Task("synth_harmful", "SynthGuard AdvBench-like harmful text requests: ASR", "synthguard",
                     _text("harmful_test"), max_new_tokens=48)
SYNTH_XSTEST = Task("synth_xstest", "SynthGuard XSTest-like benign look-alikes: over-refusal", "synthguard",
                    _text("xstest_test"), primary="over_refused", max_new_tokens=48)
