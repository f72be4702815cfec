"""`vlguard reproduce --seeds N`: the experiment once per seed, and how far its numbers move across seeds.

Each seed's run is a whole reproduction in OUT/seed-S/: the folder a plain run with `seed=S` writes (its own
SynthGuard, base model, stages, evaluations, report and checks), so no seed shares anything a seed changes,
and every seed resumes stage by stage. Each seed's setup runs first, one seed after another; then the jobs
of every seed run in one graph (`s1/train:vanilla`), so the workers interleave seeds, each job with the
threads it gets in a plain run (`run_jobs`' `solo`), so a seed's numbers are those of its plain run.

OUT/report.md shows each cell as the mean over the seeds, the range across seeds, and the Wilson interval of
all seeds' samples pooled; OUT/seeds.json holds those numbers; OUT/checks.json says on how many seeds each
of the paper's checks held (a check holds only if it holds on every seed).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from vlguard.config import check_range
from vlguard.errors import ConfigError
from vlguard.eval.metrics import wilson_interval
from vlguard.fileio import atomic_write, read_json, write_json
from vlguard.recipes.reproduce import Log, ReproduceConfig, build_jobs, check_options, finish_run, prepare_run
from vlguard.recipes.reproduce_stages import stage_configs
from vlguard.recipes.schedule import auto_workers, run_jobs, solo_jobs
from vlguard.report.collect import overall
from vlguard.report.markdown import MISSING, _cell, _md_escape, fmt_seconds

SEEDS_JSON = "seeds.json"
COSTS = (("train_tokens", "train tokens"), ("token_share", "tokens % of VL tuning"), ("train_seconds", "train s"),
         ("train_share", "% of VL tuning"))


def check_seeds(seeds: list[int]) -> None:
    """Every seed in the range of `seed`, none twice (two runs of one seed would share a folder)."""
    for i, s in enumerate(seeds):
        check_range(s, ReproduceConfig.RANGES["seed"], f"seeds[{i}]")
    twice = sorted({s for s in seeds if seeds.count(s) > 1})
    if twice:
        raise ConfigError(f"seeds: {', '.join(map(str, twice))} given more than once")


def seed_range(first: int, n: int) -> list[int]:
    """`--seeds N`: N seeds from `first` (the config's `seed`) on."""
    if n < 1:
        raise ConfigError(f"--seeds: {n} is out of range: must be >= 1")
    return list(range(first, first + n))


def seed_dir(out: Path, seed: int) -> Path:
    return out / f"seed-{seed}"


def seed_prefix(seed: int) -> str:
    return f"s{seed}/"


def seed_config(cfg: ReproduceConfig, seed: int) -> ReproduceConfig:
    """The config of one seed's run: the plain run of `seed`."""
    return replace(cfg, seed=seed, seeds=None)


def reproduce_seeds(out_dir: str | Path, cfg: ReproduceConfig, log: Log = print) -> dict[str, Any]:
    """Run (or finish) every seed's reproduction in `out_dir/seed-S/`, then the summary across seeds."""
    seeds = list(cfg.seeds or [])
    check_seeds(seeds)
    check_options(cfg)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "reproduce_config.json", asdict(cfg))
    t_start = time.perf_counter()
    runs = {s: (seed_config(cfg, s), seed_dir(out, s)) for s in seeds}
    setup = {}
    for s, (c, d) in runs.items():
        t0 = time.perf_counter()
        prepare_run(c, d, _label(log, s))
        setup[s] = time.perf_counter() - t0
    workers = cfg.workers or auto_workers()
    graphs = {s: build_jobs(c, d, stage_configs(c, d), quiet=workers > 1, prefix=seed_prefix(s))
              for s, (c, d) in runs.items()}
    solo = set().union(*(solo_jobs(g) for g in graphs.values()))  # each seed's, as in its plain run
    done = run_jobs([j for g in graphs.values() for j in g], workers=workers, log=log, solo=solo)
    per_seed = {s: finish_run(c, d, done, _label(log, s), t_start=t_start, setup_seconds=setup[s], workers=workers,
                              prefix=seed_prefix(s)) for s, (c, d) in runs.items()}
    return write_summary(cfg, out, per_seed, log, wall_seconds=time.perf_counter() - t_start, workers=workers,
                         setup_seconds=sum(setup.values()))


