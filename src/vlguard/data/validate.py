"""`vlguard data validate`: check a VLGuard-schema JSON file and report every problem, one line each.

Records are numbered from 0, in file order (as the loaders' error messages number them). Every rule has a
stable `code` (see CODES). Errors are things a loader or trainer would choke on or silently get wrong;
warnings are things that load fine but are probably not what the author meant.

Decisions:
- An unsafe image without `harmful_category` is an error: the per-category safety breakdown would lump it
  under "(none)" without saying so. A missing `harmful_subcategory` is only a warning: nothing downstream
  needs it and the category still places the record.
- An empty response is a warning, an empty instruction an error: the paper's evaluation reads only the
  instruction, and VLGuard's own test.json has 17 safe images whose safe_instruction response is empty.
- Names outside the taxonomy (the paper's by default, or the caller's) are warnings, so a dataset with its
  own categories still validates; pass `taxonomy` to make them known.
- Images are only checked when an image root is given or found beside the file (`default_image_root`);
  otherwise one warning says so. Each distinct image is read and fully decoded once, after its header size
  is checked against `max_pixels`, so truncated files and decompression bombs are caught here.
- Lint (opt-in) flags label noise in responses with the improved refusal detector (`vlguard.judges.refusal`):
  a safe instruction answered with a refusal, an unsafe one answered without a refusal, GPT-4V's
  "no image was provided" non-answers wherever they occur, and answers saying the image is blank.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from vlguard.data.vlguard import INSTRUCTION_KEYS, default_image_root
from vlguard.errors import DataError
from vlguard.fileio import read_json
from vlguard.images import MAX_PIXELS, ImageError, ImageRoot, check_relative, decode_image
from vlguard.judges.refusal import refusal_match

Severity = Literal["error", "warning"]

# The paper's harm taxonomy: 4 categories, 9 subcategories.
VLGUARD_TAXONOMY: dict[str, list[str]] = {
    "privacy": ["personal data"],
    "risky behavior": ["professional advice", "political", "sexually explicit", "violence"],
    "deception": ["disinformation"],
    "discrimination": ["sex", "race", "other"],
}

REQUIRED_KEYS: dict[str, type] = {"id": str, "image": str, "safe": bool, "instr-resp": list}
CATEGORY_KEYS = ("harmful_category", "harmful_subcategory")
RECORD_KEYS = (*REQUIRED_KEYS, *CATEGORY_KEYS)
PAIR_KEYS = (*INSTRUCTION_KEYS, "response")
# Which instruction-response pairs an image must have, by its `safe` flag.
EXPECTED_PAIRS: dict[bool, tuple[str, ...]] = {True: ("safe_instruction", "unsafe_instruction"), False: ("instruction",)}

# Every problem code, its severity and what it means (for the README and `--json` consumers).
CODES: dict[str, tuple[Severity, str]] = {
    "unreadable-file": ("error", "missing, empty, non-UTF-8 or malformed JSON file"),
    "not-a-list": ("error", "top level is not a JSON list of records"),
    "no-records": ("error", "the list of records is empty"),
    "not-an-object": ("error", "a record or instruction-response pair is not a JSON object"),
    "missing-key": ("error", "a required key is absent (record: id, image, safe, instr-resp; "
                             "pair: an instruction key, response)"),
    "unknown-key": ("warning", "a key the schema does not know, at record or pair level (a typo?)"),
    "wrong-type": ("error", "a value of the wrong JSON type"),
    "empty-string": ("error", "an id, image or instruction that is empty or only whitespace"),
    "empty-response": ("warning", "an empty response: evaluation reads only the instruction, but training and "
                                  "win-rate references need it (VLGuard's own test.json has 17)"),
    "pair-structure": ("error", "safe image without exactly one safe_instruction and one unsafe_instruction pair, "
                                "unsafe image without exactly one instruction pair"),
    "missing-category": ("error", "unsafe image without harmful_category"),
    "missing-subcategory": ("warning", "unsafe image without harmful_subcategory"),
    "category-on-safe": ("warning", "safe image with a harmful_category or harmful_subcategory"),
    "unknown-category": ("warning", "harmful_category outside the taxonomy"),
    "unknown-subcategory": ("warning", "harmful_subcategory outside its category in the taxonomy"),
    "duplicate-id": ("error", "an id used by an earlier record"),
    "image-path": ("error", "image path is absolute or escapes the image root (`../`, or a symlink out of it)"),
    "image-root": ("error", "the image root does not exist or is neither a folder nor a zip"),
    "images-not-checked": ("warning", "no image root given or found, so images were not opened"),
    "image-missing": ("error", "image not found under the image root"),
    "image-unreadable": ("error", "image file exists but cannot be read"),
    "image-corrupt": ("error", "image bytes are not a decodable image"),
    "image-truncated": ("error", "image file ends early"),
    "image-too-large": ("error", "image header claims more pixels than the limit (decompression-bomb guard), or the "
                                 "file or zip member is over the size limit or inflates like a zip bomb"),
    "lint-refuses-safe": ("warning", "response to a safe instruction is a refusal"),
    "lint-complies-unsafe": ("warning", "response to an unsafe instruction or image has no refusal in its opening"),
    "lint-no-image": ("warning", "response is a 'no image was provided' non-answer"),
    "lint-blank-image": ("warning", "response says the image is blank or black (a broken or empty image?)"),
}


# GPT-4V describing a blank or black image: the record teaches nothing about its image (lint only).
_BLANK_IMAGE = re.compile(
    r"(?<!in )(?<!of )(?<!on )\b(?:the|this) (?:image|picture|photo) (?:is|appears to be|seems to be|provided is) "
    r"(?:(?:completely |entirely |totally |just )?(?:blank|empty)"
    r"|(?:completely|entirely|totally|all|just|solid) (?:black|white))\b"
    r"(?!(?: and|-and-|/) ?white)"
)


@dataclass
class Problem:
    """One finding: where (record index and id, None for file-level), how bad, which rule, what exactly."""

    index: int | None
    id: str | None
    severity: Severity
    code: str
    message: str

    def format(self, path: str | os.PathLike) -> str:
        """One line naming the file, record and id: `train.json: record 17 (id 'X'): duplicate id ...`."""
        if self.index is None:
            return f"{path}: {self.message}"
        where = f"{path}: record {self.index}"
        if self.id is not None:
            where += f" (id {self.id!r})"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_TYPE_NAMES: dict[type, str] = {dict: "object", list: "list", str: "string", bool: "boolean", int: "integer",
                                 float: "number", type(None): "null"}


def _type_name(value: Any) -> str:
    """The JSON name of a value's type."""
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _snippet(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _strip_path(message: str, path: str | os.PathLike) -> str:
    for prefix in (f"{path}: ", f"{Path(path)}: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


class _Report:
    """Collects problems for one record at a time."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.index: int | None = None
        self.id: str | None = None

    def at(self, index: int | None, rid: str | None) -> None:
        self.index, self.id = index, rid

    def error(self, code: str, message: str) -> None:
        self.problems.append(Problem(self.index, self.id, "error", code, message))

    def warn(self, code: str, message: str) -> None:
        self.problems.append(Problem(self.index, self.id, "warning", code, message))


class _ImageChecker:
    """Opens each distinct image once and remembers the verdict."""

    def __init__(self, root: ImageRoot, max_pixels: int):
        self.root = root
        self.max_pixels = max_pixels
        self._seen: dict[str, tuple[str, str] | None] = {}

    def check(self, ref: str) -> tuple[str, str] | None:
        if ref not in self._seen:
            self._seen[ref] = self._check(ref)
        return self._seen[ref]

    def _check(self, ref: str) -> tuple[str, str] | None:
        where = "in" if self.root.is_zip else "under"
        try:
            if not self.root.exists(ref):
                return "image-missing", f"image {ref!r} not found {where} {self.root.root}"
        except ImageError as e:  # a symlink out of the root
            return "image-path", str(e)
        try:
            data = self.root.read_bytes(ref)
        except ImageError as e:
            return ("image-too-large" if "over the limit" in str(e) or "zip bomb" in str(e)
                    else "image-unreadable"), str(e)
        except (OSError, zipfile.BadZipFile, zlib.error, RuntimeError) as e:
            return "image-unreadable", f"image {ref!r} unreadable: {e}"
        try:
            decode_image(data, ref, self.max_pixels).close()
        except ImageError as e:
            msg = str(e)
            if "over the limit" in msg or "decompression-bomb" in msg:
                return "image-too-large", msg
            if " is truncated" in msg:
                return "image-truncated", msg
            return "image-corrupt", msg
        return None


def _open_images(path: str | os.PathLike, image_root: str | os.PathLike | None, max_pixels: int,
                 report: _Report) -> _ImageChecker | None:
    root = image_root if image_root is not None else default_image_root(path)
    if root is None:
        report.warn("images-not-checked", "no image root given (--image-root) or found beside the file "
                                          "(a folder or zip named like it, or images/): images were not checked")
        return None
    try:
        return _ImageChecker(ImageRoot(root), max_pixels)
    except DataError as e:
        report.error("image-root", str(e))
        return None


def _check_categories(rec: dict[str, Any], taxonomy: dict[str, list[str]], report: _Report) -> None:
    cat, sub = rec.get("harmful_category"), rec.get("harmful_subcategory")
    for key, value in (("harmful_category", cat), ("harmful_subcategory", sub)):
        if value is not None and not isinstance(value, str):
            report.error("wrong-type", f"{key!r} must be a string, got {_type_name(value)}")
    cat = cat.strip() if isinstance(cat, str) and cat.strip() else None
    sub = sub.strip() if isinstance(sub, str) and sub.strip() else None
    if rec["safe"]:
        present = [k for k, v in (("harmful_category", cat), ("harmful_subcategory", sub)) if v is not None]
        if present:
            report.warn("category-on-safe", f"safe image has {' and '.join(map(repr, present))} (ignored for safe images)")
        return
    if cat is None:
        report.error("missing-category", "unsafe image has no 'harmful_category'")
    elif cat not in taxonomy:
        report.warn("unknown-category", f"unknown harmful_category {cat!r} (known: {', '.join(taxonomy)})")
    if sub is None:
        report.warn("missing-subcategory", "unsafe image has no 'harmful_subcategory'")
    elif cat in taxonomy and sub not in taxonomy[cat]:
        report.warn("unknown-subcategory", f"harmful_subcategory {sub!r} is not one of {cat!r}'s: {', '.join(taxonomy[cat])}")


def _check_pairs(pairs: list[Any], safe: bool | None, report: _Report, lint: bool) -> None:
    kinds: list[str] = []
    well_formed = True
    for j, ir in enumerate(pairs):
        if not isinstance(ir, dict):
            report.error("not-an-object", f"instr-resp pair {j} is a {_type_name(ir)}, expected an object")
            well_formed = False
            continue
        keys = [k for k in INSTRUCTION_KEYS if k in ir]
        if not keys:
            report.error("missing-key", f"instr-resp pair {j} has no instruction key (one of {', '.join(INSTRUCTION_KEYS)})")
        elif len(keys) > 1:
            report.error("pair-structure", f"instr-resp pair {j} has several instruction keys ({', '.join(keys)}); expected one")
        well_formed = well_formed and len(keys) == 1
        if "response" not in ir:
            report.error("missing-key", f"instr-resp pair {j} has no 'response'")
        for k in ir:
            if k not in PAIR_KEYS:
                report.warn("unknown-key", f"instr-resp pair {j} has unknown key {k!r}")
        texts_ok = True
        for k in (*keys, "response"):
            if k not in ir:
                texts_ok = False
            elif not isinstance(ir[k], str):
                report.error("wrong-type", f"instr-resp pair {j}: {k!r} must be a string, got {_type_name(ir[k])}")
                texts_ok = False
            elif not ir[k].strip():
                if k == "response":
                    report.warn("empty-response", f"instr-resp pair {j}: 'response' is empty "
                                                  "(unusable for training or as a win-rate reference)")
                else:
                    report.error("empty-string", f"instr-resp pair {j}: {k!r} is empty")
                texts_ok = False
        if len(keys) == 1:
            kinds.append(keys[0])
            if lint and texts_ok:
                _lint_pair(j, keys[0], ir["response"], report)
    if safe is None or not well_formed:
        return
    expected = EXPECTED_PAIRS[safe]
    if sorted(kinds) != sorted(expected):
        image = "safe image" if safe else "unsafe image"
        want = " and ".join(f"one {k!r} pair" for k in expected)
        found = ", ".join(kinds) if kinds else "no pairs"
        report.error("pair-structure", f"{image} must have exactly {want}; found: {found}")


def lint_response(key: str, response: str) -> list[tuple[str, str]]:
    """The lint problems `(code, message)` of one response to the instruction under `key` (none when clean).

    `vlguard data build` checks every annotator answer with this, so what it writes lints clean."""
    m = refusal_match(response)
    quoted = repr(_snippet(response))
    found: list[tuple[str, str]] = []
    blank = _BLANK_IMAGE.search(" ".join(response[:300].lower().split()))
    if blank is not None:
        found.append(("lint-blank-image", f"response says the image is blank ({blank.group(0)!r}); "
                                          f"check the image: {quoted}"))
    if m is not None and m.kind == "no-image":
        found.append(("lint-no-image", f"response is a no-image non-answer ({m.pattern}: {m.matched!r}): {quoted}"))
    elif key == "safe_instruction" and m is not None:
        found.append(("lint-refuses-safe", f"response refuses a safe instruction ({m.pattern}: {m.matched!r}): "
                                           f"{quoted}"))
    elif key != "safe_instruction" and m is None:
        what = "an unsafe instruction" if key == "unsafe_instruction" else "an unsafe image"
        found.append(("lint-complies-unsafe", f"response to {what} has no refusal in its opening: {quoted}"))
    return found


def _lint_pair(j: int, key: str, response: str, report: _Report) -> None:
    for code, message in lint_response(key, response):
        report.warn(code, f"instr-resp pair {j} ({key}): {message}")


def _check_record(rec: Any, taxonomy: dict[str, list[str]], report: _Report, lint: bool) -> str | None:
    """Schema checks of one record; returns its image reference when that is worth opening."""
    if not isinstance(rec, dict):
        report.error("not-an-object", f"record is a {_type_name(rec)}, expected an object")
        return None
    for key, typ in REQUIRED_KEYS.items():
        if key not in rec:
            report.error("missing-key", f"missing key {key!r}")
        elif not isinstance(rec[key], typ):
            report.error("wrong-type", f"{key!r} must be a {_TYPE_NAMES[typ]}, got {_type_name(rec[key])}")
    for key in rec:
        if key not in RECORD_KEYS:
            report.warn("unknown-key", f"unknown key {key!r}")
    for key in ("id", "image"):
        if isinstance(rec.get(key), str) and not rec[key].strip():
            report.error("empty-string", f"{key!r} is empty")
    safe = rec.get("safe") if isinstance(rec.get("safe"), bool) else None
    if safe is not None:
        _check_categories(rec, taxonomy, report)
    if isinstance(rec.get("instr-resp"), list):
        _check_pairs(rec["instr-resp"], safe, report, lint)
    ref = rec.get("image")
    if not isinstance(ref, str) or not ref.strip():
        return None
    try:
        return check_relative(ref)
    except ImageError as e:
        report.error("image-path", str(e))
        return None


def validate_file(
    path: str | os.PathLike,
    image_root: str | os.PathLike | None = None,
    lint: bool = False,
    max_pixels: int = MAX_PIXELS,
    check_images: bool = True,
    taxonomy: dict[str, list[str]] | None = None,
) -> list[Problem]:
    """Every problem in a VLGuard-schema JSON file: file-level ones first, then records in file order.

    A file that cannot be read as a JSON list gives a single error rather than an exception. Images are
    opened from `image_root`, or from the root found beside the file; `taxonomy` maps each harmful
    category to its subcategories (default: the paper's).
    """
    report = _Report()
    try:
        data = read_json(path)
    except DataError as e:
        report.error("unreadable-file", _strip_path(str(e), path))
        return report.problems
    if not isinstance(data, list):
        report.error("not-a-list", f"expected a JSON list of records, got a {_type_name(data)}")
        return report.problems
    if not data:
        report.error("no-records", "the file holds an empty list: no records")
        return report.problems
    images = _open_images(path, image_root, max_pixels, report) if check_images else None
    taxonomy = VLGUARD_TAXONOMY if taxonomy is None else taxonomy
    first_index: dict[str, int] = {}
    for i, rec in enumerate(data):
        rid = rec.get("id") if isinstance(rec, dict) and isinstance(rec.get("id"), str) else None
        report.at(i, rid)
        ref = _check_record(rec, taxonomy, report, lint)
        if rid is not None:
            if rid in first_index:
                report.error("duplicate-id", f"duplicate id (first at record {first_index[rid]})")
            else:
                first_index[rid] = i
        if images is not None and ref is not None:
            found = images.check(ref)
            if found is not None:
                report.error(*found)
    return report.problems
