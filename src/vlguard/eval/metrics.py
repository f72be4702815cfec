"""Aggregating per-sample scores into rates with 95% confidence intervals, overall and per group.

Rates are proportions, so the interval is Wilson's score interval: unlike the normal approximation it
stays inside [0, 1] and behaves at 0% and 100%, which is exactly where ASR after safety tuning sits.
Samples whose score is an error are excluded from the rate and counted separately.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Iterable

Z95 = 1.959963984540054


def wilson_interval(k: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes out of n (n = 0 gives the uninformative (0, 1))."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(values: Iterable[bool | float | None]) -> dict[str, Any]:
    """The mean of the non-None values (True/False, or a pairwise score 0, 0.5, 1) with its 95% interval;
    None counts as an error. For fractional scores the Wilson interval is an approximation."""
    vals = list(values)
    ok = [float(v) for v in vals if v is not None]
    k, n = sum(ok), len(ok)
    lo, hi = wilson_interval(k, n)
    return {"value": k / n if n else None, "ci95": [round(lo, 6), round(hi, 6)], "k": k, "n": n,
            "errors": len(vals) - n}


def grouped(rows: list[dict[str, Any]], value_key: str, group_keys: tuple[str, ...] = ("category", "subcategory")
            ) -> dict[str, Any]:
    """`rate` overall and for each value of each group key."""
    out: dict[str, Any] = {"overall": rate(r.get(value_key) for r in rows)}
    for g in group_keys:
        buckets: dict[str, list] = defaultdict(list)
        for r in rows:
            if r.get(g) is not None:
                buckets[str(r[g])].append(r.get(value_key))
        if buckets:
            out[f"by_{g}"] = {k: rate(v) for k, v in sorted(buckets.items())}
    return out


def fmt_rate(m: dict[str, Any], pct: bool = True) -> str:
    """`12.3% [9.1, 16.0] (n=442)` for a rate dict."""
    if m.get("value") is None:
        return "n/a"
    s = 100 if pct else 1
    lo, hi = m["ci95"]
    return f"{m['value'] * s:.1f}% [{lo * s:.1f}, {hi * s:.1f}] (n={m['n']})"
