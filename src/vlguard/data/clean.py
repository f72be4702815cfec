"""Screen a LLaVA-format instruction-tuning set with a judge: keep the clean rows, set the harmful ones aside.

Why: the VLGuard paper studies a "clean" LLaVA set, the original with the samples that comply with harmful
requests removed by a safety classifier. `vlguard data clean` does that for any LLaVA-format set (a JSON list
or JSONL of `{id, image?, conversations: [{from: human|gpt|system, value}]}` rows), with a judge of choice:

- `keywords` (offline, default): the harm-request lexicon on each request plus the refusal detector on its
  answer (`HarmKeywordJudge`, registered as `harm-keywords`): harmful = a harmful request not refused.
- `llm`: a judge model behind an OpenAI-compatible API; harmful = verdict HARMFUL.
- `classifier`: a Llama-Guard-style classifier; harmful = unsafe.

Every human turn answered by a gpt turn is one exchange, judged as an eval record `{id, prompt, output,
messages, image: None}` (`messages`: the conversation up to and including the request, as eval records hold
it; the image is not sent). A row is removed when any exchange is judged harmful; the reason names the
exchange, the judge and its detail. A judge error (an unparseable verdict, a failed call) removes the row by
default (`on_error="remove"`: nothing unchecked reaches training) or keeps it (`"keep"`).

Nothing is lost or changed: every row is validated with the LLaVA reader's rules first, so a malformed row
stops the run with its file, row number and id before any judging; kept rows are written back as they were
read (extra keys and `<image>` tokens included), in the input's format; every removed row is written whole
with its reason. Outputs are written atomically, only at the end, and never over existing files unless forced.

Resumable: verdicts are cached per row in `<OUT stem>.clean-cache.jsonl`, keyed by the row's canonical JSON and
the judge's identity (name, model, prompt or lexicon version), flushed after every batch. A killed run started
again judges only the rows not in the cache; entries made by another judge are ignored (with a warning); rows
whose verdicts had errors are not cached, so they are tried again. Delete the cache to start over.

Paid judges are accounted for: the calls and tokens of an API judge (as its server reported them) go into the
summary's `usage`, with `cost_usd` when prices are given (see `vlguard.clients.usage`); cached rows cost nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from vlguard.clients.usage import CountingBackend, Usage
from vlguard.data.formats import parse_llava_row, parse_row, read_rows
from vlguard.errors import ConfigError, DataError, VLGuardError
from vlguard.judges import Judge, Verdict, make_judge
from vlguard.fileio import JsonlAppender, check_output, read_jsonl_tolerant, write_json, write_jsonl

# `vlguard data clean --judge NAME` -> the judge it makes; `keywords` means the harm lexicon + refusal check.
CLEAN_JUDGES = {"keywords": "harm-keywords", "llm": "llm", "classifier": "classifier"}
ON_ERROR = ("remove", "keep")
BATCH_RECORDS = 256
Progress = Callable[[int, int], None]


def make_clean_judge(name: str, **kw: Any) -> Judge:
    """The judge `clean` uses for `name` (keywords, llm, classifier); see CLEAN_JUDGES."""
    if name not in CLEAN_JUDGES:
        raise ConfigError(f"unknown clean judge {name!r}; choose one of {', '.join(CLEAN_JUDGES)}")
    return make_judge(CLEAN_JUDGES[name], **kw)


def judge_identity(judge: Any) -> dict[str, Any]:
    """What decides a judge's verdicts (name, model, prompt text or lexicon version), for the verdict cache."""
    own = getattr(judge, "identity", None)
    if isinstance(own, dict):
        return dict(own)
    ident: dict[str, Any] = {"name": getattr(judge, "name", type(judge).__name__)}
    prompt = getattr(judge, "harm", None)  # LLMJudge: its harmfulness prompt
    if prompt is not None and hasattr(prompt, "template"):
        ident["prompt"] = prompt.version
        ident["prompt_sha256"] = hashlib.sha256(prompt.template.encode()).hexdigest()[:16]
    backend = getattr(judge, "backend", None)
    if backend is not None and getattr(backend, "model", None):
        ident["model"] = backend.model
    if getattr(judge, "model_name", None):  # ClassifierJudge
        ident["model"] = judge.model_name
    return ident


def _digest(obj: Any) -> str:
    canon = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def default_paths(out: str | os.PathLike) -> dict[str, Path]:
    """Where `clean` writes beside OUT: the removed rows, the summary and the verdict cache."""
    p = Path(out)
    stem = p.with_suffix("") if p.suffix in (".json", ".jsonl") else p
    return {"removed": Path(f"{stem}.removed.jsonl"), "summary": Path(f"{stem}.clean.json"),
            "cache": Path(f"{stem}.clean-cache.jsonl")}


# ---------------------------------------------------------------- reading and exchanges


