"""report.html: one self-contained page (inline CSS and JS, images as data URIs) to browse samples.

Every piece of model or dataset text is rendered server-side through `html.escape`, including the
data-* attributes the filters read; the one script on the page holds no data, only the filter logic.
Filters live in the URL hash (`#task=vlguard_unsafes&verdict=refused`), so a filtered view can be
linked, and hidden rows carry the `hidden` attribute, so the state is visible in the DOM.
"""

from __future__ import annotations

import base64
import io
import os
from html import escape
from pathlib import Path
from typing import Any

from vlguard.errors import VLGuardError
from vlguard.report.collect import Table, overall
from vlguard.report.markdown import MISSING, table_cells
from vlguard.report.samples import SampleView

MAX_TEXT = 4000  # characters of a prompt or response shown; full texts stay in generations.jsonl
NO_CATEGORY = "(none)"
FILTER_KEYS = ("task", "model", "category", "verdict", "judges")  # judges: agree | disagree | one judge


def thumbnail_uri(ref: str | None, root: str | None, px: int = 128) -> str | None:
    """A PNG data URI of the image downscaled to at most `px` on its longer side; None if it cannot be read.
    Only a path relative to an image root is read, through its guard (never an absolute path, nor one that
    leaves the root); which roots a page may use is decided by `report.samples.shown_root`."""
    if not ref or not root:
        return None
    from vlguard.images import load_image

    try:
        im = load_image(ref, root)
    except (VLGuardError, OSError, ValueError):
        return None
    if im is None:
        return None
    im.thumbnail((px, px))
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _e(v: Any) -> str:
    return escape("" if v is None else str(v), quote=True)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + f"… [{len(text) - MAX_TEXT} more characters]"


CSS = """
:root{--bg:#f7f7f8;--fg:#1d1d1f;--muted:#6b6b73;--line:#dcdce0;--good:#1b7f3b;--bad:#b42318;--card:#fff}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;background:var(--bg);color:var(--fg);
 font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.meta,.note{color:var(--muted);margin:4px 0}
[hidden]{display:none!important}
table{border-collapse:collapse;background:var(--card)}
th,td{border:1px solid var(--line);padding:6px 8px;vertical-align:top;text-align:left}
th{background:#eef0f3;font-weight:600}
table.summary td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.summary td.best{font-weight:700}
.plots{display:flex;flex-wrap:wrap;gap:16px;margin-top:12px}
.plots figure{margin:0;background:var(--card);border:1px solid var(--line);padding:8px}
.plots img{max-width:560px;width:100%;height:auto;display:block}
.plots figcaption{color:var(--muted);font-size:12px;margin-top:4px}
#filters{display:flex;flex-wrap:wrap;gap:10px 16px;align-items:center;margin:10px 0;padding:10px 12px;
 background:var(--card);border:1px solid var(--line);position:sticky;top:0;z-index:1}
#filters label{display:flex;gap:6px;align-items:center;color:var(--muted)}
#filters select,#filters input{font:inherit;padding:3px 6px}
#filters input{min-width:260px}
#samples{width:100%;table-layout:fixed}
#samples col.c-img{width:148px}#samples col.c-model{width:130px}#samples col.c-task{width:150px}
#samples col.c-cat{width:140px}#samples col.c-verdict{width:136px}
.thumb{width:128px;height:128px;background:#eceef1 center/contain no-repeat;border-radius:4px;
 display:flex;align-items:center;justify-content:center;color:var(--muted);font-size:12px;text-align:center}
.text{white-space:pre-wrap;word-break:break-word;max-height:14em;overflow:auto}
.sub{color:var(--muted);font-size:12px}
details{margin-top:6px;color:var(--muted)}details summary{cursor:pointer;font-size:12px}
.v{display:inline-block;white-space:nowrap;padding:2px 8px;border-radius:10px;font-size:12px;font-weight:600;
 background:#eceef1}
.v.good{background:#e3f4e8;color:var(--good)}.v.bad{background:#fde8e6;color:var(--bad)}
"""

