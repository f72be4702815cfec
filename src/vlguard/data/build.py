"""`vlguard data build`: annotate labelled images with a vision-language model into a VLGuard-schema file.

The protocol and the prompts are in `vlguard.data.build_prompts`. Each request (one image, one part) goes
to an OpenAI-compatible server with the image inline. Its answer is parsed strictly and checked: a part
that needs a refusal must get one and a part that needs a helpful answer must not refuse (`check="keywords"`:
the keyword judge's detector, plus `data validate --lint`'s other rules, so a built file lints clean; or
`check="llm"`: a judge model's harmfulness verdict, for languages the English keywords cannot read). A
rejected answer is sent back to the annotator with the reason, at most `max_attempts` answers per part;
then the part is a failure, written to the failures file with every answer and reason. Transport trouble
(429, 5xx, timeouts) is retried with backoff by the backend; a part whose calls never got through is an
`api-error`, left for the next run.

Resumable: each finished part is appended to a cache (JSONL beside the output) under a key made of the
image's content hash, the part, the model and the full prompt text. A rerun, after a kill or with more
images, asks only for what the cache lacks; paid answers, including failures, are never asked again
(`retry_failed=True` asks again for failures). Identical images share their annotation.

Files, for OUT.json: OUT.json (the dataset, in label order; images with a failed part are left out),
OUT.failures.jsonl, OUT.cache.jsonl and OUT.build.json (settings, prompt version, counts, tokens, cost).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from vlguard.clients.messages import bytes_data_url
from vlguard.clients.usage import Usage
from vlguard.data.build_prompts import (
    PARTS_BY_SAFETY,
    AnswerError,
    PromptSet,
    needs_refusal,
    parse_answer,
    retry_message,
)
from vlguard.data.labels import ImageLabel, Taxonomy
from vlguard.data.validate import lint_response
from vlguard.errors import ConfigError, DataError, OutputExistsError, problem_list
from vlguard.fileio import JsonlAppender, atomic_write, check_output, read_jsonl_tolerant, write_json
from vlguard.images import ImageError, ImageRoot, decode_image
from vlguard.judges.refusal import is_refusal
from vlguard.schema import unique_ids

BUILD_VERSION = 1
CHECKS = ("keywords", "llm")


@dataclass
class BuildOptions:
    """How to annotate; see `vlguard data build --help` for each."""

    model: str
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    language: str = "English"
    max_attempts: int = 3
    concurrency: int = 8
    max_retries: int = 5
    timeout: float = 120.0
    temperature: float = 0.7
    max_new_tokens: int = 600
    check: str = "keywords"
    check_model: str | None = None
    check_base_url: str | None = None
    price_input: float | None = None
    price_output: float | None = None
    retry_failed: bool = False

    def __post_init__(self) -> None:
        if self.check not in CHECKS:
            raise ConfigError(f"unknown check {self.check!r}; choose one of {', '.join(CHECKS)}")
        if self.max_attempts < 1:
            raise ConfigError(f"max_attempts must be >= 1, got {self.max_attempts}")


@dataclass(frozen=True)
class Job:
    """One request: a part of one labelled image."""

    label: ImageLabel
    part: str
    image_sha256: str
    prompt: str
    key: str


def output_paths(out: str | os.PathLike) -> dict[str, Path]:
    """Where the files of a build to `out` go."""
    p = Path(out)
    stem = p.with_suffix("")
    return {"out": p, "failures": Path(f"{stem}.failures.jsonl"), "cache": Path(f"{stem}.cache.jsonl"),
            "manifest": Path(f"{stem}.build.json")}


def cache_key(image_sha256: str, part: str, model: str, prompt: str) -> str:
    return hashlib.sha256(json.dumps([image_sha256, part, model, prompt]).encode()).hexdigest()


def plan(labels: list[ImageLabel], images: str | os.PathLike, prompts: PromptSet, taxonomy: Taxonomy,
         model: str, language: str = "English") -> list[Job]:
    """Every request of the build. Reads and decodes every image first, so a missing or broken one fails the
    build (listing all of them) before any paid call; bytes are not kept (they are read again when sent)."""
    root = ImageRoot(images)
    jobs: list[Job] = []
    problems: list[str] = []
    for lab in labels:
        try:
            data = root.read_bytes(lab.image)
            decode_image(data, lab.image)
        except ImageError as e:
            problems.append(f"labels line {lab.line}: {e}")
            continue
        sha = hashlib.sha256(data).hexdigest()
        for part in PARTS_BY_SAFETY[lab.safe]:
            text = prompts.render(part, language, taxonomy, lab.category, lab.subcategory)
            jobs.append(Job(lab, part, sha, text, cache_key(sha, part, model, text)))
    if problems:
        raise DataError(f"{len(problems)} image(s) cannot be used, nothing was sent:{problem_list(problems)}")
    return jobs


def load_cache(path: Path, retry_failed: bool = False) -> dict[str, dict[str, Any]]:
    """Finished parts by key (a torn last line from a kill is ignored); failures dropped if `retry_failed`."""
    if not path.exists():
        return {}
    done: dict[str, dict[str, Any]] = {}
    for row in read_jsonl_tolerant(path):
        if isinstance(row, dict) and isinstance(row.get("key"), str) and row.get("status") in ("ok", "failed"):
            done[row["key"]] = row
    return {k: v for k, v in done.items() if not (retry_failed and v["status"] == "failed")}


def pending(jobs: list[Job], cache: dict[str, dict[str, Any]]) -> list[Job]:
    """The jobs the cache lacks, one per key (identical images: one request)."""
    return list({j.key: j for j in jobs if j.key not in cache}.values())


def dry_run(jobs: list[Job], out: str | os.PathLike, retry_failed: bool = False) -> list[Job]:
    """What a build of `jobs` to `out` would ask for now (the jobs its cache lacks); calls nothing."""
    return pending(jobs, load_cache(output_paths(out)["cache"], retry_failed))


def check_build_output(out: str | os.PathLike, force: bool = False) -> None:
    """Refuse to overwrite an OUT that no earlier build made (no build cache beside it), unless `force`."""
    paths = output_paths(out)
    for p in paths.values():  # before any paid request: an output that cannot be written fails now
        check_output(p, force=True)
    if paths["out"].exists() and not paths["cache"].exists() and not force:
        raise OutputExistsError(f"{out}: already exists and no earlier build's cache is beside it "
                                f"(use --force to overwrite)")


class AnswerCheck:
    """Decides whether a parsed answer fits its part; raises AnswerError with the reason when it does not."""

    def __init__(self, check: str = "keywords", judge: Any = None):
        self.check = check
        self.judge = judge  # an llm judge for check="llm"

    def __call__(self, part: str, instruction: str, response: str) -> None:
        if self.check == "keywords":
            # The lint rules use the `keywords` judge's refusal detector: a safe part must not refuse, an unsafe
            # one must, and no-image or blank-image answers never pass, so nothing is left to check after them.
            for code, message in lint_response(part, response):
                name = {"lint-refuses-safe": "refuses-safe", "lint-complies-unsafe": "no-refusal"}.get(
                    code, code.removeprefix("lint-") + "-answer")
                raise AnswerError(name, message)
            return
        v = self.judge.judge([{"prompt": instruction, "output": response}])[0]
        if v.error:
            raise AnswerError("check-error", v.error)
        refused, harmful = v.refused, v.harmful
        if needs_refusal(part) and refused is not True:
            raise AnswerError("no-refusal", f"the {part} response must refuse and does not")
        if not needs_refusal(part) and (refused or harmful):
            raise AnswerError("refuses-safe" if refused else "harmful-answer",
                              f"the {part} response must be a helpful, harmless answer")


def annotate(job: Job, url: str, backend: Any, check: AnswerCheck, max_attempts: int) -> dict[str, Any]:
    """Ask for one part until an answer passes or `max_attempts` answers were rejected; the cache row."""
    t0 = time.perf_counter()
    usage = Usage()
    messages: list[dict[str, Any]] = [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": url}}, {"type": "text", "text": job.prompt}]}]
    answers: list[dict[str, str]] = []
    row: dict[str, Any] = {"key": job.key, "image": job.label.image, "image_sha256": job.image_sha256, "part": job.part}
    status, reason, detail, result = "failed", "", "", None
    while len(answers) < max_attempts:
        c = backend.complete_messages(messages)
        if c.error:  # the backend already retried what can pass; nothing was billed
            status, reason, detail = "error", "api-error", c.error
            break
        if not c.refused_by_api or c.prompt_tokens is not None or c.completion_tokens is not None:
            usage.add(c)  # a block sent as an HTTP 400 is not billed; one with finish_reason content_filter is
        if c.refused_by_api:
            status, reason, detail = "failed", "api-refused", "the provider's content policy blocked the request"
            answers.append({"answer": "", "reason": reason})
            break  # the same image and prompt would be blocked again
        try:
            instruction, response = parse_answer(c.text)
            check(job.part, instruction, response)
        except AnswerError as e:
            if e.code == "unparseable" and "INSTRUCTION:" not in c.text and is_refusal(c.text):
                e = AnswerError("annotator-refused", f"the annotator declined the task: {c.text[:100]!r}")
            reason, detail = e.code, str(e)
            answers.append({"answer": c.text, "reason": f"{e.code}: {e}"})
            messages = messages + [{"role": "assistant", "content": c.text},
                                   {"role": "user", "content": retry_message(str(e))}]
            continue
        status, reason, detail, result = "ok", "", "", (instruction, response)
        answers.append({"answer": c.text, "reason": "ok"})
        break
    row.update(status=status, reason=reason or None, detail=detail or None, attempts=answers,
               usage=usage.to_dict(), seconds=round(time.perf_counter() - t0, 3))
    if result is not None:
        row.update(instruction=result[0], response=result[1])
    return row


def record_id(image: str) -> str:
    """A record id from an image path: the path without its extension, folders joined by `_`."""
    stem = image.rsplit(".", 1)[0] if "." in image.rsplit("/", 1)[-1] else image
    return stem.replace("/", "_")


def assemble(labels: list[ImageLabel], jobs: list[Job], results: dict[str, dict[str, Any]]
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The VLGuard records of images whose parts all passed (label order), and one failure row per other part."""
    by_image: dict[str, list[Job]] = {}
    for j in jobs:
        by_image.setdefault(j.label.image, []).append(j)
    records, failures = [], []
    done_labels = [lab for lab in labels if lab.image in by_image]
    ids = unique_ids([record_id(lab.image) for lab in done_labels])
    for rid, lab in zip(ids, done_labels):
        rows = [(j, results.get(j.key)) for j in by_image[lab.image]]
        bad = [(j, r) for j, r in rows if r is None or r["status"] != "ok"]
        for j, r in bad:
            r = r or {"status": "missing", "reason": "not-run", "detail": "not annotated (interrupted?)"}
            failures.append({"id": rid, "image": lab.image, "part": j.part, "status": r["status"],
                             "reason": r.get("reason"), "detail": r.get("detail"), "line": lab.line,
                             "attempts": r.get("attempts", [])})
        if bad:
            continue
        rec: dict[str, Any] = {"id": rid, "image": lab.image, "safe": lab.safe}
        if not lab.safe:
            rec.update(harmful_category=lab.category, harmful_subcategory=lab.subcategory)
        rec["instr-resp"] = [{j.part: r["instruction"], "response": r["response"]} for j, r in rows]  # type: ignore[index]
        records.append(rec)
    return records, failures


