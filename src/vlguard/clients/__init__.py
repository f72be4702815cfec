"""Generation backends: a list of conversations in, a list of completions out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

from vlguard.errors import ConfigError
from vlguard.schema import Sample


@dataclass
class Completion:
    """One generated answer. `error` is set (and `text` empty) when this sample could not be generated;
    `refused_by_api` marks a provider's content-policy refusal. Token counts are what an API server reported
    (`usage`), None when it reported nothing or the backend runs locally."""

    text: str
    error: str | None = None
    seconds: float = 0.0
    refused_by_api: bool = False
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class Backend(Protocol):
    name: str

    def generate(self, samples: list[Sample]) -> list[Completion]: ...


def _hf(**kw: Any) -> Backend:
    from vlguard.clients.hf import HFBackend

    return HFBackend(**kw)


def _openai(**kw: Any) -> Backend:
    from vlguard.clients.openai_compat import OpenAIBackend

    return OpenAIBackend(**kw)


def _vllm(**kw: Any) -> Backend:
    from vlguard.clients.vllm_engine import VLLMBackend

    return VLLMBackend(**kw)


BACKENDS: dict[str, Callable[..., Backend]] = {"hf": _hf, "openai": _openai, "vllm": _vllm}


def make_backend(name: str, **kw: Any) -> Backend:
    if name not in BACKENDS:
        raise ConfigError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
    return BACKENDS[name](**kw)
