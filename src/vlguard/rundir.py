"""What a run directory records about itself, so that resuming never mixes two runs and --force starts clean.

    RUN_DIR/run.json   {"kind": "eval" | "train", "fingerprint": "<sha256>", "settings": {...}, ...}

`settings` are what determines a run's outputs (for eval: the model, backend, tasks and their files, the
limit, the token budget, ...; for train: the whole config but for how progress is shown). The fingerprint
is the hash of their canonical JSON. A resumed run must have the same fingerprint as the one it continues;
otherwise `check_resume` refuses with one line naming what differs. A run directory from before run.json
existed has no fingerprint and is resumed as it is. `claim` is the one check an eval or a training run makes
before it writes anything; every refusal there is a RunDirError.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Iterable

from vlguard.errors import DataError, RunDirError
from vlguard.fileio import check_parent, read_json_object, write_json

MANIFEST = "run.json"
# what a run of each kind is called in messages
RUN_NAMES = {"eval": "an eval run", "train": "a training run"}


def fingerprint(settings: dict[str, Any]) -> str:
    """The sha256 of `settings` as canonical JSON (sorted keys)."""
    text = json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_manifest(run_dir: str | os.PathLike) -> dict[str, Any] | None:
    """RUN_DIR/run.json, or None when the run has none; a malformed one raises DataError naming it."""
    path = Path(run_dir) / MANIFEST
    if not path.exists():
        return None
    data = read_json_object(path, "a run's manifest (an object)")
    if not isinstance(data.get("settings"), dict) or not isinstance(data.get("fingerprint"), str):
        raise DataError(f"{path}: not a run manifest (expected 'fingerprint' and 'settings')")
    return data


def write_manifest(run_dir: str | os.PathLike, kind: str, settings: dict[str, Any], **extra: Any) -> Path:
    """Write RUN_DIR/run.json for a run of `kind` with these settings (and any `extra` keys)."""
    path = Path(run_dir) / MANIFEST
    write_json(path, {"kind": kind, "fingerprint": fingerprint(settings), "settings": settings, **extra})
    return path


def differences(old: Any, new: Any, key: str = "") -> list[str]:
    """`key: old -> new` for each setting that differs, nested mappings by dotted key."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for k in sorted(set(old) | set(new), key=str):
            out += differences(old.get(k, "(unset)"), new.get(k, "(unset)"), f"{key}.{k}" if key else str(k))
        return out
    if old == new:
        return []
    return [f"{key or 'settings'}: {_brief(old)} -> {_brief(new)}"]


def _brief(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def check_resume(run_dir: str | os.PathLike, kind: str, settings: dict[str, Any]) -> None:
    """Refuse to resume a run directory that holds another run: another kind, or other settings."""
    old = read_manifest(run_dir)
    if old is None:
        return
    if old.get("kind") != kind:
        held = RUN_NAMES.get(str(old.get("kind")), f"a {old.get('kind')} run")
        raise RunDirError(f"{run_dir}: holds {held}, not {RUN_NAMES.get(kind, kind)}; choose another output folder")
    if old["fingerprint"] == fingerprint(settings):
        return
    diffs = differences(old["settings"], settings) or ["the settings' fingerprint"]
    more = f" (and {len(diffs) - 3} more)" if len(diffs) > 3 else ""
    raise RunDirError(f"{run_dir}: --resume continues only the same run, and this one differs: "
                      f"{'; '.join(diffs[:3])}{more}. Pass --force to start over, or choose another output folder")


def existing(run_dir: str | os.PathLike, names: Iterable[str]) -> list[str]:
    """Which of `names` (files or folders) exist in the run directory; an empty folder does not count."""
    run = Path(run_dir)
    found = []
    for name in names:
        p = run / name
        if p.is_dir() and not p.is_symlink():
            if any(p.iterdir()):
                found.append(name)
        elif p.exists() or p.is_symlink():
            found.append(name)
    return found


def clear(run_dir: str | os.PathLike, names: Iterable[str]) -> list[str]:
    """Remove `names` (files or folders) from the run directory, for --force; returns what was removed."""
    run = Path(run_dir)
    removed = []
    for name in names:
        p = run / name
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()
        else:
            continue
        removed.append(name)
    return removed


def claim(run_dir: str | os.PathLike, kind: str, settings: dict[str, Any], outputs: Iterable[str],
          resume: bool = False, force: bool = False) -> Path:
    """Whether `run_dir` may take this run of `kind`, before anything is written: it is (or can become) a
    folder, and holds none of `outputs` from an earlier run unless resuming that same run (same fingerprint)
    or with `force` (the run's first write then `clear`s them). Writes nothing; refuses with RunDirError."""
    if resume and force:
        raise RunDirError("give --resume (continue the run) or --force (start it over), not both")
    out = Path(run_dir)
    try:
        check_parent(out)
    except DataError as e:  # a file above it: the folder cannot be made
        raise RunDirError(str(e)) from None
    if out.exists() and not out.is_dir():
        raise RunDirError(f"{out}: is a file; an output folder is needed here")
    if resume:
        try:
            check_resume(out, kind, settings)
        except DataError as e:  # its run.json cannot be read: nothing says which run it holds
            raise RunDirError(str(e)) from None
    elif not force:
        found = existing(out, outputs)
        if found:
            raise RunDirError(f"{out}: already holds {RUN_NAMES.get(kind, kind)} ({', '.join(found)}); pass --resume "
                              f"to continue it, --force to start over, or choose another output folder")
    return out