UNFINISHED = ("api-error", "internal-error")  # failure reasons a rerun asks again for


@dataclass
class BuildSummary:
    images: int
    records: int
    parts: int
    from_cache: int
    failures: dict[str, int]
    usage: dict[str, int]  # this run's annotator calls
    check_usage: dict[str, int]  # this run's llm-check calls
    cached_usage: dict[str, int]  # what the reused answers cost when they were made
    cost: float | None
    seconds: float
    paths: dict[str, str] = field(default_factory=dict)

    @property
    def unfinished(self) -> int:
        """Parts that could not be asked (api-error, internal-error): the next run asks for them again."""
        return sum(n for reason, n in self.failures.items() if reason in UNFINISHED)


def annotator_backend(opts: BuildOptions) -> Any:
    """The OpenAI-compatible backend of the annotator."""
    from vlguard.clients.openai_compat import OpenAIBackend

    return OpenAIBackend(opts.model, base_url=opts.base_url, api_key_env=opts.api_key_env,
                         concurrency=opts.concurrency, max_new_tokens=opts.max_new_tokens,
                         timeout=opts.timeout, max_retries=opts.max_retries, temperature=opts.temperature)


def check_judge(opts: BuildOptions) -> Any:
    """The llm judge of `check="llm"` (it counts its own calls in `judge.usage`), else None."""
    if opts.check != "llm":
        return None
    from vlguard.judges.llm import LLMJudge

    return LLMJudge(opts.check_model or opts.model, base_url=opts.check_base_url or opts.base_url,
                    api_key_env=opts.api_key_env, concurrency=1, max_new_tokens=512, timeout=opts.timeout,
                    max_retries=opts.max_retries)


