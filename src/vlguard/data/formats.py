"""Training data formats to and from `Sample`: LLaVA JSON, ShareGPT (LLaMA-Factory), chat messages (TRL), Alpaca.

Every reader takes a `.json` file holding a list of rows or a `.jsonl` file with one row a line, and raises
`DataError` naming the file and the row (index and id) for a malformed row. One image per row is supported; it
belongs to the first user turn. Image paths are kept as written; with `image_root` they must be relative to it.
"""

from __future__ import annotations

import os
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any, Callable, cast

from vlguard.errors import DataError
from vlguard.fileio import iter_jsonl, read_json
from vlguard.images import check_relative
from vlguard.schema import Labels, Role, Sample, Turn, unique_ids

IMAGE_TOKEN = "<image>"
# Not `labels`: TRL's SFTTrainer takes a dataset column named `labels` as token labels.
LABELS_KEY = "safety_labels"

_LLAVA_ROLES = {"human": "user", "gpt": "assistant", "system": "system"}
_LLAVA_SPEAKERS = {v: k for k, v in _LLAVA_ROLES.items()}
_SHAREGPT_ROLES = {"user": "user", "human": "user", "assistant": "assistant", "gpt": "assistant", "system": "system"}
_MESSAGE_ROLES = ("system", "user", "assistant")
_LABEL_FIELDS = {f.name for f in fields(Labels)}

# What a row parser returns: (id or None, turns, image path or None, labels or None).
Parsed = tuple[str | None, list[Turn], str | None, Labels | None]


# ---------------------------------------------------------------- writers


def _check_no_token(sample: Sample) -> None:
    # Trainers expand a literal <image> in the text into image tokens; one in the data would break the count.
    for t in sample.messages:
        if IMAGE_TOKEN in t.content:
            raise DataError(f"sample {sample.id}: text contains the {IMAGE_TOKEN} token, which trainers read as an image")


def _image_turn(sample: Sample) -> int | None:
    """Index of the turn that carries the image: the first user turn, or None without an image."""
    if sample.image is None:
        return None
    return next(i for i, t in enumerate(sample.messages) if t.role == "user")


def sample_to_llava(sample: Sample) -> dict[str, Any]:
    """A LLaVA training row: `{id, image?, conversations: [{from: human|gpt|system, value}]}`."""
    _check_no_token(sample)
    at = _image_turn(sample)
    conv = [
        {"from": _LLAVA_SPEAKERS[t.role], "value": f"{IMAGE_TOKEN}\n{t.content}" if i == at else t.content}
        for i, t in enumerate(sample.messages)
    ]
    row: dict[str, Any] = {"id": sample.id}
    if sample.image is not None:
        row["image"] = sample.image
    row["conversations"] = conv
    return row


def sample_to_sharegpt(sample: Sample) -> dict[str, Any]:
    """A ShareGPT row as LLaMA-Factory reads it: `{id, messages: [{role, content}], images: [path]}`.

    The `<image>` placeholder opens the first user turn, as in LLaMA-Factory's own multimodal demo data.
    Register the file with `"formatting": "sharegpt"`, columns messages/images and tags role/content/user/assistant.
    """
    _check_no_token(sample)
    at = _image_turn(sample)
    msgs = [
        {"role": t.role, "content": f"{IMAGE_TOKEN}{t.content}" if i == at else t.content}
        for i, t in enumerate(sample.messages)
    ]
    row: dict[str, Any] = {"id": sample.id, "messages": msgs}
    if sample.image is not None:
        row["images"] = [sample.image]
    return row


def sample_to_messages(sample: Sample) -> dict[str, Any]:
    """A chat-messages row as TRL's SFTTrainer reads it for vision models.

    Every content is a list of parts (also for text-only rows, so a mixed JSONL has one Arrow schema); an
    `{"type": "image"}` placeholder opens the first user turn and `images` holds its path. `id` and, when any
    label is known, `safety_labels` ride along; trainers drop such extra columns.
    """
    _check_no_token(sample)
    at = _image_turn(sample)
    msgs = []
    for i, t in enumerate(sample.messages):
        parts: list[dict[str, Any]] = [{"type": "image"}] if i == at else []
        parts.append({"type": "text", "text": t.content})
        msgs.append({"role": t.role, "content": parts})
    row: dict[str, Any] = {"id": sample.id, "messages": msgs}
    if sample.image is not None:
        row["images"] = [sample.image]
    if sample.labels != Labels():
        row[LABELS_KEY] = asdict(sample.labels)
    return row


