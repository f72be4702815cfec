"""Token and cost accounting for calls to a paid API.

Counts are what the server reported in each response's `usage`; a response without it is counted as
`unreported`, so a total is never silently low. Prices are the user's, in US dollars per million tokens
(input and output priced separately, as providers bill them): vlguard ships no price list, since prices
change and differ by provider and contract. Without prices the cost is unknown, never zero.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Usage:
    """Calls and tokens; `unreported` counts answers whose server gave no token counts."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    unreported: int = 0

    def add(self, completion: Any) -> None:
        """Count one answered call (a `Completion`); failed transport attempts are not billed and not counted."""
        self.calls += 1
        p, c = getattr(completion, "prompt_tokens", None), getattr(completion, "completion_tokens", None)
        if p is None and c is None:
            self.unreported += 1
        self.prompt_tokens += p or 0
        self.completion_tokens += c or 0

    def merge(self, other: "Usage | dict[str, int]") -> None:
        o = other if isinstance(other, Usage) else Usage(**other)
        self.calls += o.calls
        self.prompt_tokens += o.prompt_tokens
        self.completion_tokens += o.completion_tokens
        self.unreported += o.unreported

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    def cost(self, price_input: float | None, price_output: float | None) -> float | None:
        """US dollars at these prices per million tokens; None when a price is missing."""
        if price_input is None or price_output is None:
            return None
        return (self.prompt_tokens * price_input + self.completion_tokens * price_output) / 1e6

    def describe(self, price_input: float | None = None, price_output: float | None = None) -> str:
        """One line: calls, tokens in and out, and the cost (or how to get it)."""
        text = (f"{self.calls} call(s), {self.prompt_tokens:,} input + {self.completion_tokens:,} output tokens")
        if self.unreported:
            text += f" ({self.unreported} call(s) reported no token counts, so the totals are low)"
        cost = self.cost(price_input, price_output)
        if cost is not None:
            text += f", ${cost:,.4f} at ${price_input}/${price_output} per 1M input/output tokens"
        elif self.calls:
            text += ", cost unknown (give --price-input and --price-output in $ per 1M tokens)"
        return text


class CountingBackend:
    """Wraps an API backend and adds each answered call to a shared Usage (thread-safe).

    Judges that call an API count their own calls with it (`judge.usage`)."""

    def __init__(self, inner: Any, usage: Usage):
        self.inner = inner
        self.usage = usage
        self._lock = threading.Lock()
        self.name = getattr(inner, "name", "counted")
        self.model = getattr(inner, "model", None)

    def complete_messages(self, messages: list[dict[str, Any]]) -> Any:
        c = self.inner.complete_messages(messages)
        if not c.error:
            with self._lock:
                self.usage.add(c)
        return c

    def map(self, fn: Any, items: list[Any], on_batch: Any = None) -> list[Any]:
        return self.inner.map(fn, items, on_batch)

    def close(self) -> None:
        if hasattr(self.inner, "close"):
            self.inner.close()
