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
        if not isinstance(data.get("labels") or {}, dict):
            raise DataError(f"{where}: record {d['task']}/{d['id']}: 'labels' must be an object")
        data["labels"] = data.get("labels") or {}
        data["messages"] = data.get("messages") or []
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