def _failed_part(job: Job, e: Exception) -> dict[str, Any]:
    """The result of a part whose annotation raised (a bug or a broken check): it must not cost the others."""
    return {"key": job.key, "image": job.label.image, "part": job.part, "status": "error",
            "reason": "internal-error", "detail": f"{type(e).__name__}: {e}", "usage": {}}


def annotate_all(todo: list[Job], root: ImageRoot, backend: Any, check: AnswerCheck, max_attempts: int,
                 cache_path: Path, progress: Callable[[int, int], None] | None = None
                 ) -> tuple[dict[str, dict[str, Any]], Usage]:
    """Annotate `todo`, appending every finished part (ok or failed) to the cache as its batch ends; the
    results by key and the annotator's usage."""
    results: dict[str, dict[str, Any]] = {}
    usage = Usage()
    done = 0
    if progress:
        progress(0, len(todo))
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    with JsonlAppender(cache_path) as appender:
        def on_batch(_: list[int], rows: list[Any]) -> None:
            nonlocal done
            finished = [r for r in rows if isinstance(r, dict)]
            appender.write_many([r for r in finished if r["status"] in ("ok", "failed")])
            for r in finished:
                results[r["key"]] = r
                usage.merge(r["usage"])
            done += len(rows)
            if progress:
                progress(done, len(todo))

        def one(job: Job) -> dict[str, Any]:
            try:
                url = bytes_data_url(root.read_bytes(job.label.image), job.label.image)
                return annotate(job, url, backend, check, max_attempts)
            except Exception as e:
                return _failed_part(job, e)

        if todo:
            backend.map(one, todo, on_batch)
    return results, usage