def _label(log: Log, seed: int) -> Log:
    prefix = f"[{seed_prefix(seed).rstrip('/')}] "
    return lambda m: log(f"{prefix}{m}")


def spread(values: list[float | None]) -> dict[str, float] | None:
    """Mean, min and max of the values that are there (None when none is)."""
    vals = [v for v in values if v is not None]
    return {"mean": sum(vals) / len(vals), "min": min(vals), "max": max(vals)} if vals else None


def aggregate_cell(cells: dict[int, dict[str, Any] | None]) -> dict[str, Any] | None:
    """One cell across seeds ({seed: metric dict}): the spread of the seeds' rates, each seed's rate, and
    the Wilson interval of the seeds' samples pooled (a seed's `k` of `n` each)."""
    rates = {s: r for s, r in ((s, overall(c)) for s, c in cells.items()) if r}
    if not rates:
        return None
    k = sum(r.get("k", r["value"] * r["n"]) for r in rates.values())
    n = sum(r["n"] for r in rates.values())
    lo, hi = wilson_interval(k, n)
    return {**(spread([r["value"] for r in rates.values()]) or {}), "values": {str(s): r["value"] for s, r in rates.items()},
            "seeds": len(rates), "pooled": {"k": k, "n": n, "ci95": [round(lo, 6), round(hi, 6)]}}


def _ordered(lists: list[list[str]]) -> list[str]:
    return list(dict.fromkeys(x for xs in lists for x in xs))


