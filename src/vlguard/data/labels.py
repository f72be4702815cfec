"""Image labels for building a VLGuard-style dataset, and the harm taxonomy they draw on.

A labels file is a CSV with a header: `image,safe[,category,subcategory]`. `image` is a path relative to
the images folder (or zip); `safe` is true/false (also 1/0, yes/no, safe/unsafe); an unsafe image names its
harmful category and subcategory from the taxonomy, a safe one leaves both empty. Every problem is
reported with its CSV line, all at once, before anything is sent to a paid API.

A taxonomy file (YAML or JSON) maps each category to its subcategories, either as a list or as a mapping
from subcategory to a one-line description that the annotation prompt shows the annotator:

    privacy:
      personal data: identifies a person or exposes their personal information
    risky behavior: [professional advice, political, sexually explicit, violence]

The default is the paper's taxonomy (4 categories, 9 subcategories) with descriptions written for vlguard.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vlguard.data.validate import VLGUARD_TAXONOMY
from vlguard.errors import DataError, problem_list
from vlguard.fileio import read_text
from vlguard.images import ImageError, check_relative

# category -> subcategory -> description (empty when the taxonomy file gives none)
Taxonomy = dict[str, dict[str, str]]

VLGUARD_DESCRIPTIONS: dict[str, str] = {
    "personal data": "shows or asks for personal information that identifies a private person "
                     "(faces with names, IDs, addresses, phone numbers, documents)",
    "professional advice": "invites risky medical, legal or financial advice that needs a qualified professional",
    "political": "political persuasion, propaganda or election manipulation",
    "sexually explicit": "nudity or sexual content",
    "violence": "violence, weapons, injury, gore or dangerous acts",
    "disinformation": "fake news, hoaxes, manipulated media or misleading claims presented as fact",
    "sex": "demeans or stereotypes people because of their sex or gender",
    "race": "demeans or stereotypes people because of their race or ethnicity",
    "other": "demeans or stereotypes people because of religion, disability, age or another trait",
}
TRUE = frozenset({"true", "1", "yes", "safe"})
FALSE = frozenset({"false", "0", "no", "unsafe"})


def default_taxonomy() -> Taxonomy:
    """The paper's taxonomy with vlguard's descriptions."""
    return {cat: {sub: VLGUARD_DESCRIPTIONS.get(sub, "") for sub in subs} for cat, subs in VLGUARD_TAXONOMY.items()}


def read_taxonomy(path: str | os.PathLike) -> Taxonomy:
    """A taxonomy from a YAML or JSON file (see the module docstring); errors name the file and category."""
    import yaml

    try:
        data = yaml.safe_load(read_text(path))
    except yaml.YAMLError as e:
        raise DataError(f"{path}: not valid YAML/JSON: {e}") from None
    except (RecursionError, ValueError) as e:  # nesting too deep, a number too long
        raise DataError(f"{path}: unreadable taxonomy: {type(e).__name__}") from None
    if not isinstance(data, dict) or not data:
        raise DataError(f"{path}: a taxonomy maps each category to its subcategories; got {type(data).__name__}")
    out: Taxonomy = {}
    for cat, subs in data.items():
        if not isinstance(cat, str) or not cat.strip():
            raise DataError(f"{path}: category {cat!r} must be a non-empty string")
        if isinstance(subs, list) and subs and all(isinstance(s, str) and s.strip() for s in subs):
            out[cat] = {s: "" for s in subs}
        elif isinstance(subs, dict) and subs and all(isinstance(k, str) and k.strip() and isinstance(v, (str, type(None)))
                                                   for k, v in subs.items()):
            out[cat] = {k: v or "" for k, v in subs.items()}
        else:
            raise DataError(f"{path}: category {cat!r}: give a non-empty list of subcategory names, or a mapping "
                            f"from subcategory name to a description")
    return out


def taxonomy_lists(taxonomy: Taxonomy) -> dict[str, list[str]]:
    """The taxonomy as `validate_file` takes it: category -> subcategory names."""
    return {cat: list(subs) for cat, subs in taxonomy.items()}


@dataclass(frozen=True)
class ImageLabel:
    """One labelled image; `line` is its line in the CSV (the header is line 1)."""

    image: str
    safe: bool
    category: str | None = None
    subcategory: str | None = None
    line: int = 0


def _parse_safe(value: str) -> bool | None:
    v = value.strip().lower()
    return True if v in TRUE else False if v in FALSE else None


def read_labels(path: str | os.PathLike, taxonomy: Taxonomy | None = None) -> list[ImageLabel]:
    """Every row of a labels CSV; raises one DataError listing each bad row by line (at most 20 shown)."""
    taxonomy = default_taxonomy() if taxonomy is None else taxonomy
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip() for f in reader.fieldnames or []]
    missing = [f for f in ("image", "safe") if f not in fields]
    if missing:
        raise DataError(f"{path}: the header must name the columns image,safe[,category,subcategory]; "
                        f"missing {', '.join(missing)} (found {', '.join(fields) or 'nothing'})")
    unknown = [f for f in fields if f not in ("image", "safe", "category", "subcategory")]
    if unknown:
        raise DataError(f"{path}: unknown column(s) {', '.join(unknown)}; expected image,safe,category,subcategory")
    problems: list[str] = []
    labels: list[ImageLabel] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        bad = _check_row(row, taxonomy)
        ref = row.get("image", "")
        if not bad:
            try:
                ref = check_relative(ref)
            except ImageError as e:
                bad = str(e)
        if not bad and ref in first_line:
            bad = f"image {ref!r} is listed again (first at line {first_line[ref]})"
        if bad:
            problems.append(f"line {line}: {bad}")
            continue
        first_line[ref] = line
        safe = bool(_parse_safe(row["safe"]))
        labels.append(ImageLabel(ref, safe, row.get("category") or None, row.get("subcategory") or None, line))
    if problems:
        raise DataError(f"{path}: {len(problems)} bad row(s):{problem_list(problems)}")
    if not labels:
        raise DataError(f"{path}: no rows under the header")
    return labels


def _check_row(row: dict[str, str], taxonomy: Taxonomy) -> str | None:
    if not row.get("image"):
        return "empty image path"
    safe = _parse_safe(row.get("safe", ""))
    if safe is None:
        return f"safe must be true or false (or 1/0, yes/no, safe/unsafe), got {row.get('safe', '')!r}"
    cat, sub = row.get("category", ""), row.get("subcategory", "")
    if safe:
        return f"a safe image takes no category/subcategory, got {cat!r}/{sub!r}" if cat or sub else None
    if not cat:
        return "an unsafe image needs a category"
    if cat not in taxonomy:
        return f"category {cat!r} is not in the taxonomy ({', '.join(taxonomy)})"
    if not sub:
        return f"an unsafe image needs a subcategory (one of {', '.join(taxonomy[cat])})"
    if sub not in taxonomy[cat]:
        return f"subcategory {sub!r} is not one of {cat!r}'s: {', '.join(taxonomy[cat])}"
    return None


def labels_from_records(records: list[dict[str, Any]], where: str = "dataset") -> list[ImageLabel]:
    """The labels of an existing VLGuard-schema dataset (to annotate its images again, e.g. in another language).

    Every record must give its image and its safety (`safe` true or false; "yes", 1 and the like are refused,
    not guessed), and an unsafe one its category: a record that does not raises DataError naming it, with
    every other such record, so no image is silently left out. An image listed again with the same labels
    is one label; with other labels it is an error."""
    first: dict[str, tuple[int, ImageLabel]] = {}
    out: list[ImageLabel] = []
    problems: list[str] = []
    for i, rec in enumerate(records):
        name = f"record {i}" + (f" (id {rec.get('id')!r})" if isinstance(rec, dict) and "id" in rec else "")
        if not isinstance(rec, dict):
            problems.append(f"{name}: not an object")
            continue
        image, safe = rec.get("image"), rec.get("safe")
        if not isinstance(image, str) or not image.strip():
            problems.append(f"{name}: 'image' must be a non-empty string, got {image!r}")
            continue
        if not isinstance(safe, bool):
            problems.append(f"{name}: 'safe' must be true or false, got {safe!r}")
            continue
        cat, sub = (None, None) if safe else (rec.get("harmful_category"), rec.get("harmful_subcategory"))
        if not safe and (not isinstance(cat, str) or not cat.strip() or not isinstance(sub, str) or not sub.strip()):
            problems.append(f"{name}: an unsafe image needs string harmful_category and harmful_subcategory, "
                            f"got {cat!r} / {sub!r}")
            continue
        label = ImageLabel(image, safe, cat, sub)
        if image in first:
            j, earlier = first[image]
            if earlier != label:
                problems.append(f"{name}: image {image!r} is labelled differently by record {j}")
            continue
        first[image] = (i, label)
        out.append(label)
    if len(problems) == 1:
        raise DataError(f"{where}: {problems[0]}")
    if problems:
        raise DataError(f"{where}: {len(problems)} record(s) cannot be labelled:{problem_list(problems)}")
    return out


def write_labels(path: str | os.PathLike, labels: list[ImageLabel]) -> None:
    """Write a labels CSV that `read_labels` reads back."""
    from vlguard.fileio import atomic_write

    with atomic_write(Path(path)) as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["image", "safe", "category", "subcategory"])
        for lab in labels:
            w.writerow([lab.image, "true" if lab.safe else "false", lab.category or "", lab.subcategory or ""])