JS = """
(() => {
  "use strict";
  const keys = ["task", "model", "category", "verdict"];
  const sel = Object.fromEntries(keys.map(k => [k, document.getElementById("f-" + k)]));
  const q = document.getElementById("f-q");
  const rows = Array.from(document.querySelectorAll("#samples tbody tr"));
  const texts = rows.map(r => Array.from(r.querySelectorAll(".text"), e => e.textContent).join("\\n").toLowerCase());
  const count = document.getElementById("count");
  function choose(select, value) {
    if (!Array.from(select.options).some(o => o.value === value)) select.add(new Option(value, value));
    select.value = value;
  }
  function readHash() {
    const p = new URLSearchParams(location.hash.slice(1));
    for (const k of keys) { if (p.has(k)) choose(sel[k], p.get(k)); else sel[k].value = ""; }
    q.value = p.get("q") || "";
  }
  function writeHash() {
    const p = new URLSearchParams();
    for (const k of keys) if (sel[k].value) p.set(k, sel[k].value);
    if (q.value) p.set("q", q.value);
    const h = p.toString();
    try { history.replaceState(null, "", h ? "#" + h : location.pathname + location.search); } catch (e) {}
  }
  function apply() {
    const want = keys.filter(k => sel[k].value).map(k => [k, sel[k].value]);
    const needle = q.value.trim().toLowerCase();
    let n = 0;
    rows.forEach((r, i) => {
      const ok = want.every(([k, v]) => r.dataset[k] === v) && (!needle || texts[i].includes(needle));
      r.hidden = !ok;
      if (ok) n++;
    });
    count.textContent = String(n);
  }
  document.getElementById("filters").addEventListener("submit", e => e.preventDefault());
  for (const k of keys) sel[k].addEventListener("change", () => { apply(); writeHash(); });
  q.addEventListener("input", () => { apply(); writeHash(); });
  window.addEventListener("hashchange", () => { readHash(); apply(); });
  readHash();
  apply();
})();
"""