def aggregate_tables(tables: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The seeds' report tables ({seed: results.json}) as one: per row, every cell (`aggregate_cell`) and
    every training cost (`spread`) across seeds."""
    columns = {c["header"]: c for t in tables.values() for c in t["columns"]}
    headers = _ordered([[c["header"] for c in t["columns"]] for t in tables.values()])
    rows = []
    for name in _ordered([[r["name"] for r in t["rows"]] for t in tables.values()]):
        by_seed = {s: next((r for r in t["rows"] if r["name"] == name), None) for s, t in tables.items()}
        cells = {h: aggregate_cell({s: (r or {}).get("cells", {}).get(h) for s, r in by_seed.items()}) for h in headers}
        costs = {k: spread([(r or {}).get(k) for r in by_seed.values()]) for k, _ in COSTS}
        rows.append({"name": name, "cells": cells, "costs": costs})
    judge = next(iter(tables.values()))["judge"] if tables else None
    return {"judge": judge, "columns": [columns[h] for h in headers], "rows": rows}


def tally_checks(per_seed: dict[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every check with the number of seeds it held on, and the seeds it failed on with their details (a
    check a seed lacks counts as failed there)."""
    out = []
    for name in _ordered([[c["name"] for c in checks] for checks in per_seed.values()]):
        got = {s: next((c for c in checks if c["name"] == name), None) for s, checks in per_seed.items()}
        failed = [{"seed": s, "detail": c.get("detail", "") if c else "not evaluated on this seed"}
                  for s, c in got.items() if not (c and c["passed"])]
        held = len(got) - len(failed)
        detail = f"held on {held} of {len(got)} seeds" + "".join(f"; seed {f['seed']}: {f['detail']}" for f in failed)
        out.append({"name": name, "held": held, "of": len(got), "failed_seeds": [f["seed"] for f in failed],
                    "failed": failed, "passed": not failed, "detail": detail})
    return out


def fmt_rate_spread(agg: dict[str, Any] | None) -> str:
    """`3.3 (0.0–6.7) [1.1, 9.3]`: mean over seeds (range across seeds) [pooled Wilson 95%], in percent."""
    if not agg:
        return MISSING
    lo, hi = agg["pooled"]["ci95"]
    return f"{agg['mean'] * 100:.1f} ({agg['min'] * 100:.1f}–{agg['max'] * 100:.1f}) [{lo * 100:.1f}, {hi * 100:.1f}]"


def fmt_cost_spread(key: str, agg: dict[str, float] | None) -> str:
    """A training cost's mean (range across seeds): tokens, seconds or a share of VL tuning's."""
    if not agg:
        return MISSING
    if key.endswith("share"):
        return f"{agg['mean'] * 100:.1f}% ({agg['min'] * 100:.1f}–{agg['max'] * 100:.1f})"
    if key == "train_tokens":
        return f"{agg['mean']:,.0f} ({agg['min']:,.0f}–{agg['max']:,.0f})"
    return f"{fmt_seconds(agg['mean'])} ({fmt_seconds(agg['min'])}–{fmt_seconds(agg['max'])})"


def seeds_table(agg: dict[str, Any]) -> str:
    """The summary table across seeds as Markdown, numbers right-aligned."""
    costs = [(k, h) for k, h in COSTS if any(r["costs"].get(k) for r in agg["rows"])]
    header = ["model"] + [c["header"] for c in agg["columns"]] + [h for _, h in costs]
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|"]
    for r in agg["rows"]:
        cells = [fmt_rate_spread(r["cells"].get(c["header"])) for c in agg["columns"]]
        cells += [fmt_cost_spread(k, r["costs"].get(k)) for k, _ in costs]
        lines.append("| " + " | ".join([_md_escape(r["name"])] + [_cell(c) for c in cells]) + " |")
    return "\n".join(lines)


def render_seeds_markdown(title: str, seeds: list[int], agg: dict[str, Any], checks: list[dict[str, Any]],
                          per_seed: dict[int, dict[str, Any]]) -> str:
    """OUT/report.md of a run of several seeds: the table across seeds, the checks per seed, the seeds' reports."""
    n = len(seeds)
    parts = [f"# {_md_escape(title)}", "",
             f"{n} seeds ({', '.join(map(str, seeds))}), each a whole reproduction in `seed-S/` with its own report; "
             f"judge `{agg['judge']}`.", "", seeds_table(agg), "",
             f"Each rate: the mean over the {n} seeds in percent, (the lowest – the highest seed's), [the Wilson 95% "
             f"interval of all seeds' samples pooled]; training costs: the mean (the lowest – the highest seed's); "
             f"`{MISSING}` = no such task.", "",
             "## Expected effects, per seed", "",
             f"{sum(c['passed'] for c in checks)} of {len(checks)} checks held on every seed.", ""]
    for c in checks:
        failed = "".join(f"; seed {f['seed']}: {f['detail']}" for f in c["failed"])
        parts.append(f"- **{c['held']}/{c['of']}** {_md_escape(c['name'])}{_md_escape(failed)}")
    parts += ["", "## The seeds' reports", ""]
    for s in seeds:
        res = per_seed[s]
        parts.append(f"- seed {s}: [seed-{s}/report.md](seed-{s}/report.md), [report.html](seed-{s}/report.html); "
                     f"{sum(c['passed'] for c in res['checks'])} of {len(res['checks'])} checks pass")
    return "\n".join(parts) + "\n"


def write_summary(cfg: ReproduceConfig, out: Path, per_seed: dict[int, dict[str, Any]], log: Log, *,
                  wall_seconds: float, workers: int, setup_seconds: float) -> dict[str, Any]:
    """OUT/report.md, seeds.json and checks.json from the seeds' finished runs; returns what checks.json holds."""
    seeds = list(per_seed)
    agg = aggregate_tables({s: read_json(seed_dir(out, s) / "results.json") for s in seeds})
    checks = tally_checks({s: r["checks"] for s, r in per_seed.items()})
    title = f"vlguard reproduce: the paper's experiment on the embedded default, {len(seeds)} seeds"
    write_json(out / SEEDS_JSON, {"title": title, "seeds": seeds, **agg, "checks": checks})
    with atomic_write(out / "report.md") as f:
        f.write(render_seeds_markdown(title, seeds, agg, checks, per_seed))
    summary = {"passed": all(c["passed"] for c in checks), "seeds": seeds, "checks": checks,
               "wall_seconds": round(wall_seconds, 1), "workers": workers, "setup_seconds": round(setup_seconds, 1),
               "per_seed": {str(s): {"passed": r["passed"], "checks_passed": sum(c["passed"] for c in r["checks"]),
                                     "checks": len(r["checks"]), "job_seconds": r["job_seconds"],
                                     "train_tokens": r["train_tokens"]} for s, r in per_seed.items()}}
    (out / "checks.json").write_text(json.dumps(summary, indent=2))
    log(f"report across seeds: {out / 'report.md'}, {out / SEEDS_JSON}")
    return summary


__all__ = ["aggregate_cell", "aggregate_tables", "check_seeds", "reproduce_seeds", "seed_config", "seed_dir",
           "seed_range", "spread", "tally_checks"]
