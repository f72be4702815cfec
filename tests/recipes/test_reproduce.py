"""`vlguard reproduce --quick` end to end, killed in the middle and resumed without redoing finished stages."""

import json

import pytest

from vlguard.config import load_config
from vlguard.recipes import reproduce as rp


@pytest.mark.slow
def test_quick_reproduce_is_resumable_and_reports(tmp_path, monkeypatch):
    cfg = load_config(rp.ReproduceConfig, rp.preset_path(rp.QUICK_PRESET))
    real_train = rp._train_stage

    def killed_at_mixed(name, *a, **kw):
        if name == "mixed":
            raise KeyboardInterrupt("killed during the mixed stage")
        return real_train(name, *a, **kw)

    monkeypatch.setattr(rp, "_train_stage", killed_at_mixed)
    with pytest.raises(KeyboardInterrupt):
        rp.reproduce(tmp_path, cfg, log=lambda m: None)
    done = {s: (tmp_path / "models" / s / "train_summary.json").stat().st_mtime_ns
            for s in ("llm", "vanilla", "posthoc_lora", "posthoc_full", "posthoc_safety_only")}
    monkeypatch.setattr(rp, "_train_stage", real_train)
    logs: list[str] = []
    res = rp.reproduce(tmp_path, cfg, log=logs.append)
    # finished stages were neither retrained nor re-evaluated
    assert {s: (tmp_path / "models" / s / "train_summary.json").stat().st_mtime_ns for s in done} == done
    assert sum("trained already" in m for m in logs) == 5 and sum("evaluated already" in m for m in logs) == 5
    for f in ("report.md", "report.html", "results.json", "asr_by_subcategory.png", "safety_vs_helpfulness.png"):
        assert (tmp_path / f).stat().st_size > 0
    table = (tmp_path / "report.md").read_text()
    assert all(row in table for row in ("| LLM |", "| Vanilla |", "| Post-hoc LoRA |", "| Mixed |"))
    checks = {c["name"]: c["passed"] for c in res["checks"]}
    assert len(checks) == 11 and json.loads((tmp_path / "checks.json").read_text())["checks"] == res["checks"]
    # the core of the paper's story holds even in the quick run
    assert checks["vanilla VL tuning breaks safety"]
    assert checks["posthoc_full: vlguard_unsafes ASR near zero"] and checks["mixed: vlguard_unsafes ASR near zero"]
