"""Converting VLGuard-schema data to training formats: LLaVA JSON, ShareGPT (LLaMA-Factory), chat messages (TRL).

The conversation of each record follows the paper's convert_to_llava_format.py (see `training_samples`): a safe
image's two instruction-response pairs become one two-turn conversation in seeded random order, an unsafe
image's one pair one turn, the image in the first user turn. With seed 0 the order matches the paper's file.

A ShareGPT export is also registered in `dataset_info.json` beside it, the file LLaMA-Factory reads its
datasets from (`formatting: sharegpt`, the messages/images columns and the role/content tags of OpenAI-style
messages; without the tags LLaMA-Factory looks for `from`/`value` and stops with `KeyError: 'from'`).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable

from vlguard.data.formats import sample_to_llava, sample_to_messages, sample_to_sharegpt
from vlguard.data.vlguard import training_samples
from vlguard.errors import DataError, OutputExistsError
from vlguard.fileio import check_output, read_json_object, write_json, write_jsonl
from vlguard.schema import Sample

FORMATS = ("llava", "sharegpt", "messages")
WRITERS: dict[str, Callable[[Sample], dict[str, Any]]] = {
    "llava": sample_to_llava,
    "sharegpt": sample_to_sharegpt,
    "messages": sample_to_messages,
}


def _writer(to: str) -> Callable[[Sample], dict[str, Any]]:
    if to not in WRITERS:
        raise DataError(f"unknown output format {to!r}; choose one of {', '.join(FORMATS)}")
    return WRITERS[to]


def _prefixed(sample: Sample, image_root: str | os.PathLike | None) -> Sample:
    if image_root is None or sample.image is None:
        return sample
    return replace(sample, image=(Path(image_root) / sample.image).as_posix())


def write_samples(
    samples: Iterable[Sample],
    to: str,
    out: str | os.PathLike,
    image_root: str | os.PathLike | None = None,
    force: bool = False,
) -> int:
    """Write samples in training format `to`; returns the number of rows written.

    A `.jsonl` output gets one row a line, anything else one JSON list (what LLaVA needs). Image paths are
    written as in the samples, or joined onto `image_root` when given. Ids must be unique.
    """
    write_row = _writer(to)
    out_path = check_output(out, force)
    samples = list(samples)
    seen: set[str] = set()
    for s in samples:
        if s.id in seen:
            raise DataError(f"duplicate sample id {s.id!r}; training rows need unique ids")
        seen.add(s.id)
    rows = [write_row(_prefixed(s, image_root)) for s in samples]
    if out_path.suffix == ".jsonl":
        write_jsonl(out_path, rows)
    else:
        write_json(out_path, rows)
    return len(rows)


def convert_file(
    path: str | os.PathLike,
    to: str,
    out: str | os.PathLike,
    seed: int = 0,
    image_root: str | os.PathLike | None = None,
    force: bool = False,
) -> int:
    """Convert a VLGuard-schema file to training format `to` (llava, sharegpt, messages); returns the row count.

    One row per record, ids made unique (a repeated record id gets `~2`, ...). Refuses to overwrite `out`
    unless `force`; the file is written atomically.
    """
    _writer(to)
    check_output(out, force)
    if to == "sharegpt":
        check_dataset_info(out, force)
    samples = training_samples(path, seed=seed)
    n = write_samples(samples, to, out, image_root=image_root, force=force)
    if to == "sharegpt":
        write_dataset_info(out, force)
    return n


DATASET_INFO = "dataset_info.json"


def llamafactory_entry(out: str | os.PathLike) -> dict[str, Any]:
    """The `dataset_info.json` entry LLaMA-Factory needs for a ShareGPT export at `out`."""
    return {
        "file_name": Path(out).name,
        "formatting": "sharegpt",
        "columns": {"messages": "messages", "images": "images"},
        "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant",
                 "system_tag": "system"},
    }


def _dataset_info(out: str | os.PathLike) -> tuple[Path, dict[str, Any], str]:
    path = Path(out).parent / DATASET_INFO
    info = read_json_object(path, f"{DATASET_INFO} to hold a JSON object") if path.is_file() else {}
    return path, info, Path(out).stem


def check_dataset_info(out: str | os.PathLike, force: bool = False) -> None:
    """Refuse, before anything is written, to replace another dataset's entry of the same name."""
    path, info, name = _dataset_info(out)
    if name in info and info[name] != llamafactory_entry(out) and not force:
        raise OutputExistsError(f"{path}: already has a different dataset {name!r} (use --force to replace it)")


def write_dataset_info(out: str | os.PathLike, force: bool = False) -> Path:
    """Add (or replace) the entry of the export `out`, named by its file stem, keeping the other entries."""
    check_dataset_info(out, force)
    path, info, name = _dataset_info(out)
    info[name] = llamafactory_entry(out)
    write_json(path, info)
    return path


def llamafactory_note(out: str | os.PathLike, image_root: str | os.PathLike | None) -> str:
    """How to train on a ShareGPT export with LLaMA-Factory (where it looks for the images)."""
    out = Path(out)
    where = ("the image paths are absolute or relative to the working directory" if image_root is not None and
             Path(image_root).is_absolute() else
             "LLaMA-Factory resolves relative image paths against media_dir (default: dataset_dir): set media_dir "
             "to the folder they are relative to, or convert with an absolute --image-root")
    return (f"registered as {out.stem!r} in {out.parent / DATASET_INFO}: train with dataset: {out.stem} and "
            f"dataset_dir: {out.parent}; {where}")