# ---------------------------------------------------------------- shared reading


def read_rows(path: Path) -> list[tuple[str, Any]]:
    """`(where, row)` for each row of a JSON list or a JSONL file; `where` is `row N` or `line N`."""
    if path.suffix == ".jsonl":
        return [(f"line {n}", obj) for n, obj in iter_jsonl(path)]
    data = read_json(path)
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a JSON list of rows, got {type(data).__name__}")
    return [(f"row {i}", obj) for i, obj in enumerate(data)]


def _row_label(path: Path, where: str, row: dict[str, Any]) -> str:
    rid = row.get("id")
    return f"{path}: {where}" + (f" (id {rid!r})" if rid is not None else "")


def parse_row(path: Path, where: str, row: Any, parse: Callable[[dict[str, Any]], Parsed]) -> Parsed:
    """Parse one row read from `path` and check that it holds a conversation with a user turn; any problem is a
    DataError naming the file, the row (`where`) and its id."""
    if not isinstance(row, dict):
        raise DataError(f"{path}: {where} is a {type(row).__name__}, expected an object")
    try:
        parsed = parse(row)
        turns = parsed[1]
        if not turns:
            raise DataError("conversation is empty")
        if not any(t.role == "user" for t in turns):
            raise DataError("conversation has no user turn")
    except DataError as e:
        raise DataError(f"{_row_label(path, where, row)}: {e}") from None
    return parsed


def _read(
    path: str | os.PathLike,
    fmt: str,
    parse: Callable[[dict[str, Any]], Parsed],
    image_root: str | os.PathLike | None,
) -> list[Sample]:
    """Parse every row, wrapping any problem in a DataError that names the file, row and id."""
    p = Path(path)
    if image_root is None:  # as for VLGuard files: a folder (or zip) named like the file, beside it
        from vlguard.data.vlguard import default_image_root

        image_root = default_image_root(p)
    root = str(image_root) if image_root is not None else None
    source = f"{fmt}:{p.stem}"
    parsed: list[tuple[str, Sample]] = []
    for i, (where, row) in enumerate(read_rows(p)):
        row_id, turns, image, labels = parse_row(p, where, row, parse)
        try:
            if image is not None:
                image = check_relative(image) if root is not None else _check_path(image)
            last = turns[-1]
            sample = Sample(
                id=row_id if row_id is not None else f"{p.stem}-{i}",
                messages=tuple(turns),
                image=image,
                image_root=root if image is not None else None,
                reference=last.content if last.role == "assistant" else None,
                labels=labels if labels is not None else Labels(source=source),
            )
        except DataError as e:
            raise DataError(f"{_row_label(p, where, row)}: {e}") from None
        parsed.append((where, sample))
    ids = unique_ids([s.id for _, s in parsed])
    return [s if s.id == new else replace(s, id=new) for (_, s), new in zip(parsed, ids)]


def _check_path(ref: Any) -> str:
    if not isinstance(ref, str) or not ref.strip():
        raise DataError(f"image path must be a non-empty string, got {ref!r}")
    return ref


def _need(row: dict[str, Any], key: str, typ: type, where: str = "") -> Any:
    if key not in row:
        raise DataError(f"{where}missing key {key!r}")
    if not isinstance(row[key], typ):
        raise DataError(f"{where}{key!r} must be {typ.__name__}, got {type(row[key]).__name__}")
    return row[key]


def _row_id(row: dict[str, Any]) -> str | None:
    rid = row.get("id")
    if rid is None:
        return None
    if isinstance(rid, bool) or not isinstance(rid, (str, int)) or rid == "":
        raise DataError(f"'id' must be a non-empty string or an integer, got {rid!r}")
    return str(rid)


def _one_image(value: Any, key: str) -> str | None:
    """A row's image: None, a path, or a list of at most one path."""
    if value is None:
        return None
    if isinstance(value, list):
        if len(value) > 1:
            raise DataError(f"{key!r} holds {len(value)} images; one image per row is supported")
        return _check_path(value[0]) if value else None
    return _check_path(value)


def _strip_image_token(text: str) -> str:
    """Remove one `<image>` token and the newline that joins it to the text."""
    for pattern in (f"{IMAGE_TOKEN}\n", f"\n{IMAGE_TOKEN}", IMAGE_TOKEN):
        if pattern in text:
            return text.replace(pattern, "", 1)
    return text


