"""Tests on real engines (vLLM's CPU build), run by `make test-engines` in the venv it builds.

In the main venv vLLM is not installed (it pins an older transformers), so these tests skip there with that
reason; under `make test-engines` (VLGUARD_ENGINE_TESTS=1) a missing vLLM is an error instead. Start-up
times and tokens/s are collected in `bench` and printed at the end of the session.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

ENGINE_RUN = os.environ.get("VLGUARD_ENGINE_TESTS") == "1"
# vLLM's engine talks to its own processes over the machine's first address unless told otherwise: loopback only
os.environ.setdefault("VLLM_HOST_IP", "127.0.0.1")
HAS_VLLM = importlib.util.find_spec("vllm") is not None
BENCH: list[dict] = []


def pytest_collection_modifyitems(config, items):
    # a mark, not a fixture: it is decided before any session fixture trains a model for nothing
    if HAS_VLLM:
        return
    if ENGINE_RUN:
        raise pytest.UsageError("vllm is not importable in this venv: rebuild it with `make test-engines`")
    here = os.path.dirname(__file__)
    skip = pytest.mark.skip(reason="needs vLLM, which has a venv of its own: run `make test-engines`")
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def bench() -> list[dict]:
    """Rows of {engine, model, startup_s, answers, tokens, seconds}; printed at the end."""
    return BENCH


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    from tests.support.tiny_runs import synth_world

    return synth_world(tmp_path_factory.mktemp("engines") / "world")


@pytest.fixture(scope="session")
def trained(world, tmp_path_factory):
    """A tiny LLaVA of the default size `s`, trained briefly in this venv (so it stops where it should)."""
    from tests.support.tiny_runs import train_tiny

    return train_tiny(world, tmp_path_factory.mktemp("trained") / "model")


def pytest_terminal_summary(terminalreporter):
    if not BENCH:
        return
    w = terminalreporter
    w.section("engines: start-up and generation speed (greedy, float32, this machine's 2 CPU cores)")
    w.line(f"{'engine':<28} {'model':<24} {'start-up s':>10} {'answers':>8} {'tokens':>7} {'gen s':>7} {'tokens/s':>9}")
    for r in BENCH:
        tps = r["tokens"] / r["seconds"] if r["seconds"] else 0.0
        w.line(f"{r['engine']:<28} {r['model']:<24} {r['startup_s']:>10.1f} {r['answers']:>8} {r['tokens']:>7} "
               f"{r['seconds']:>7.1f} {tps:>9.1f}")
