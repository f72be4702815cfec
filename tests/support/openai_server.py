"""A real local HTTP server that speaks the OpenAI chat-completions protocol, with scripted behaviours.

Tests use it to exercise API clients over real sockets (retries, timeouts, concurrency, headers) without
reaching the network:

    with FakeOpenAIServer([RateLimited(retry_after=0.05), Reply("hello")]) as server:
        OpenAIBackend("m", base_url=server.base_url).generate(samples)
    server.requests[0].headers["authorization"]      # what the client sent

The script is either a list of behaviours served in arrival order (then `default` for every later
request), or a callable `script(request) -> behaviour` that sees each parsed `ReceivedRequest`; a plain
string is a `Reply`. A callable can answer anything, e.g. run a tiny model on `request.text`.

Behaviours: `Reply` (text, finish reason), `HTTPError` (any status; `RateLimited` = 429 with Retry-After,
`ServerError` = 500, `ContentPolicy` = the 400 that providers send for a content-policy block), `Slow`
(answers only after a delay, so a client with a shorter timeout gives up), `Malformed` (a 200 whose body is
not valid JSON) and `Hold` (waits until N requests are in flight at once, which shows a concurrency bound
without any timing assumption).

The server binds 127.0.0.1 only, on a free port, in a daemon thread, and stops when the `with` block exits
(sleeping behaviours wake up at once). It never logs: request headers, including Authorization, are only
kept in memory on `requests`.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Union


@dataclass(frozen=True)
class Reply:
    """A 200 chat completion with this text. `usage` replaces the reported token counts (a dict, or False to
    leave `usage` out of the response as some servers do)."""

    text: str
    finish_reason: str = "stop"
    usage: dict[str, int] | bool | None = None


@dataclass(frozen=True)
class HTTPError:
    """An error status with an OpenAI-style error body; `retry_after` (seconds) sets the Retry-After header."""

    status: int
    message: str = "error"
    code: str | None = None
    type: str = "server_error"
    retry_after: float | str | None = None


def RateLimited(retry_after: float | str | None = None) -> HTTPError:  # noqa: N802 (reads like a behaviour)
    return HTTPError(429, "Rate limit reached", code="rate_limit_exceeded", type="requests", retry_after=retry_after)


def ServerError(status: int = 500) -> HTTPError:  # noqa: N802
    return HTTPError(status, "The server had an error while processing your request")


def ContentPolicy(code: str = "content_policy_violation") -> HTTPError:  # noqa: N802
    return HTTPError(400, "Your request was rejected as a result of our safety system.", code=code,
                     type="invalid_request_error")


@dataclass(frozen=True)
class Slow:
    """Wait `seconds` before answering with `then`."""

    seconds: float
    then: Reply = Reply("late answer")


@dataclass(frozen=True)
class Malformed:
    """A response whose body is not valid JSON."""

    body: bytes = b'{"choices": [{"message": '
    status: int = 200


@dataclass(frozen=True)
class Hold:
    """Wait until `in_flight` requests (this one included) are being served at once, then `linger` seconds
    more (so any request beyond the count is seen too), then answer `then`.

    Gives up after `max_wait` seconds so a client that never reaches the count cannot hang a test."""

    in_flight: int
    then: Reply = Reply("held answer")
    max_wait: float = 5.0
    linger: float = 0.0


Behaviour = Union[Reply, HTTPError, Slow, Malformed, Hold, str]


@dataclass
class ReceivedRequest:
    """One request as the server saw it; header names are lower-case."""

    n: int
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or None when the body was not JSON
    raw: bytes = field(repr=False, default=b"")

    @property
    def model(self) -> str | None:
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or []) if isinstance(self.body, dict) else []

    @property
    def text(self) -> str:
        """The text of the last user message (its text parts joined by newlines)."""
        for m in reversed(self.messages):
            if m.get("role") == "user":
                return _content_text(m.get("content"))
        return ""

    @property
    def image_urls(self) -> list[str]:
        """Every `image_url` URL in the messages, in order."""
        out = []
        for m in self.messages:
            content = m.get("content")
            if isinstance(content, list):
                out += [p["image_url"]["url"] for p in content
                        if isinstance(p, dict) and p.get("type") == "image_url"]
        return out


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


Script = Union[list, Callable[[ReceivedRequest], Behaviour], None]


class FakeOpenAIServer:
    """A scripted OpenAI-compatible server on 127.0.0.1 (see the module docstring)."""

    def __init__(self, script: Script = None, default: Behaviour = Reply("ok")):
        self.script = script
        self.default = default
        self.requests: list[ReceivedRequest] = []
        self.script_errors: list[str] = []  # exceptions raised by a callable script (answered as 500)
        self.in_flight = 0
        self.max_in_flight = 0
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> "FakeOpenAIServer":
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-openai-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "FakeOpenAIServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server is not running")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """What an OpenAI client takes as its base URL (requests go to `{base_url}/chat/completions`)."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def chat_requests(self) -> list[ReceivedRequest]:
        with self._cond:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # -- serving ----------------------------------------------------------------------------------
    def _record(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> ReceivedRequest:
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self._cond:
            req = ReceivedRequest(len(self.requests), method, path, headers, body, raw)
            self.requests.append(req)
        return req

    def _choose(self, req: ReceivedRequest) -> Behaviour:
        if callable(self.script):
            try:
                return self.script(req)
            except Exception as e:  # surfaced to the test through script_errors, and as a 500
                with self._cond:
                    self.script_errors.append(f"{type(e).__name__}: {e}")
                return HTTPError(500, f"script failed: {type(e).__name__}")
        if isinstance(self.script, list):
            n = sum(1 for r in self.chat_requests if r.n < req.n)
            return self.script[n] if n < len(self.script) else self.default
        return self.default

    def _enter(self) -> None:
        with self._cond:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._cond.notify_all()

    def _leave(self) -> None:
        with self._cond:
            self.in_flight -= 1
            self._cond.notify_all()

    def _hold(self, n: int, max_wait: float) -> None:
        deadline = time.monotonic() + max_wait
        with self._cond:
            while self.in_flight < n and not self._stop.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)