def _summary_html(table: Table) -> str:
    header, body = table_cells(table)
    # Bold the best value of each metric column (lowest ASR / over-refusal, highest helpfulness).
    best = {}
    for c in table.columns:
        vals = [o["value"] for o in (overall(r.cells.get(c.header)) for r in table.rows) if o]
        if vals:
            best[c.header] = min(vals) if c.lower_is_better else max(vals)
    out = ["<table class=\"summary\"><thead><tr>", *(f"<th>{_e(h)}</th>" for h in header), "</tr></thead><tbody>"]
    for row, cells in zip(table.rows, body):
        out.append(f"<tr><th scope=\"row\">{_e(cells[0])}</th>")
        for i, text in enumerate(cells[1:]):
            cls, tip = "num", ""
            if i < len(table.columns):
                col = table.columns[i]
                o = overall(row.cells.get(col.header))
                if o:
                    tip = f"{col.task} / {col.metric}: {o['k']:g} of {o['n']}"
                    if best.get(col.header) == o["value"] and len(table.rows) > 1:
                        cls += " best"
            out.append(f"<td class=\"{cls}\" title=\"{_e(tip)}\">{_e(text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _select(key: str, values: list[str]) -> str:
    opts = "".join(f"<option value=\"{_e(v)}\">{_e(v)}</option>" for v in values)
    return (f"<label>{key}<select id=\"f-{key}\" data-key=\"{key}\"><option value=\"\">all</option>"
            f"{opts}</select></label>")


def _sample_row(s: SampleView, thumb: str | None, missing_note: str) -> str:
    category = s.category if s.category is not None else NO_CATEGORY
    if thumb:
        img = f"<div class=\"thumb {thumb}\" role=\"img\" aria-label=\"{_e(s.image)}\" title=\"{_e(s.image)}\"></div>"
    else:
        img = f"<div class=\"thumb\" title=\"{_e(s.image)}\">{_e(missing_note)}</div>"
    ref = (f"<details><summary>reference</summary><div class=\"text\">{_e(_clip(s.reference))}</div></details>"
           if s.reference else "")
    sub = f"<div class=\"sub\">{_e(s.subcategory)}</div>" if s.subcategory else ""
    return (f"<tr data-task=\"{_e(s.task)}\" data-model=\"{_e(s.model)}\" data-category=\"{_e(category)}\" "
            f"data-verdict=\"{_e(s.verdict)}\" data-judges=\"{_e(s.judges)}\" data-id=\"{_e(s.id)}\">"
            f"<td>{img}</td><td>{_e(s.model)}</td><td>{_e(s.task)}<div class=\"sub\">{_e(s.id)}</div></td>"
            f"<td>{_e(category)}{sub}</td>"
            f"<td><div class=\"text\">{_e(_clip(s.prompt))}</div></td>"
            f"<td><div class=\"text\">{_e(_clip(s.output))}</div>{ref}</td>"
            f"<td><span class=\"v {_e(s.tone)}\">{_e(s.verdict)}</span></td></tr>")


def render_html(table: Table, samples: list[SampleView], totals: dict[tuple[str, str], int], title: str,
                max_per_task: int | None, plots: list[tuple[str | os.PathLike, str]] | None = None,
                thumb_px: int = 128) -> str:
    """The whole page. `totals` counts all generations per (model, task); `plots` are (PNG path, caption)."""
    thumbs: dict[tuple[str | None, str], str | None] = {}
    thumb_css: list[str] = []
    row_html = []
    for s in samples:
        cls = None
        if s.image:
            key = (s.image_root, s.image)
            if key not in thumbs:
                uri = thumbnail_uri(s.image, s.image_root, thumb_px)
                thumbs[key] = None if uri is None else f"i{len(thumb_css)}"
                if uri is not None:
                    thumb_css.append(f".{thumbs[key]}{{background-image:url(\"{uri}\")}}")
            cls = thumbs[key]
        row_html.append(_sample_row(s, cls, "no image" if not s.image else "image unavailable"))

    def values(attr: str) -> list[str]:
        seen: dict[str, None] = {}
        for s in samples:
            v = getattr(s, attr)
            seen[NO_CATEGORY if v is None and attr == "category" else str(v)] = None
        return list(seen) if attr == "model" else sorted(seen)

    figs = []
    for path, caption in plots or []:
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        figs.append(f"<figure><img src=\"data:image/png;base64,{data}\" alt=\"{_e(caption)}\">"
                    f"<figcaption>{_e(caption)}</figcaption></figure>")
    total = sum(totals.values())
    cap = (f"At most {max_per_task} samples per (model, task) are shown, the same sample ids for every model; "
           if max_per_task is not None else "")
    rest = "; the rest are in each run's generations.jsonl" if len(samples) < total else ""
    judge_note = (f"Verdicts by the <code>{_e(table.judge)}</code> judge. Rates in percent with Wilson 95% "
                  f"confidence intervals; {MISSING} = the run has no such task; bold = best in its column.")
    parts = [
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        f"<title>{_e(title)}</title><style>{CSS}{''.join(thumb_css)}</style></head><body>",
        f"<header><h1>{_e(title)}</h1><p class=\"meta\">{len(table.rows)} models: "
        f"{_e(', '.join(r.name for r in table.rows))}</p></header>",
        "<section id=\"summary\"><h2>Summary</h2>", _summary_html(table), f"<p class=\"note\">{judge_note}</p>",
        f"<div class=\"plots\">{''.join(figs)}</div></section>" if figs else "</section>",
        "<section id=\"browse\"><h2>Samples</h2>",
        f"<p class=\"note\">{_e(cap)}{len(samples)} of {total} generations are on this page{rest}. "
        f"Texts longer than {MAX_TEXT} characters are cut.</p>",
        "<form id=\"filters\">",
        *(_select(k, values(k)) for k in FILTER_KEYS),
        "<label>search<input id=\"f-q\" type=\"search\" placeholder=\"prompt or response text\"></label>",
        f"<span><b id=\"count\">{len(samples)}</b> of {len(samples)} shown</span></form>",
        "<table id=\"samples\"><colgroup><col class=\"c-img\"><col class=\"c-model\"><col class=\"c-task\">"
        "<col class=\"c-cat\"><col><col><col class=\"c-verdict\"></colgroup>",
        "<thead><tr><th>image</th><th>model</th><th>task</th><th>category</th><th>prompt</th><th>response</th>"
        "<th>verdict</th></tr></thead><tbody>",
        *row_html,
        "</tbody></table></section>",
        f"<script>{JS}</script></body></html>",
    ]
    return "\n".join(parts)