def write_build(paths: dict[str, Path], records: list[dict[str, Any]], failures: list[dict[str, Any]]) -> None:
    """The dataset (JSON) and the failures (JSONL), each written atomically; no dataset file when no image
    was annotated (an empty dataset is no result)."""
    if records:
        with atomic_write(paths["out"]) as f:
            json.dump(records, f, indent=2, ensure_ascii=False)
    with atomic_write(paths["failures"]) as f:
        for row in failures:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def summarize(labels: list[ImageLabel], jobs: list[Job], cache: dict[str, dict[str, Any]], records: list[Any],
              failures: list[dict[str, Any]], usage: Usage, check_usage: Usage, opts: BuildOptions,
              paths: dict[str, Path], t0: float) -> BuildSummary:
    """The counts, this run's usage and cost, and what the reused answers cost when they were made."""
    cached_usage = Usage()
    for j in jobs:
        if j.key in cache:
            cached_usage.merge(cache[j.key].get("usage") or {})
    total = Usage()
    total.merge(usage)
    total.merge(check_usage)
    reasons: dict[str, int] = {}
    for row in failures:
        reasons[row["reason"]] = reasons.get(row["reason"], 0) + 1
    return BuildSummary(images=len(labels), records=len(records), parts=len(jobs),
                        from_cache=sum(j.key in cache for j in jobs), failures=reasons, usage=usage.to_dict(),
                        check_usage=check_usage.to_dict(), cached_usage=cached_usage.to_dict(),
                        cost=total.cost(opts.price_input, opts.price_output),
                        seconds=round(time.perf_counter() - t0, 2), paths={k: str(v) for k, v in paths.items()})


def build(labels: list[ImageLabel], images: str | os.PathLike, out: str | os.PathLike, opts: BuildOptions,
          prompts: PromptSet, taxonomy: Taxonomy, backend: Any = None,
          progress: Callable[[int, int], None] | None = None, jobs: list[Job] | None = None) -> BuildSummary:
    """Annotate every labelled image (see the module docstring); `backend` defaults to an OpenAIBackend and
    `jobs` to `plan(...)`. It overwrites OUT: see `check_build_output` to refuse a file no build made."""
    t0 = time.perf_counter()
    paths = output_paths(out)
    jobs = jobs if jobs is not None else plan(labels, images, prompts, taxonomy, opts.model, opts.language)
    cache = load_cache(paths["cache"], opts.retry_failed)
    backend = backend if backend is not None else annotator_backend(opts)
    judge = check_judge(opts)  # made here, so its usage is this run's
    check = AnswerCheck(opts.check, judge)
    fresh, usage = annotate_all(pending(jobs, cache), ImageRoot(images), backend, check, opts.max_attempts,
                                paths["cache"], progress)
    records, failures = assemble(labels, jobs, {**cache, **fresh})
    write_build(paths, records, failures)
    summary = summarize(labels, jobs, cache, records, failures, usage, judge.usage if judge else Usage(), opts,
                        paths, t0)
    write_json(paths["manifest"], {"vlguard_build": BUILD_VERSION, "images": str(images), "prompts": prompts.version,
                                   "options": asdict(opts), "summary": asdict(summary),
                                   "taxonomy": taxonomy})
    return summary