IMAGE_TOKENS = 85  # what OpenAI bills a low-detail image; the fake counts every image at this price


def fake_usage(req: "ReceivedRequest | None", text: str) -> dict[str, int]:
    """Token counts a fake server reports: one token per word, IMAGE_TOKENS per image."""
    prompt = 0
    if req is not None:
        prompt = sum(len(_content_text(m.get("content")).split()) for m in req.messages) + \
            IMAGE_TOKENS * len(req.image_urls)
    completion = len(text.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def completion_body(text: str, model: str | None, finish_reason: str = "stop", n: int = 0,
                    usage: dict[str, int] | None = None) -> dict[str, Any]:
    """A chat-completion response body as OpenAI sends it (`usage` left out when None)."""
    body: dict[str, Any] = {
        "id": f"chatcmpl-fake-{n}", "object": "chat.completion", "created": int(time.time()),
        "model": model or "fake",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}],
    }
    if usage is not None:
        body["usage"] = usage
    return body


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAIServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - never log (headers hold keys)
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout): nothing to do
            pass

    def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj).encode(), headers)

    def do_GET(self) -> None:  # noqa: N802
        self.fake._record("GET", self.path, {k.lower(): v for k, v in self.headers.items()}, b"")
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
        else:
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})

    def do_POST(self) -> None:  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        req = self.fake._record("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, raw)
        if not self.path.endswith("/chat/completions"):
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
            return
        if not isinstance(req.body, dict):
            self._json(400, {"error": {"message": "request body is not a JSON object",
                                       "type": "invalid_request_error"}})
            return
        self.fake._enter()
        try:
            self._serve(req, self.fake._choose(req))
        finally:
            self.fake._leave()

    def _serve(self, req: ReceivedRequest, b: Behaviour) -> None:
        if isinstance(b, str):
            b = Reply(b)
        if isinstance(b, Hold):
            self.fake._hold(b.in_flight, b.max_wait)
            if b.linger and self.fake._stop.wait(b.linger):
                return
            b = b.then
        if isinstance(b, Slow):
            if self.fake._stop.wait(b.seconds):
                return
            b = b.then
        if isinstance(b, Reply):
            usage = fake_usage(req, b.text) if b.usage is None or b.usage is True else (b.usage or None)
            self._json(200, completion_body(b.text, req.model, b.finish_reason, req.n, usage))
        elif isinstance(b, HTTPError):
            headers = {"Retry-After": str(b.retry_after)} if b.retry_after is not None else None
            self._json(b.status, {"error": {"message": b.message, "type": b.type, "param": None, "code": b.code}},
                       headers)
        elif isinstance(b, Malformed):
            self._send(b.status, b.body)
        else:
            self._json(500, {"error": {"message": f"unknown behaviour {b!r}", "type": "server_error"}})