def _token_turns(turns: list[tuple[str, str]], image: str | None) -> list[Turn]:
    """Turns from (role, text) pairs whose text may hold the `<image>` token; checks it against the image."""
    count = 0
    out = []
    for j, (role, text) in enumerate(turns):
        n = text.count(IMAGE_TOKEN)
        if n:
            if role != "user":
                raise DataError(f"turn {j} ({role}) holds the {IMAGE_TOKEN} token; only user turns may")
            count += n
            text = _strip_image_token(text)
        out.append(Turn(cast(Role, role), text))  # roles are checked where the turns are read
    if count and image is None:
        raise DataError(f"{IMAGE_TOKEN} token but no image path")
    if count > 1:
        raise DataError(f"{IMAGE_TOKEN} token appears {count} times; one image per row is supported")
    return out


# ---------------------------------------------------------------- readers


def parse_llava_row(row: dict[str, Any]) -> Parsed:
    """`(id, turns, image, labels)` of one LLaVA row; raises DataError saying what is wrong with it."""
    conv = _need(row, "conversations", list)
    image = _one_image(row.get("image"), "image")
    pairs = []
    for j, t in enumerate(conv):
        where = f"conversations[{j}]: "
        if not isinstance(t, dict):
            raise DataError(f"{where}is a {type(t).__name__}, expected an object")
        speaker = _need(t, "from", str, where)
        if speaker not in _LLAVA_ROLES:
            raise DataError(f"{where}unknown speaker {speaker!r}; expected human, gpt or system")
        pairs.append((_LLAVA_ROLES[speaker], _need(t, "value", str, where)))
    return _row_id(row), _token_turns(pairs, image), image, None


def read_llava(path: str | os.PathLike, image_root: str | os.PathLike | None = None) -> list[Sample]:
    """Read LLaVA training data (`{id, image?, conversations}` rows); the `<image>` token is stripped."""
    return _read(path, "llava", parse_llava_row, image_root)


def _parse_sharegpt(row: dict[str, Any]) -> Parsed:
    key = "messages" if "messages" in row else "conversations"
    msgs = _need(row, key, list)
    image = _one_image(row.get("images"), "images")
    pairs = []
    if row.get("system") is not None:
        pairs.append(("system", _need(row, "system", str)))
    for j, m in enumerate(msgs):
        where = f"{key}[{j}]: "
        if not isinstance(m, dict):
            raise DataError(f"{where}is a {type(m).__name__}, expected an object")
        role_key, content_key = ("role", "content") if "role" in m else ("from", "value")
        role = _need(m, role_key, str, where)
        if role not in _SHAREGPT_ROLES:
            raise DataError(f"{where}unsupported role {role!r}; expected one of {', '.join(_SHAREGPT_ROLES)}")
        pairs.append((_SHAREGPT_ROLES[role], _need(m, content_key, str, where)))
    return _row_id(row), _token_turns(pairs, image), image, None


def read_sharegpt(path: str | os.PathLike, image_root: str | os.PathLike | None = None) -> list[Sample]:
    """Read ShareGPT data: LLaMA-Factory's `{messages: [{role, content}], images}` or `{conversations: [{from, value}]}`."""
    return _read(path, "sharegpt", _parse_sharegpt, image_root)


def _content_text(content: Any, role: str, where: str) -> tuple[str, int, str | None]:
    """(text, number of image parts, path carried by an image part) of one message's content."""
    if isinstance(content, str):
        return content, 0, None
    if not isinstance(content, list):
        raise DataError(f"{where}'content' must be a string or a list of parts, got {type(content).__name__}")
    texts, n_images, path = [], 0, None
    for k, part in enumerate(content):
        if not isinstance(part, dict) or part.get("type") not in ("text", "image"):
            raise DataError(f"{where}content[{k}] must be a text or image part, got {part!r:.80}")
        if part["type"] == "text":
            texts.append(_need(part, "text", str, f"{where}content[{k}]: "))
            continue
        if role != "user":
            raise DataError(f"{where}image part in a {role} turn; only user turns may hold the image")
        n_images += 1
        carried = part.get("image") or part.get("path")
        if carried is not None:
            path = _check_path(carried)
    return "\n".join(texts), n_images, path


def _parse_labels(value: Any) -> Labels:
    if not isinstance(value, dict):
        raise DataError(f"{LABELS_KEY!r} must be an object, got {type(value).__name__}")
    unknown = sorted(set(value) - _LABEL_FIELDS)
    if unknown:
        raise DataError(f"{LABELS_KEY!r} has unknown key(s) {', '.join(unknown)}")
    return Labels(**value)


