"""The generation record: one model answer to one task sample, as `generations.jsonl` holds it.

Records are keyed by (task, id). They are written once per generated sample and read back for judging,
so judging can be redone without generating again. `exchange()` is what a judge reads of a record.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from vlguard.errors import DataError
from vlguard.judges import Exchange
from vlguard.schema import Sample

# The JSON type each field must have when a record is read back (a list where a label belongs, say, is refused).
_TYPES: dict[str, tuple[type, ...]] = {
    "prompt": (str,), "output": (str,), "messages": (list, type(None)), "image": (str, type(None)),
    "image_root": (str, type(None)), "error": (str, type(None)), "refused_by_api": (bool,),
    "seconds": (int, float), "reference": (str, type(None)), "labels": (dict, type(None)),
    "model": (str, type(None)), "backend": (str, type(None))}
_BOOL_LABELS = ("image_safe", "instruction_safe", "should_refuse")
_KIND_NAMES = {str: "a string", list: "a list", dict: "an object", bool: "true/false", int: "a number",
               float: "a number"}


@dataclass
class GenerationRecord:
    id: str
    task: str
    prompt: str
    output: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    image: str | None = None
    image_root: str | None = None
    error: str | None = None  # set (and output empty) when this sample could not be generated
    refused_by_api: bool = False  # a provider's content-policy block
    seconds: float = 0.0
    reference: str | None = None
    labels: dict[str, Any] = field(default_factory=dict)
    model: str | None = None
    backend: str | None = None

    @classmethod
    def from_sample(cls, task: str, s: Sample, completion: Any, model: str, backend: str) -> "GenerationRecord":
        """The record of `completion` (a `vlguard.clients.Completion`) for sample `s` of `task`."""
        return cls(id=s.id, task=task, prompt=s.prompt,
                   messages=[{"role": t.role, "content": t.content} for t in s.prompt_messages],
                   image=s.image, image_root=s.image_root, output=completion.text, error=completion.error,
                   refused_by_api=completion.refused_by_api, seconds=round(completion.seconds, 4),
                   reference=s.reference, labels=asdict(s.labels), model=model, backend=backend)

    @classmethod
    def from_dict(cls, d: Any, where: str = "generations.jsonl") -> "GenerationRecord":
        """A record from its JSON object; a malformed one raises DataError naming `where` and the id."""
        if not isinstance(d, dict):
            raise DataError(f"{where}: a record is a {type(d).__name__}, expected an object")
        for key in ("id", "task"):
            if not isinstance(d.get(key), str) or not d[key]:
                raise DataError(f"{where}: a record has no {key!r} string: {str(d)[:80]}")
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in d.items() if k in known}
        data.setdefault("prompt", "")
        data.setdefault("output", "")
        name = f"{where}: record {d['task']}/{d['id']}"
        for key, kinds in _TYPES.items():
            if key in data and not isinstance(data[key], kinds) or isinstance(data.get(key), bool) and bool not in kinds:
                want = " or ".join("null" if k is type(None) else _KIND_NAMES.get(k, k.__name__) for k in kinds)
                raise DataError(f"{name}: {key!r} must be {want}, got {type(data[key]).__name__}")
        data["labels"] = data.get("labels") or {}
        for key, value in data["labels"].items():
            kinds = (bool, type(None)) if key in _BOOL_LABELS else (str, int, float, type(None))
            if not isinstance(value, kinds) or (isinstance(value, bool) and key not in _BOOL_LABELS):
                raise DataError(f"{name}: label {key!r} must be {'true/false/null' if key in _BOOL_LABELS else 'a string or null'}, "
                                f"got {type(value).__name__}")
        data["messages"] = data.get("messages") or []
        if not all(isinstance(m, dict) for m in data["messages"]):
            raise DataError(f"{name}: 'messages' must be a list of objects")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def key(self) -> tuple[str, str]:
        return self.task, self.id

    def exchange(self) -> Exchange:
        """What a judge reads of this record."""
        return Exchange(id=self.id, prompt=self.prompt, output=self.output, messages=self.messages,
                        image=self.image, image_root=self.image_root, reference=self.reference)
