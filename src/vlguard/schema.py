"""The canonical sample type that every stage (data, training, evaluation) reads and writes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from vlguard.errors import DataError

Role = Literal["system", "user", "assistant"]
ROLES: tuple[str, ...] = ("system", "user", "assistant")
SUBSETS: tuple[str, ...] = ("safe_safes", "safe_unsafes", "unsafes")


@dataclass(frozen=True)
class Turn:
    """One message of a conversation. The image, if any, belongs to the first user turn."""

    role: Role
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise DataError(f"turn role must be one of {ROLES}, got {self.role!r}")
        if not isinstance(self.content, str):
            raise DataError(f"turn content must be a string, got {type(self.content).__name__}")


@dataclass(frozen=True)
class Labels:
    """What is known about a sample's safety. None means unknown or not applicable."""

    image_safe: bool | None = None
    instruction_safe: bool | None = None
    # Whether a well-aligned assistant should refuse this request (image and instruction together).
    should_refuse: bool | None = None
    category: str | None = None
    subcategory: str | None = None
    subset: str | None = None
    source: str = "unknown"


@dataclass(frozen=True)
class Sample:
    """One conversation with an optional image, a reference answer and safety labels.

    `id` is unique within a dataset and stable across loads of the same file. `image` is a path
    relative to `image_root` (a folder or a zip file), or an absolute path, or None for text-only.
    `messages` is the conversation; for evaluation the prompt is everything up to the last user turn.
    """

    id: str
    messages: tuple[Turn, ...]
    image: str | None = None
    image_root: str | None = None
    reference: str | None = None
    labels: Labels = field(default_factory=Labels)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise DataError(f"sample id must be a non-empty string, got {self.id!r}")
        if not self.messages:
            raise DataError(f"sample {self.id}: conversation is empty")
        if not any(t.role == "user" for t in self.messages):
            raise DataError(f"sample {self.id}: conversation has no user turn")
        object.__setattr__(self, "messages", tuple(self.messages))

    @property
    def prompt_messages(self) -> tuple[Turn, ...]:
        """The conversation up to and including the last user turn: what a model is asked."""
        last_user = max(i for i, t in enumerate(self.messages) if t.role == "user")
        return self.messages[: last_user + 1]

    @property
    def prompt(self) -> str:
        """The text of the last user turn."""
        return self.prompt_messages[-1].content

    @property
    def has_image(self) -> bool:
        return self.image is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; `Sample.from_dict` reverses it."""
        d = asdict(self)
        d["messages"] = [asdict(t) for t in self.messages]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Sample":
        try:
            return cls(
                id=d["id"],
                messages=tuple(Turn(**t) for t in d["messages"]),
                image=d.get("image"),
                image_root=d.get("image_root"),
                reference=d.get("reference"),
                labels=Labels(**(d.get("labels") or {})),
                meta=dict(d.get("meta") or {}),
            )
        except (KeyError, TypeError) as e:
            raise DataError(f"sample {d.get('id', '?')}: not a valid sample record ({e})") from None


def unique_ids(ids: list[str]) -> list[str]:
    """Make ids unique and stable: later repeats of an id get `~2`, `~3`, ... in file order."""
    seen: dict[str, int] = {}
    out = []
    for i in ids:
        n = seen.get(i, 0) + 1
        seen[i] = n
        out.append(i if n == 1 else f"{i}~{n}")
    return out
