"""How far `vlguard reproduce` moves over seeds and CPUs: every cell and every check's margin, per run.

    .venv/bin/python benchmarks/seed_spread.py -o runs/spread_quick --quick --seeds 0 1 2 3 4 --isa
    .venv/bin/python benchmarks/seed_spread.py -o runs/spread_default --seeds 0 1 2 --isa
    .venv/bin/python benchmarks/seed_spread.py --collect RUN_DIR [RUN_DIR ...]   # only summarise finished runs

Runs `vlguard reproduce [--quick] seed=S` once per seed into OUT/seed-S (a killed sweep resumes there), and
with `--isa` seed 0 again under an emulated CPU without AVX-512 (`ATEN_CPU_CAPABILITY=avx2
MKL_ENABLE_INSTRUCTIONS=AVX2`) into OUT/isa-avx2-seed-0: another kernel path, so another trajectory. Then
prints (and writes to OUT/spread.md) every report cell as mean [min, max] over the runs, and every check of
the paper's findings (as today's code checks them, on each run's numbers) with the runs it held on and its
worst margin: how far inside its threshold the worst run stayed, in points (negative: outside). A check
whose runs do not all agree straddles its threshold.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ISA_ENV = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}
ISA_RUN = "isa-avx2-seed-0"


def run_sweep(out: Path, seeds: list[int], isa: bool, quick: bool, overrides: list[str]) -> list[Path]:
    """Every run of the sweep (each resumed if its folder holds part of it), in order."""
    vlguard = Path(sys.executable).with_name("vlguard")
    runs = [(out / f"seed-{s}", s, {}) for s in seeds] + ([(out / ISA_RUN, 0, ISA_ENV)] if isa else [])
    out.mkdir(parents=True, exist_ok=True)
    for d, seed, env in runs:
        if (d / "checks.json").exists():
            continue
        cmd = [str(vlguard), "reproduce", "-o", str(d), *(["--quick"] if quick else []), *overrides, f"seed={seed}"]
        print("$", " ".join(f"{k}={v}" for k, v in env.items()), *cmd, flush=True)
        with open(d.with_name(d.name + ".log"), "w") as log:
            # exit 1 means a check failed: what this sweep is here to count, not an error
            rc = subprocess.run(cmd, env={**os.environ, "HF_HUB_OFFLINE": "1", **env}, stdout=log,
                                stderr=subprocess.STDOUT).returncode
        if rc not in (0, 1) or not (d / "checks.json").exists():
            raise SystemExit(f"{d}: vlguard reproduce failed (exit {rc}); see {d}.log")
    return [d for d, _, _ in runs]


def _pts(x: float) -> str:
    return f"{x * 100:.1f}"


def run_checks(run: Path) -> list[dict]:
    """The checks of today's code on a finished run's numbers (so a sweep made before a check existed is
    judged by it too): its config, every stage's metrics and training costs, from the run's folder."""
    from vlguard.config import from_dict
    from vlguard.eval.results import read_metrics
    from vlguard.recipes.reproduce import ReproduceConfig, stage_costs
    from vlguard.recipes.reproduce_checks import expected_effects

    cfg = from_dict(ReproduceConfig, json.loads((run / "reproduce_config.json").read_text()))
    stages = sorted(p.parent.name for p in (run / "models").glob("*/train_summary.json"))
    results = {s: read_metrics(run / "evals" / s).for_judge(cfg.judge, run / "evals" / s) for s in stages}
    trained = {s: json.loads((run / "models" / s / "train_summary.json").read_text()) for s in stages}
    return expected_effects(results, cfg, stage_costs(trained))


def summarise(runs: list[Path]) -> str:
    """The Markdown summary of finished runs: cells as mean [min, max] and checks with their worst margin."""
    from vlguard.recipes.reproduce_seeds import aggregate_tables, tally_checks

    names = [r.name for r in runs]
    if len(set(names)) < len(names):  # runs of two sweeps: name them by sweep too
        names = [f"{r.parent.name}/{r.name}" for r in runs]
    tables = {n: json.loads((r / "results.json").read_text()) for n, r in zip(names, runs)}
    checks = {n: run_checks(r) for n, r in zip(names, runs)}
    agg = aggregate_tables(tables)
    headers = [c["header"] for c in agg["columns"]]
    lines = [f"{len(runs)} runs: {', '.join(names)}", "",
             "| model | " + " | ".join(headers) + " |", "|:---|" + "---:|" * len(headers)]
    for row in agg["rows"]:
        cells = [(f"{_pts(c['mean'])} [{_pts(c['min'])}, {_pts(c['max'])}]" if c else "-")
                 for c in (row["cells"].get(h) for h in headers)]
        lines.append(f"| {row['name']} | " + " | ".join(cells) + " |")
    lines += ["", "| check | held | worst margin (points) | failed on |", "|:---|---:|---:|:---|"]
    for c in tally_checks(checks):
        margins = [m for m in (next((x.get("margin") for x in checks[n] if x["name"] == c["name"]), None)
                               for n in names) if m is not None]
        worst = _pts(min(margins)) if margins else "-"
        straddles = " (straddles)" if 0 < c["held"] < c["of"] else ""
        failed = ", ".join(str(f["seed"]) for f in c["failed"])
        lines.append(f"| {c['name']} | {c['held']}/{c['of']}{straddles} | {worst} | {failed} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--out", type=Path, help="the sweep's folder (one reproduction per run)")
    ap.add_argument("--quick", action="store_true", help="the quick preset")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--isa", action="store_true", help="also seed 0 under an emulated CPU without AVX-512")
    ap.add_argument("--collect", type=Path, nargs="+", help="only summarise these finished reproductions")
    ap.add_argument("overrides", nargs="*", help="key=value overrides for every run")
    args = ap.parse_args()
    if args.collect:
        print(summarise(args.collect), end="")
        return
    if args.out is None:
        ap.error("give -o OUT (or --collect RUN_DIR ...)")
    runs = run_sweep(args.out, args.seeds, args.isa, args.quick, args.overrides)
    text = summarise(runs)
    (args.out / "spread.md").write_text(text)
    print(text, end="")


if __name__ == "__main__":
    main()
