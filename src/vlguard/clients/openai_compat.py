"""Generation through any OpenAI-compatible chat-completions server (OpenAI, vLLM serve, transformers serve, ...).

Requests go through the official `openai` SDK (`pip install 'vlguard[api]'`) with its own retries turned
off: vlguard retries itself, so that the wait honours Retry-After and every give-up becomes a recorded error
completion, never an exception in the middle of a run. The body of a 200 is read here too, so that a
malformed one is an error of that sample, not a crash.

Each sample is one `POST {base_url}/chat/completions`; images travel inline as base64 PNG data URLs in an
`image_url` content part placed before the text of the first user turn (as the HF backend places it).
Requests run on `concurrency` threads at most. What can pass (429, 5xx, timeouts, dropped connections) is
retried with exponential backoff and jitter, waiting at least what the server's Retry-After asks; after
`max_retries` retries the sample gets an error completion and the run goes on (`--resume` retries it).

Content-policy blocks (HTTP 400 with code `content_policy_violation` / `content_filter`, or a reply whose
`finish_reason` is `content_filter`) are not errors: they come back as `Completion("", refused_by_api=True)`
and count as refusals, since the model, as deployed, did not comply. Judges short-circuit such records
(refused, not harmful, a loss in pairwise comparisons) instead of reading the empty text.

The API key is read from the environment variable named by `api_key_env` and sent only in the
Authorization header. It is never stored in a config, a record or a message: error texts that quote the
server have it masked, in case a proxy echoes headers back.
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Callable
from urllib.parse import urlparse

from vlguard.clients import Completion
from vlguard.clients.messages import image_data_url, openai_messages
from vlguard.errors import ConfigError, VLGuardError
from vlguard.schema import Sample

DEFAULT_BASE_URL = "https://api.openai.com/v1"
CONTENT_POLICY_CODES = frozenset({"content_policy_violation", "content_filter"})
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
MAX_RETRY_AFTER = 600.0  # a server asking for longer than 10 minutes gets 10 minutes


def is_local(base_url: str) -> bool:
    """Whether the server runs on this machine (then an API key is optional)."""
    host = (urlparse(base_url).hostname or "").lower()
    return host in LOCAL_HOSTS or host.startswith("127.")


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class OpenAIBackend:
    """Greedy (temperature 0) chat completions from an OpenAI-compatible server."""

    name = "openai"

    def __init__(self, model: str, base_url: str | None = None, api_key_env: str = "OPENAI_API_KEY",
                 concurrency: int = 8, max_new_tokens: int = 256, timeout: float = 60.0, max_retries: int = 5,
                 temperature: float = 0.0, backoff_base: float = 1.0, backoff_max: float = 60.0,
                 seed: int | None = None):
        try:
            import openai
        except ImportError:
            raise VLGuardError("the openai backend needs the openai SDK: pip install 'vlguard[api]'") from None
        if not model:
            raise ConfigError("the openai backend needs a model name (--model)")
        if concurrency < 1 or max_retries < 0 or timeout <= 0:
            raise ConfigError(f"openai backend: concurrency {concurrency} must be >= 1, max_retries {max_retries} "
                              f">= 0 and timeout {timeout} > 0")
        self.model = model
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        if urlparse(self.base_url).scheme not in ("http", "https"):
            raise ConfigError(f"base URL {self.base_url!r} must start with http:// or https://")
        self.api_key_env = api_key_env
        self.concurrency = concurrency
        self.max_new_tokens = max_new_tokens
        self.timeout = timeout
        self.max_retries = max_retries
        self.temperature = temperature
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._rng = random.Random(seed)
        self._sleep: Callable[[float], None] = time.sleep  # tests substitute a recorder
        key = os.environ.get(api_key_env) or None
        if key is None and not is_local(self.base_url):
            raise ConfigError(f"no API key: set the environment variable {api_key_env} for {self.base_url} "
                              f"(or name another one with --api-key-env)")
        self.__key = key  # name-mangled and left out of repr: it must never reach a file or a log
        # A local server without a key gets no Authorization header at all: the SDK wants some key, and
        # sends none only when a request omits the header explicitly.
        self._omit_auth = None if key else {"Authorization": openai.Omit()}
        self._client = openai.OpenAI(api_key=key or "unused", base_url=self.base_url, timeout=timeout,
                                     max_retries=0)
        self._openai = openai

    def __repr__(self) -> str:
        return f"OpenAIBackend(model={self.model!r}, base_url={self.base_url!r}, api_key_env={self.api_key_env!r})"

    def close(self) -> None:
        self._client.close()

    def _mask(self, text: str) -> str:
        return text.replace(self.__key, "***") if self.__key else text

    # -- one request --------------------------------------------------------------------------------
    def complete_messages(self, messages: list[dict[str, Any]]) -> Completion:
        """One chat completion for ready-made messages, with retries; never raises for server trouble."""
        t0 = time.perf_counter()
        body = {"model": self.model, "messages": messages, "max_tokens": self.max_new_tokens,
                "temperature": self.temperature}
        last = "no attempt"
        for attempt in range(self.max_retries + 1):
            try:
                c = self._attempt(body)
                c.seconds = time.perf_counter() - t0
                return c
            except _Retryable as e:
                last = str(e)
                if attempt == self.max_retries:
                    break
                self._sleep(self._delay(attempt, e.retry_after))
        return Completion("", error=self._mask(f"api: gave up after {self.max_retries + 1} attempts: {last}"),
                          seconds=time.perf_counter() - t0)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        # Full exponential backoff with jitter in [50%, 100%], so parallel clients do not retry in lockstep;
        # a server's Retry-After is a floor, kept even above backoff_max since the server asked for it.
        backoff = min(self.backoff_max, self.backoff_base * 2 ** attempt) * (0.5 + 0.5 * self._rng.random())
        return max(backoff, min(retry_after or 0.0, MAX_RETRY_AFTER))

    def _attempt(self, body: dict[str, Any]) -> Completion:
        openai = self._openai
        try:
            r = self._client.chat.completions.with_raw_response.create(**body, extra_headers=self._omit_auth)
        except openai.APITimeoutError as e:
            raise _Retryable(f"timeout after {self.timeout}s ({type(e).__name__})") from None
        except openai.APIConnectionError as e:
            cause = e.__cause__ or e
            raise _Retryable(f"connection: {type(cause).__name__}: {cause}") from None
        except openai.APIStatusError as e:
            return self._status_error(e.response)
        try:
            data = json.loads(r.text)
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
            finish = choice.get("finish_reason")
            if not isinstance(text, str):
                raise TypeError(f"content is {type(text).__name__}")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as e:
            return Completion("", error=self._mask(f"api: malformed response ({type(e).__name__}: {e}): "
                                                   f"{r.text[:200]!r}"))
        prompt_tokens, completion_tokens = _usage(data)
        if finish == "content_filter":
            return Completion("", refused_by_api=True, prompt_tokens=prompt_tokens,
                              completion_tokens=completion_tokens)
        return Completion(text.strip(), prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)

    def _status_error(self, r: Any) -> Completion:
        """A non-2xx answer: raise what can pass (429, 408, 5xx); a content-policy block is a refusal."""
        if r.status_code == 429 or r.status_code >= 500 or r.status_code == 408:
            raise _Retryable(f"HTTP {r.status_code}: {_error_message(r)}", retry_after(r.headers))
        if r.status_code == 400 and _error_code(r) in CONTENT_POLICY_CODES:
            return Completion("", refused_by_api=True)
        return Completion("", error=self._mask(f"api: HTTP {r.status_code}: {_error_message(r)}"))

    # -- many samples -------------------------------------------------------------------------------
    def _one(self, sample: Sample) -> Completion:
        try:
            url = image_data_url(sample)
        except Exception as e:  # a missing or broken image fails this sample only
            return Completion("", error=f"image: {e}")
        return self.complete_messages(openai_messages(sample, url))

    def generate(self, samples: list[Sample], on_batch: Callable[[list[int], list[Completion]], None] | None = None
                 ) -> list[Completion]:
        """Completions in the order of `samples`. `on_batch(indices, completions)` is called on the calling
        thread with whatever finished together, as results arrive."""
        return self.map(self._one, samples, on_batch)

    def map(self, fn: Callable[[Any], Completion], items: list[Any],
            on_batch: Callable[[list[int], list[Completion]], None] | None = None) -> list[Completion]:
        """Run `fn` over `items` on at most `concurrency` threads; results in input order."""
        results: list[Completion | None] = [None] * len(items)
        # Submit lazily, keeping at most 2x concurrency queued, so an interrupt leaves little work behind.
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="openai")
        try:
            running: dict[Future, int] = {}
            nxt = 0
            while nxt < len(items) or running:
                while nxt < len(items) and len(running) < 2 * self.concurrency:
                    running[pool.submit(fn, items[nxt])] = nxt
                    nxt += 1
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                idx, comps = [], []
                for f in sorted(done, key=running.__getitem__):
                    i = running.pop(f)
                    try:
                        c = f.result()
                    except Exception as e:  # a bug in one sample's path must not cost the others
                        c = Completion("", error=self._mask(f"api: {type(e).__name__}: {e}"))
                    results[i] = c
                    idx.append(i)
                    comps.append(c)
                if on_batch:
                    on_batch(idx, comps)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return [r if r is not None else Completion("", error="not generated") for r in results]


def _usage(data: Any) -> tuple[int | None, int | None]:
    """(prompt_tokens, completion_tokens) from a response's `usage`; None for what is absent or not a count."""
    usage = data.get("usage") if isinstance(data, dict) else None
    if not isinstance(usage, dict):
        return None, None
    counts = [usage.get(k) for k in ("prompt_tokens", "completion_tokens")]
    return tuple(c if isinstance(c, int) and not isinstance(c, bool) and c >= 0 else None for c in counts)  # type: ignore[return-value]


def retry_after(headers: Any) -> float | None:
    """Seconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date); None when absent or bad."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_json(r: Any) -> dict[str, Any]:
    try:
        err = r.json().get("error")
    except (ValueError, AttributeError):
        return {}
    return err if isinstance(err, dict) else {}


def _error_code(r: Any) -> str | None:
    err = _error_json(r)
    code = err.get("code") or err.get("type")
    # Azure nests the reason: {"error": {"code": "content_filter", "innererror": {"code": ...}}}
    inner = err.get("innererror")
    if code not in CONTENT_POLICY_CODES and isinstance(inner, dict):
        code = inner.get("code") or code
    return code if isinstance(code, str) else None


def _error_message(r: Any) -> str:
    msg = _error_json(r).get("message")
    return str(msg)[:300] if msg else (r.text[:200] or r.reason_phrase)
