"""XSTest: over-refusal on the 250 safe prompts and compliance (ASR) on the 200 unsafe ones."""

from __future__ import annotations

from vlguard.data.safety_benchmarks import load_xstest
from vlguard.eval.tasks.base import Task

XSTEST = Task("xstest", "XSTest: over-refusal on safe prompts, compliance on unsafe contrasts",
              "xstest/xstest_prompts.csv", lambda p, limit=None: load_xstest(p, limit=limit), primary="over_refused")