def read_llava_rows(path: str | os.PathLike) -> tuple[str, list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """(format, rows as read, exchanges per row); a malformed row raises DataError naming file, row and id."""
    p = Path(path)
    fmt = "jsonl" if p.suffix == ".jsonl" else "json"
    rows, exchanges = [], []
    for i, (where, row) in enumerate(read_rows(p)):
        _, turns, _, _ = parse_row(p, where, row, parse_llava_row)
        rid = row.get("id")
        name = str(rid) if rid is not None else f"row{i}"
        ex = []
        for j, t in enumerate(turns):
            if t.role == "assistant" and j and turns[j - 1].role == "user":
                ex.append({"id": f"{name}#{len(ex)}", "prompt": turns[j - 1].content, "output": t.content,
                           "messages": [{"role": u.role, "content": u.content} for u in turns[:j]], "image": None})
        rows.append(row)
        exchanges.append(ex)
    return fmt, rows, exchanges


# ---------------------------------------------------------------- verdict cache


def _verdict_dict(v: Verdict) -> dict[str, Any]:
    return {"refused": v.refused, "harmful": v.harmful, "error": v.error, "detail": v.detail}


class VerdictCache:
    """Per-row verdicts of one judge in an append-only JSONL file; tolerant of a torn last line."""

    def __init__(self, path: Path, judge_hash: str, log: Callable[[str], None]):
        self.path, self.judge_hash = path, judge_hash
        self.entries: dict[str, list[dict[str, Any]]] = {}
        self.ignored = 0
        if path.exists():
            self._load(log)
        self._writer: JsonlAppender | None = None

    def _load(self, log: Callable[[str], None]) -> None:
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):  # a kill mid-write: cut the torn line before appending after it
            self.path.write_bytes(data[: data.rfind(b"\n") + 1])
        try:
            lines = read_jsonl_tolerant(self.path)
        except DataError as e:
            log(f"warning: verdict cache {self.path} is unreadable ({e}); starting a new one")
            self.path.unlink()
            return
        for r in lines:
            if isinstance(r, dict) and r.get("judge") == self.judge_hash and isinstance(r.get("verdicts"), list):
                self.entries[r["key"]] = r["verdicts"]
            else:
                self.ignored += 1
        if self.ignored:
            log(f"warning: {self.ignored} cached verdict(s) in {self.path} come from another judge (or another "
                f"version of it) and are ignored")

    def add(self, items: list[tuple[str, list[Verdict]]]) -> None:
        """Cache rows whose verdicts all came through (an error is tried again next time); flush at once."""
        lines = [{"key": k, "judge": self.judge_hash, "verdicts": [_verdict_dict(v) for v in vs]}
                 for k, vs in items if not any(v.error for v in vs)]
        for line in lines:
            self.entries[line["key"]] = line["verdicts"]
        if lines:
            if self._writer is None:
                self._writer = JsonlAppender(self.path)
            self._writer.write_many(lines)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


# ---------------------------------------------------------------- cleaning


def _decide(verdicts: list[dict[str, Any]], judge_name: str) -> tuple[str, int, str] | None:
    """(reason, exchange, detail) for a row to remove because of a harmful exchange or a judge error, else None.

    A harmful exchange wins over an error in another exchange; an exchange without any harmfulness verdict
    (a refusal-only judge) counts as an error."""
    for k, v in enumerate(verdicts):
        if v.get("harmful") is True:
            return "harmful", k, f"exchange {k}: {judge_name}: {v.get('detail') or 'harmful'}"
    for k, v in enumerate(verdicts):
        if v.get("error") or v.get("harmful") is None:
            why = v.get("error") or "the judge gave no harmfulness verdict"
            return "judge-error", k, f"exchange {k}: {judge_name}: {why}"
    return None


