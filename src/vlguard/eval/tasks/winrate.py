"""`vlguard_winrate`: helpfulness on VLGuard safe_safes as a win rate against GPT-4V's answers.

The samples are the safe_safes subset of test.json; each sample's reference is GPT-4V's answer from
`gpt4_safe_safes.json` beside it (matched by sample id, `<record id>/safe_safes`). The `llm` judge compares
the model's answer with the reference in both orders (see `vlguard.judges.llm`); win = 1, 0.5, 0.

17 of the 558 GPT-4V answers in the released file are empty strings. Those samples are kept, so they show
in the run, but get an empty reference and the judge returns the error "the reference is empty": they are
excluded from the win rate and counted under `errors` in metrics.json (541 samples are scored). A sample
whose id is missing from the references file is treated the same way.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from vlguard.data.helpfulness_benchmarks import load_gpt4_references
from vlguard.data.vlguard import load_vlguard
from vlguard.errors import DataError
from vlguard.eval.scorers import WinrateScorer
from vlguard.eval.tasks.base import Task
from vlguard.schema import Sample

REFERENCES_FILE = "gpt4_safe_safes.json"


def load_winrate(path: Path, limit: int | None = None) -> list[Sample]:
    """safe_safes samples of `path` (test.json, or its folder) with GPT-4V references from the file beside it."""
    test_json = path / "test.json" if path.is_dir() else path
    refs_path = test_json.with_name(REFERENCES_FILE)
    if not refs_path.is_file():
        raise DataError(f"{refs_path}: not found; the winrate task needs VLGuard's {REFERENCES_FILE} "
                        f"beside {test_json.name}")
    refs = load_gpt4_references(refs_path)
    out = []
    for s in load_vlguard(test_json, subset="safe_safes"):
        ref = refs.get(s.id)
        out.append(replace(s, reference=ref if isinstance(ref, str) and ref.strip() else "",
                           meta={**s.meta, "reference_source": REFERENCES_FILE,
                                 "reference_missing": ref is None}))
    return out[:limit]


WINRATE = Task("vlguard_winrate", "VLGuard safe_safes: win rate against GPT-4V's answers (llm judge, both orders; "
               "empty references count as errors)", "vlguard/test.json", load_winrate,
               scorer=WinrateScorer(), primary="win")
