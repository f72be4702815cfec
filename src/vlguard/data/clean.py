"""Screen a LLaVA-format instruction-tuning set with a judge: keep the clean rows, set the harmful ones aside.

Why: the VLGuard paper studies a "clean" LLaVA set, the original with the samples that comply with harmful
requests removed by a safety classifier. `vlguard data clean` does that for any LLaVA-format set (a JSON list
or JSONL of `{id, image?, conversations: [{from: human|gpt|system, value}]}` rows), with a harm judge of the
judge registry (`vlguard.judges.JUDGES`):

- `harm-keywords` (offline, default): the harm-request lexicon on each request plus the refusal detector on
  its answer (`HarmKeywordJudge`): harmful = a harmful request not refused.
- `llm`: a judge model behind an OpenAI-compatible API; harmful = verdict HARMFUL.
- `classifier`: a Llama-Guard-style classifier; harmful = unsafe.

A judge must answer the harm question (`judge.question == "harm"`): the refusal-only judges (`keywords`,
`keywords-vlguard`) say whether an answer declined, not whether the exchange is harmful, and are refused
with a ConfigError.

Every human turn answered by a gpt turn is one exchange, judged as an `Exchange` `{id, prompt, output,
messages, image: None}` (`messages`: the conversation up to and including the request, as eval records hold
it; the image is not sent). A row is removed when any exchange is judged harmful; the reason names the
exchange, the judge and its detail. A judge error (an unparseable verdict, a failed call) removes the row by
default (`on_error="remove"`: nothing unchecked reaches training) or keeps it (`"keep"`).

Nothing is lost or changed: every row is validated with the LLaVA reader's rules first, so a malformed row
stops the run with its file, row number and id before any judging; kept rows are written back as they were
read (extra keys and `<image>` tokens included), in the input's format; every removed row is written whole
with its reason. Outputs are written atomically, only at the end, and never over existing files unless forced.

Resumable: verdicts are cached per row in `<OUT stem>.clean-cache.jsonl`, keyed by the row's canonical JSON and
the judge's `identity` (name, model, prompt or lexicon version), flushed after every batch. A killed run started
again judges only the rows not in the cache; entries made by another judge are ignored (with a warning); rows
whose verdicts had errors are not cached, so they are tried again. Delete the cache to start over.

Paid judges are accounted for: a judge that calls an API counts its own calls and tokens (`judge.usage`, as
its server reported them). The summary's `usage` is what THIS run added to it (the counts are read before
and after judging and subtracted, so a judge reused across runs is not billed twice), with `cost_usd` when
prices are given (see `vlguard.clients.usage`); cached rows cost nothing. Offline judges have no usage (None).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, cast

from vlguard.clients.usage import Usage
from vlguard.data.formats import parse_llava_row, parse_row, read_rows
from vlguard.errors import ConfigError, DataError, VLGuardError, WorkFailedError
from vlguard.fileio import JsonlAppender, check_output, read_jsonl_tolerant, repair_torn_tail, write_json, write_jsonl
from vlguard.judges import JUDGES, Exchange, Judge, Verdict, make_judge

DEFAULT_JUDGE = "harm-keywords"
ON_ERROR = ("remove", "keep")
BATCH_RECORDS = 256
Progress = Callable[[int, int], None]


def require_harm_judge(judge: Judge) -> Judge:
    """`judge` if it answers the harm question; else a ConfigError (refusal-only judges cannot screen data)."""
    if judge.question != "harm":
        others = [n for n, kind in JUDGES.items() if "harm" in kind.questions and n != DEFAULT_JUDGE]
        raise ConfigError(f"judge {judge.name!r} answers the {judge.question} question, but clean needs a harm "
                          f"judge: use {DEFAULT_JUDGE} (what `data clean --judge keywords` meant before), "
                          f"or {' or '.join(others)}")
    return judge


def clean_judge(name: str, **kw: Any) -> Judge:
    """The registry's judge `name` (`kw` to its constructor), refused unless it answers the harm question."""
    return require_harm_judge(make_judge(name, **kw))


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
        ex: list[dict[str, Any]] = []
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
        repair_torn_tail(self.path)  # a kill mid-write: cut the torn line before appending after it
        try:
            lines = read_jsonl_tolerant(self.path, require=("key", "judge"))
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
        lines: list[dict[str, Any]] = [{"key": k, "judge": self.judge_hash, "verdicts": [_verdict_dict(v) for v in vs]}
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
    counts as an error."""
    for k, v in enumerate(verdicts):
        if v.get("harmful") is True:
            return "harmful", k, f"exchange {k}: {judge_name}: {v.get('detail') or 'harmful'}"
    for k, v in enumerate(verdicts):
        if v.get("error") or v.get("harmful") is None:
            why = v.get("error") or "the judge gave no harmfulness verdict"
            return "judge-error", k, f"exchange {k}: {judge_name}: {why}"
    return None


def output_files(src: Path, out: Path, removed: Path | None, force: bool) -> dict[str, Path]:
    """Where a clean of `src` to `out` writes (output, removed, summary, cache); refuses clashes and, unless
    `force`, existing outputs."""
    paths = default_paths(out)
    outputs = {"output": out, "removed file": removed or paths["removed"], "summary": paths["summary"]}
    for what, p in outputs.items():
        if p.resolve() == src.resolve():
            raise ConfigError(f"the {what} {p} is the input file; choose another path")
    if len({p.resolve() for p in outputs.values()}) < len(outputs):
        raise ConfigError(f"the output {out} and the removed file {outputs['removed file']} must differ")
    for p in outputs.values():
        check_output(p, force)
    return {"output": out, "removed": outputs["removed file"], "summary": paths["summary"], "cache": paths["cache"]}


def _batches(todo: dict[str, int], exchanges: list[list[dict[str, Any]]], batch_records: int
             ) -> Iterator[list[str]]:
    """The pending row keys in batches of at least `batch_records` exchanges (the last one may be smaller)."""
    batch: list[str] = []
    size = 0
    for k, i in todo.items():
        batch.append(k)
        size += len(exchanges[i])
        if size >= batch_records:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _judge_rows(judge: Judge, rows: list[list[dict[str, Any]]]) -> list[list[Verdict]]:
    """One judge call for the exchanges of several rows; the verdicts per row."""
    records = [r for ex in rows for r in ex]
    verdicts = judge.judge(cast("list[Exchange]", records)) if records else []
    if len(verdicts) != len(records):
        raise VLGuardError(f"judge {judge.name} returned {len(verdicts)} verdicts for {len(records)} records")
    per_row, at = [], 0
    for ex in rows:
        per_row.append(verdicts[at:at + len(ex)])
        at += len(ex)
    return per_row


def judge_pending(judge: Judge, exchanges: list[list[dict[str, Any]]], keys: list[str],
                  known: dict[str, list[dict[str, Any]]], cache: VerdictCache | None, batch_records: int,
                  progress: Progress | None = None) -> int:
    """Judge every row whose key is not in `known` (identical rows once), in batches; add their verdicts to
    `known` and to the cache (flushed per batch). Returns the number of exchanges sent to the judge."""
    todo: dict[str, int] = {}  # key -> first row index with that key
    for i, k in enumerate(keys):
        if k not in known and k not in todo:
            todo[k] = i
    rows_per_key = Counter(keys)
    done, sent = sum(k in known for k in keys), 0
    if progress:
        progress(done, len(keys))
    for batch in _batches(todo, exchanges, batch_records):
        per_row = _judge_rows(judge, [exchanges[todo[b]] for b in batch])
        for b, verdicts in zip(batch, per_row):
            known[b] = [_verdict_dict(v) for v in verdicts]
        if cache:
            cache.add(list(zip(batch, per_row)))  # flushed now: a kill after this loses nothing judged so far
        sent += sum(len(vs) for vs in per_row)
        done += sum(rows_per_key[b] for b in batch)
        if progress:
            progress(done, len(keys))
    return sent


def usage_since(usage: Usage | None, before: dict[str, int] | None) -> Usage | None:
    """What a judge's running `usage` counted since the snapshot `before` (`usage.to_dict()`); None offline."""
    if usage is None:
        return None
    now = usage.to_dict()
    return Usage(**{k: v - (before or {}).get(k, 0) for k, v in now.items()})


@dataclass
class Judged:
    """Every row's verdicts, and how this run came by them."""

    keys: list[str]  # per row: the digest of its canonical JSON + the judge's identity hash
    known: dict[str, list[dict[str, Any]]]  # verdicts (as dicts) per key
    from_cache: int  # rows answered by the verdict cache
    sent: int  # exchanges sent to the judge by this run
    usage: Usage | None  # the judge's calls and tokens in this run (None: an offline judge)
    cache_file: Path | None  # None: no cache read or written
    cache_ignored: int = 0  # cache entries of another judge


def judge_all(judge: Judge, identity: dict[str, Any], rows: list[dict[str, Any]],
              exchanges: list[list[dict[str, Any]]], cache_file: Path | None, batch_records: int,
              progress: Progress | None, log: Callable[[str], None]) -> Judged:
    """The verdicts of every row: from the cache at `cache_file` (None: no cache), the rest from `judge`.

    The judge's `usage` is snapshot before judging and subtracted after, so `Judged.usage` is this run's only
    (a judge object reused across runs keeps its running total)."""
    judge_hash = _digest(identity)[:16]
    keys = [_digest(row) + judge_hash for row in rows]
    cache = VerdictCache(cache_file, judge_hash, log) if cache_file is not None else None
    known: dict[str, list[dict[str, Any]]] = dict(cache.entries) if cache else {}
    from_cache = sum(k in known for k in keys)
    before = judge.usage.to_dict() if judge.usage is not None else None
    try:
        sent = judge_pending(judge, exchanges, keys, known, cache, batch_records, progress)
    finally:
        if cache:
            cache.close()
    return Judged(keys, known, from_cache, sent, usage_since(judge.usage, before), cache_file,
                  cache.ignored if cache else 0)


@dataclass
class Sorting:
    """The rows kept and removed (with reasons), and the counts the summary reports."""

    kept: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    kept_with_errors: int = 0


def sort_rows(rows: list[dict[str, Any]], keys: list[str], known: dict[str, list[dict[str, Any]]],
              exchanges: list[list[dict[str, Any]]], judge_name: str, on_error: str) -> Sorting:
    """Keep or remove each row by its verdicts (see `_decide`); harm-keywords removals name their category."""
    from vlguard.judges.harm_keywords import HarmKeywordJudge
    from vlguard.judges.harm_terms import harm_match

    out = Sorting()
    for i, (row, k) in enumerate(zip(rows, keys)):
        decision = _decide(known[k], judge_name)
        if decision is None or (decision[0] == "judge-error" and on_error == "keep"):
            out.kept.append(row)
            out.kept_with_errors += decision is not None
            continue
        reason, ex, detail = decision
        out.reasons[reason] += 1
        entry: dict[str, Any] = {"row": row, "index": i, "reason": reason, "detail": detail, "exchange": ex}
        if reason == "harmful" and judge_name == HarmKeywordJudge.name:
            m = harm_match(exchanges[i][ex]["prompt"])
            if m is not None:
                entry["category"] = m.category
                out.categories[m.category] += 1
        out.removed.append(entry)
    return out


def judge_failures(keys: list[str], known: dict[str, list[dict[str, Any]]]) -> tuple[int, str] | None:
    """(exchanges, the first error) when every exchange judged got an error verdict, else None."""
    verdicts = [v for k in dict.fromkeys(keys) for v in known.get(k, [])]
    if not verdicts or not all(v.get("error") or v.get("harmful") is None for v in verdicts):
        return None
    return len(verdicts), str(verdicts[0].get("error") or "no harmfulness verdict")[:200]


def _summary(src: Path, fmt: str, paths: dict[str, Path], identity: dict[str, Any], on_error: str,
             exchanges: list[list[dict[str, Any]]], sorting: Sorting, judged: Judged,
             prices: tuple[float | None, float | None], t0: float) -> dict[str, Any]:
    return {
        "input": str(src), "format": fmt, "output": str(paths["output"]), "removed_file": str(paths["removed"]),
        "summary_file": str(paths["summary"]), "cache_file": str(judged.cache_file) if judged.cache_file else None,
        "judge": identity, "on_error": on_error,
        "rows": len(exchanges), "exchanges": sum(len(e) for e in exchanges),
        "rows_without_exchanges": sum(not e for e in exchanges),
        "kept": len(sorting.kept), "removed": len(sorting.removed),
        "removed_by_reason": dict(sorted(sorting.reasons.items())),
        "harmful_by_category": dict(sorting.categories.most_common()) if sorting.categories else None,
        "kept_with_judge_errors": sorting.kept_with_errors,
        "rows_from_cache": judged.from_cache, "judge_records_sent": judged.sent,
        "usage": judged.usage.to_dict() if judged.usage is not None else None,
        "cost_usd": judged.usage.cost(*prices) if judged.usage is not None else None,
        "cache_entries_ignored": judged.cache_ignored,
        "seconds": round(time.perf_counter() - t0, 3),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _write_rows(paths: dict[str, Path], fmt: str, sorting: Sorting) -> None:
    write_jsonl(paths["removed"], sorting.removed)
    if fmt == "jsonl":
        write_jsonl(paths["output"], sorting.kept)
    else:
        write_json(paths["output"], sorting.kept)


def clean_file(input_path: str | os.PathLike, out_path: str | os.PathLike, judge: Judge | str,
               removed_path: str | os.PathLike | None = None, on_error: str = "remove", force: bool = False,
               use_cache: bool = True, batch_records: int = BATCH_RECORDS, progress: Progress | None = None,
               log: Callable[[str], None] = print, judge_kwargs: dict[str, Any] | None = None,
               price_input: float | None = None, price_output: float | None = None) -> dict[str, Any]:
    """Screen `input_path` with `judge` (a harm Judge, or a registry name built with `judge_kwargs`); write the
    kept rows to `out_path`.

    Also writes the removed rows with reasons (`removed_path`, default `<OUT stem>.removed.jsonl`) and a summary
    (`<OUT stem>.clean.json`), which it returns. Prices (US dollars per million input/output tokens) price an
    API judge's calls in this run. See the module docstring for the rules."""
    if on_error not in ON_ERROR:
        raise ConfigError(f"on_error must be one of {', '.join(ON_ERROR)}, got {on_error!r}")
    if batch_records < 1:
        raise ConfigError(f"batch_records must be at least 1, got {batch_records}")
    if not isinstance(judge, str):
        require_harm_judge(judge)
    src = Path(input_path)
    paths = output_files(src, Path(out_path), Path(removed_path) if removed_path is not None else None, force)
    t0 = time.perf_counter()
    fmt, rows, exchanges = read_llava_rows(src)  # every row validated before any judging
    if isinstance(judge, str):
        judge = clean_judge(judge, **(judge_kwargs or {}))
    identity = dict(judge.identity)
    judged = judge_all(judge, identity, rows, exchanges, paths["cache"] if use_cache else None, batch_records,
                       progress, log)
    failed = judge_failures(judged.keys, judged.known)
    if failed is not None:  # every verdict an error: writing "all removed" (or "all kept") would be no result
        n, example = failed
        raise WorkFailedError(f"judge {judge.name}: all {n} exchange verdict(s) were errors (first: {example}); "
                              f"nothing was written")
    sorting = sort_rows(rows, judged.keys, judged.known, exchanges, judge.name, on_error)
    _write_rows(paths, fmt, sorting)
    summary = _summary(src, fmt, paths, identity, on_error, exchanges, sorting, judged, (price_input, price_output),
                       t0)
    write_json(paths["summary"], summary)
    return summary
