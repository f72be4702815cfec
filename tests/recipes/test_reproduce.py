"""`vlguard reproduce --quick` end to end in parallel workers: every check of the paper's findings passes;
killed in the middle, it resumes without redoing finished stages; the options add their stages and rows."""

import json
import shutil

import pytest

from vlguard.config import load_config
from vlguard.recipes import reproduce as rp

DONE_BEFORE_MIXED = ("llm", "vanilla", "posthoc_lora", "posthoc_full", "posthoc_safety_only")


# Not the developer's default trajectory (seed 0, this CPU's kernels): another seed, with the workers on an
# emulated CPU without AVX-512 (other kernels, other float rounding), so a change whose findings hold on one
# trajectory only fails here rather than on a user's machine. The workers are spawned processes: they read
# these at start; this process's torch is not affected.
PERTURBED_SEED = 3
ISA_ENV = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """The quick preset in worker processes, as `vlguard reproduce --quick` runs it (perturbed: see
    PERTURBED_SEED); then what a kill during the mixed stage leaves (no final model, summary or evaluation,
    the last checkpoint not yet written), and the run started again."""
    out = tmp_path_factory.mktemp("reproduce_quick")
    cfg = load_config(rp.ReproduceConfig, rp.preset_path(rp.QUICK_PRESET), ["workers=2", f"seed={PERTURBED_SEED}"])
    with pytest.MonkeyPatch.context() as mp:
        for k, v in ISA_ENV.items():
            mp.setenv(k, v)
        first = rp.reproduce(out, cfg, log=lambda m: None)
        return _killed_and_resumed(out, cfg, first)


def _killed_and_resumed(out, cfg, first):
    mixed = out / "models" / "mixed"
    last_checkpoint = sorted((mixed / "checkpoints").iterdir())[-1]
    for p in (mixed / "model", last_checkpoint, out / "evals" / "mixed"):
        shutil.rmtree(p)
    (mixed / "train_summary.json").unlink()
    done = {s: (out / "models" / s / "train_summary.json").stat().st_mtime_ns for s in DONE_BEFORE_MIXED}
    logs: list[str] = []
    res = rp.reproduce(out, cfg, log=logs.append)
    return out, first, res, logs, done


@pytest.mark.slow
def test_quick_reproduce_is_resumable_and_reports(quick_run):
    out, first, res, logs, done = quick_run
    # finished stages were neither retrained nor re-evaluated; mixed went on from its checkpoint
    assert {s: (out / "models" / s / "train_summary.json").stat().st_mtime_ns for s in done} == done
    assert sum("trained already" in m for m in logs) == 5 and sum("evaluated already" in m for m in logs) == 5
    assert any(m.startswith("[mixed] resumed from") for m in logs)
    for f in ("report.md", "report.html", "results.json", "asr_by_subcategory.png", "safety_vs_helpfulness.png"):
        assert (out / f).stat().st_size > 0
    table = (out / "report.md").read_text()
    assert all(row in table for row in ("| LLM |", "| Vanilla |", "| Post-hoc LoRA |", "| Mixed |"))
    assert "text harmful ASR, suffix" in table and "tokens % of VL tuning" in table and "by subcategory" in table
    assert json.loads((out / "checks.json").read_text())["checks"] == res["checks"]
    assert len(res["checks"]) == 20
    assert res["workers"] == 2 and res["train_tokens"]["posthoc_full"] <= 0.1 * res["train_tokens"]["vanilla"]
    # a resumed stage ends where the uninterrupted one did
    assert res["train_tokens"] == first["train_tokens"]


@pytest.mark.slow
def test_quick_reproduce_passes_every_check(quick_run):
    """Every finding of the paper holds on this trajectory, as on every seed and CPU of the quick preset's
    sweep (BENCHMARKS.md, "Seeds and CPUs"); `vlguard reproduce --quick` exits 1 on the same failures."""
    _, res, _, _, _ = quick_run
    failed = [f"{c['name']}: {c['detail']}" for c in res["checks"] if not c["passed"]]
    assert not failed, failed


@pytest.mark.slow
def test_the_options_add_the_papers_analyses(quick_run):
    out, _, _, _, _ = quick_run
    cfg = load_config(rp.ReproduceConfig, rp.preset_path(rp.QUICK_PRESET),
                      ["workers=2", f"seed={PERTURBED_SEED}", "clean_vl=true", "lora_vl=true", "unseen_category=privacy"])
    logs: list[str] = []
    res = rp.reproduce(out, cfg, log=logs.append)
    assert sum("trained already" in m for m in logs) == 6  # only the three new stages train
    table = (out / "report.md").read_text()
    for row in ("| Vanilla (clean VL data) |", "| Vanilla LoRA |", "| Post-hoc without privacy |"):
        assert row in table
    clean = json.loads((out / "clean" / "vl_instruct.clean.json").read_text())
    assert clean["judge"]["name"] == "harm-keywords" and clean["removed"] > 0
    removed = [json.loads(line)["row"]["id"] for line in (out / "clean" / "vl_instruct.removed.jsonl").open()]
    assert sum(i.startswith("vlc-") for i in removed) >= len(removed) // 2  # mostly the contaminated ones
    unseen = json.loads((out / "unseen" / "train_without_privacy.json").read_text())
    assert unseen and not any(r.get("harmful_category") == "privacy" for r in unseen)
    assert "privacy" in table.split("by category and subcategory")[1]
    assert len(res["checks"]) == 20  # the checks are the paper's; the options add rows, not checks
