"""Real OpenAI-compatible servers for tests: `transformers serve` and vLLM's API server, on 127.0.0.1.

`RealServer` starts one as a child process on a free loopback port, waits (boundedly) until its health
endpoint answers, and always stops it: the `with` block's exit, or `stop()` from a fixture finalizer, ends
the whole process group (terminate, then kill after a grace period). The server's output goes to a log
file whose tail is quoted when it fails to start. Offline: the hub is never asked (HF_HUB_OFFLINE=1) and
transformers' CLI makes no update check.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def transformers_serve_cmd(model: str, port: int, python: str = sys.executable) -> list[str]:
    """`transformers serve` (the `serving` extra) preloading `model` in float32 on the CPU."""
    cli = Path(python).with_name("transformers")
    return [str(cli), "serve", str(model), "--host", "127.0.0.1", "--port", str(port), "--device", "cpu",
            "--dtype", "float32", "--log-level", "warning"]


def vllm_serve_cmd(model: str, port: int, python: str = sys.executable, max_model_len: int = 1024) -> list[str]:
    """vLLM's OpenAI server as the CPU build runs it (its `vllm` console script is missing: python -m)."""
    return [python, "-m", "vllm.entrypoints.openai.api_server", "--model", str(model), "--host", "127.0.0.1",
            "--port", str(port), "--dtype", "float32", "--enforce-eager", "--max-model-len", str(max_model_len),
            "--seed", "0", "--disable-log-stats"]


class RealServer:
    """A server process; `base_url` ends in /v1 and `model` is the name requests must carry."""

    def __init__(self, cmd: list[str], port: int, model: str, startup_timeout: float = 180.0,
                 env: dict[str, str] | None = None):
        self.cmd, self.port, self.model = cmd, port, str(model)
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self.startup_timeout = startup_timeout
        self.env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_UPDATE_CHECK": "1",
                    "OMP_WAIT_POLICY": "PASSIVE", **(env or {})}
        self.log_path = Path(tempfile.mkstemp(prefix="vlguard-server-", suffix=".log")[1])
        self.proc: subprocess.Popen | None = None
        self.startup_seconds: float | None = None

    def start(self) -> "RealServer":
        """Start it and wait until /health answers 200; RuntimeError (with the log's tail) otherwise."""
        t0 = time.perf_counter()
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = t0 + self.startup_timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                self._fail(f"exited with status {self.proc.returncode} before it was ready")
            if self._healthy():
                self.startup_seconds = time.perf_counter() - t0
                return self
            time.sleep(0.5)
        self._fail(f"not ready after {self.startup_timeout:.0f} s")
        return self  # unreachable

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def _fail(self, why: str) -> None:
        self.stop()
        raise RuntimeError(f"{' '.join(self.cmd[:3])}: {why}; last output:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, grace: float = 15.0) -> None:
        """End the server's whole process group (vLLM starts an engine process of its own)."""
        if self.proc is None:
            return
        # The group outlives its leader when a child lingers, so it is signalled even after the leader exited.
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            deadline = time.perf_counter() + (grace if sig == signal.SIGTERM else 10.0)
            while time.perf_counter() < deadline and _group_alive(self.proc):
                time.sleep(0.2)
            if not _group_alive(self.proc):
                break
        if self.proc.poll() is None:
            self.proc.wait(timeout=10)

    def __enter__(self) -> "RealServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _group_alive(proc: subprocess.Popen) -> bool:
    proc.poll()  # reap the leader if it has exited, so it no longer counts
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