def _parse_messages(row: dict[str, Any]) -> Parsed:
    msgs = _need(row, "messages", list)
    image = _one_image(row["images"] if row.get("images") is not None else row.get("image"), "images")
    turns, n_images, first_user = [], 0, None
    for j, m in enumerate(msgs):
        where = f"messages[{j}]: "
        if not isinstance(m, dict):
            raise DataError(f"{where}is a {type(m).__name__}, expected an object")
        role = _need(m, "role", str, where)
        if role not in _MESSAGE_ROLES:
            raise DataError(f"{where}unsupported role {role!r}; expected one of {', '.join(_MESSAGE_ROLES)}")
        if "content" not in m:
            raise DataError(f"{where}missing key 'content'")
        text, n, carried = _content_text(m["content"], role, where)
        if carried is not None:
            if image is not None and carried != image:
                raise DataError(f"{where}image part names {carried!r} but 'images' names {image!r}")
            image = carried
        n_images += n
        if role == "user" and first_user is None:
            first_user = j
        turns.append(Turn(role, text))
    # TRL places the images of a row without placeholders before the first user turn; more than one is ambiguous.
    if n_images and image is None:
        raise DataError("image placeholder but no image path")
    if n_images > 1:
        raise DataError(f"{n_images} image placeholders; one image per row is supported")
    raw = row.get(LABELS_KEY)
    if raw is None and isinstance(row.get("labels"), dict):
        raw = row["labels"]
    labels = _parse_labels(raw) if raw is not None else None
    return _row_id(row), turns, image, labels


def read_messages_jsonl(path: str | os.PathLike, image_root: str | os.PathLike | None = None) -> list[Sample]:
    """Read chat-messages rows (`{messages: [{role, content}], images}`); content is a string or a list of parts.

    `id` and `safety_labels` (or a `labels` object) are read back when present.
    """
    return _read(path, "messages", _parse_messages, image_root)


def _parse_alpaca(row: dict[str, Any]) -> Parsed:
    instruction = _need(row, "instruction", str)
    output = _need(row, "output", str)
    extra = row.get("input") or ""
    if not isinstance(extra, str):
        raise DataError(f"'input' must be str, got {type(extra).__name__}")
    turns = []
    if row.get("system"):
        turns.append(Turn("system", _need(row, "system", str)))
    for j, h in enumerate(row.get("history") or []):
        if not (isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h)):
            raise DataError(f"history[{j}] must be a [instruction, response] pair of strings")
        turns += [Turn("user", h[0]), Turn("assistant", h[1])]
    prompt = f"{instruction}\n\n{extra}" if extra else instruction
    turns += [Turn("user", prompt), Turn("assistant", output)]
    return _row_id(row), turns, None, None


def read_alpaca(path: str | os.PathLike, image_root: str | os.PathLike | None = None) -> list[Sample]:
    """Read Alpaca rows (`instruction`, `input`, `output`, optional `system`/`history`) as text-only samples.

    A non-empty `input` follows the instruction after a blank line; rows without an id get `<file stem>-<index>`.
    """
    return _read(path, "alpaca", _parse_alpaca, image_root)


def _read_vlguard(path: str | os.PathLike, image_root: str | os.PathLike | None = None, seed: int = 0) -> list[Sample]:
    from vlguard.data.vlguard import training_samples

    return training_samples(path, image_root=image_root, seed=seed)


READERS: dict[str, Callable[..., list[Sample]]] = {
    "vlguard": _read_vlguard,
    "llava": read_llava,
    "sharegpt": read_sharegpt,
    "messages": read_messages_jsonl,
    "alpaca": read_alpaca,
}


def read_training_source(
    path: str | os.PathLike, fmt: str, image_root: str | os.PathLike | None = None, seed: int = 0
) -> list[Sample]:
    """Read a training file in format `fmt` (vlguard, llava, sharegpt, messages, alpaca) as samples.

    `seed` orders a safe VLGuard image's two turns and is ignored by the other formats.
    """
    if fmt not in READERS:
        raise DataError(f"unknown training data format {fmt!r}; choose one of {', '.join(READERS)}")
    if fmt == "vlguard":
        return _read_vlguard(path, image_root=image_root, seed=seed)
    return READERS[fmt](path, image_root=image_root)