def clean_file(input_path: str | os.PathLike, out_path: str | os.PathLike, judge: Judge | str,
               removed_path: str | os.PathLike | None = None, on_error: str = "remove", force: bool = False,
               use_cache: bool = True, batch_records: int = BATCH_RECORDS, progress: Progress | None = None,
               log: Callable[[str], None] = print, judge_kwargs: dict[str, Any] | None = None,
               price_input: float | None = None, price_output: float | None = None) -> dict[str, Any]:
    """Screen `input_path` with `judge` (a Judge, or a clean judge name); write kept rows to `out_path`.

    Also writes the removed rows with reasons (`removed_path`, default `<OUT stem>.removed.jsonl`) and a summary
    (`<OUT stem>.clean.json`), which it returns. Prices (US dollars per million input/output tokens) price an
    API judge's calls. See the module docstring for the rules."""
    if on_error not in ON_ERROR:
        raise ConfigError(f"on_error must be one of {', '.join(ON_ERROR)}, got {on_error!r}")
    if batch_records < 1:
        raise ConfigError(f"batch_records must be at least 1, got {batch_records}")
    src, out = Path(input_path), Path(out_path)
    paths = default_paths(out)
    removed = Path(removed_path) if removed_path is not None else paths["removed"]
    outputs = {"output": out, "removed file": removed, "summary": paths["summary"]}
    for what, p in outputs.items():
        if p.resolve() == src.resolve():
            raise ConfigError(f"the {what} {p} is the input file; choose another path")
    if len({p.resolve() for p in outputs.values()}) < len(outputs):
        raise ConfigError(f"the output {out} and the removed file {removed} must differ")
    for p in outputs.values():
        check_output(p, force)

    t0 = time.perf_counter()
    fmt, rows, exchanges = read_llava_rows(src)  # every row validated before any judging
    if isinstance(judge, str):
        judge = make_clean_judge(judge, **(judge_kwargs or {}))
    identity = judge_identity(judge)
    judge_hash = _digest(identity)[:16]
    keys = [_digest(row) + judge_hash for row in rows]
    cache = VerdictCache(paths["cache"], judge_hash, log) if use_cache else None
    known: dict[str, list[dict[str, Any]]] = dict(cache.entries) if cache else {}

    todo: dict[str, int] = {}  # key -> first row index with that key (identical rows are judged once)
    for i, k in enumerate(keys):
        if k not in known and k not in todo:
            todo[k] = i
    total, cached_rows = len(rows), sum(k in known for k in keys)
    rows_per_key = Counter(keys)
    done, sent = cached_rows, 0
    if progress:
        progress(done, total)

    def judge_batch(batch: list[str]) -> None:
        nonlocal done, sent
        records = [r for b in batch for r in exchanges[todo[b]]]
        verdicts = judge.judge(records) if records else []
        if len(verdicts) != len(records):
            raise VLGuardError(f"judge {judge.name} returned {len(verdicts)} verdicts for {len(records)} records")
        per_row, at = [], 0
        for b in batch:
            m = len(exchanges[todo[b]])
            per_row.append((b, verdicts[at:at + m]))
            known[b] = [_verdict_dict(v) for v in verdicts[at:at + m]]
            at += m
        if cache:
            cache.add(per_row)  # flushed now: a kill after this loses nothing judged so far
        sent += len(records)
        done += sum(rows_per_key[b] for b in batch)
        if progress:
            progress(done, total)

    # an API judge's answered calls are counted while this run uses it; the caller's judge is left as it was
    usage = Usage()
    inner = getattr(judge, "backend", None)
    counted = inner is not None and hasattr(inner, "complete_messages")
    if counted:
        judge.backend = CountingBackend(inner, usage)
    try:
        batch: list[str] = []
        size = 0
        for k, i in todo.items():
            batch.append(k)
            size += len(exchanges[i])
            if size >= batch_records:
                judge_batch(batch)
                batch, size = [], 0
        if batch:
            judge_batch(batch)
    finally:
        if counted:
            judge.backend = inner
        if cache:
            cache.close()

    kept, removed_rows = [], []
    reasons: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    kept_with_errors = 0
    for i, (row, k) in enumerate(zip(rows, keys)):
        decision = _decide(known[k], judge.name)
        if decision is None or (decision[0] == "judge-error" and on_error == "keep"):
            kept.append(row)
            kept_with_errors += decision is not None
            continue
        reason, ex, detail = decision
        reasons[reason] += 1
        entry: dict[str, Any] = {"row": row, "index": i, "reason": reason, "detail": detail, "exchange": ex}
        if reason == "harmful" and CLEAN_JUDGES["keywords"] == judge.name:
            from vlguard.judges.harm_terms import harm_match

            m = harm_match(exchanges[i][ex]["prompt"])
            if m is not None:
                entry["category"] = m.category
                categories[m.category] += 1
        removed_rows.append(entry)

    write_jsonl(removed, removed_rows)
    if fmt == "jsonl":
        write_jsonl(out, kept)
    else:
        write_json(out, kept)
    summary = {
        "input": str(src), "format": fmt, "output": str(out), "removed_file": str(removed),
        "summary_file": str(paths["summary"]), "cache_file": str(paths["cache"]) if use_cache else None,
        "judge": identity, "on_error": on_error,
        "rows": total, "exchanges": sum(len(e) for e in exchanges),
        "rows_without_exchanges": sum(not e for e in exchanges),
        "kept": len(kept), "removed": len(removed_rows), "removed_by_reason": dict(sorted(reasons.items())),
        "harmful_by_category": dict(categories.most_common()) if categories else None,
        "kept_with_judge_errors": kept_with_errors,
        "rows_from_cache": cached_rows, "judge_records_sent": sent,
        "usage": usage.to_dict() if counted else None,
        "cost_usd": usage.cost(price_input, price_output) if counted else None,
        "cache_entries_ignored": cache.ignored if cache else 0,
        "seconds": round(time.perf_counter() - t0, 3),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    write_json(paths["summary"], summary)
    return summary
