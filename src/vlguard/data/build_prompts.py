"""The annotation protocol of `vlguard data build`: which questions an image gets, the prompts, and the
strict reading of the answers.

Following the paper (Zong et al., 2024, Sec. 3), a safe image gets two instruction-response pairs, each
from its own request: a harmless instruction with a helpful answer (`safe_instruction`) and a harmful
instruction about the image with a refusal (`unsafe_instruction`). An unsafe image gets one pair
(`instruction`): an instruction about it with a refusal that explains the harm, given its labelled
category and subcategory. The part names are the VLGuard schema's instruction keys.

Prompts are versioned text files: the shipped set `v1` is `resources/prompts/build_<part>_v1.txt`
(`build_unsafe_image_v1.txt` for the `instruction` part); a folder of your own holds
`safe_instruction.txt`, `unsafe_instruction.txt` and `unsafe_image.txt`. A prompt set's identity is its
name plus a hash of the three texts, so editing a prompt never reuses answers cached for the old one.
Placeholders: `{language}` (all), `{taxonomy}` (unsafe_instruction), `{category}`, `{subcategory}`,
`{description}` (unsafe_image).

Every prompt asks for exactly two labelled lines, `INSTRUCTION: ...` then `RESPONSE: ...` (the response
may run over several lines). Anything else is rejected with a reason, never repaired by guessing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from vlguard.data.labels import Taxonomy
from vlguard.errors import ConfigError

# part -> (file stem in a custom folder, whether its response must be a refusal)
PARTS: dict[str, tuple[str, bool]] = {
    "safe_instruction": ("safe_instruction", False),
    "unsafe_instruction": ("unsafe_instruction", True),
    "instruction": ("unsafe_image", True),
}
PARTS_BY_SAFETY: dict[bool, tuple[str, ...]] = {True: ("safe_instruction", "unsafe_instruction"),
                                                 False: ("instruction",)}
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "safe_instruction": ("language",),
    "unsafe_instruction": ("language", "taxonomy"),
    "instruction": ("language", "category", "subcategory"),
}
MAX_INSTRUCTION_CHARS = 1000
MAX_RESPONSE_CHARS = 6000
_FIELD = re.compile(r"\{([a-z_]+)\}")
_INSTRUCTION = re.compile(r"^\s*INSTRUCTION:(.*)$")
_RESPONSE = re.compile(r"^\s*RESPONSE:(.*)$")


def needs_refusal(part: str) -> bool:
    """Whether the response of this part must refuse."""
    return PARTS[part][1]


@dataclass(frozen=True)
class PromptSet:
    """The three annotation prompts; `version` names the set and the hash of its texts."""

    name: str
    templates: dict[str, str]

    @property
    def version(self) -> str:
        digest = hashlib.sha256("\0".join(self.templates[p] for p in PARTS).encode()).hexdigest()[:12]
        return f"{self.name}-{digest}"

    def render(self, part: str, language: str, taxonomy: Taxonomy, category: str | None = None,
               subcategory: str | None = None) -> str:
        """The prompt text of one request; placeholders are filled in one pass (values are never re-read)."""
        values = {"language": language, "taxonomy": format_taxonomy(taxonomy)}
        if category is not None and subcategory is not None:
            description = taxonomy.get(category, {}).get(subcategory, "") or "as labelled"
            values.update(category=category, subcategory=subcategory, description=description)
        return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), self.templates[part])


def format_taxonomy(taxonomy: Taxonomy) -> str:
    """One line per subcategory: `- category / subcategory: description`."""
    return "\n".join(f"- {cat} / {sub}" + (f": {desc}" if desc else "")
                     for cat, subs in taxonomy.items() for sub, desc in subs.items())


def load_prompt_set(name: str = "v1") -> PromptSet:
    """A shipped prompt set by version (`v1`), or a folder holding your own three prompt files."""
    folder = Path(name)
    templates: dict[str, str] = {}
    if folder.is_dir():
        for part, (stem, _) in PARTS.items():
            f = folder / f"{stem}.txt"
            if not f.is_file():
                raise ConfigError(f"prompt folder {folder}: {f.name} is missing (a folder needs "
                                  f"{', '.join(s + '.txt' for s, _ in PARTS.values())})")
            templates[part] = f.read_text(encoding="utf-8")
        set_name = folder.name
    else:
        root = resources.files("vlguard") / "resources" / "prompts"
        for part, (stem, _) in PARTS.items():
            res = root / f"build_{stem}_{name}.txt"
            if not res.is_file():
                shipped = sorted(p.name[len("build_safe_instruction_"):-4] for p in root.iterdir()
                                 if p.name.startswith("build_safe_instruction_"))
                raise ConfigError(f"unknown prompt set {name!r}; shipped: {', '.join(shipped)} "
                                  f"(or give a folder of your own)")
            templates[part] = res.read_text(encoding="utf-8")
        set_name = name
    for part, fields in REQUIRED_FIELDS.items():
        missing = [f for f in fields if "{" + f + "}" not in templates[part]]
        if missing:
            raise ConfigError(f"prompt set {set_name!r}: the {part} prompt lacks "
                              f"{', '.join('{' + f + '}' for f in missing)}")
    return PromptSet(set_name, templates)


class AnswerError(ValueError):
    """An annotator answer that cannot be used; `code` is the failure reason's stable name."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def parse_answer(text: str) -> tuple[str, str]:
    """`(instruction, response)` from `INSTRUCTION: ...` / `RESPONSE: ...`; raises AnswerError otherwise.

    Strict: the first non-empty line is the one INSTRUCTION line, the next is the one RESPONSE line, and both
    texts are non-empty; the response may continue on later lines. Surrounding whitespace is dropped."""
    lines = (text or "").strip().splitlines()
    if not lines:
        raise AnswerError("unparseable", "empty answer")
    n_instr = sum(bool(_INSTRUCTION.match(ln)) for ln in lines)
    n_resp = sum(bool(_RESPONSE.match(ln)) for ln in lines)
    if n_instr != 1 or n_resp != 1:
        raise AnswerError("unparseable", f"expected one INSTRUCTION line and one RESPONSE line, found "
                                         f"{n_instr} and {n_resp}: {_snippet(text)}")
    m = _INSTRUCTION.match(lines[0])
    if m is None:
        raise AnswerError("unparseable", f"the answer must start with the INSTRUCTION line: {_snippet(text)}")
    r = _RESPONSE.match(lines[1]) if len(lines) > 1 else None
    if r is None:
        raise AnswerError("unparseable", f"the RESPONSE line must follow the one-line INSTRUCTION: {_snippet(text)}")
    instruction = m.group(1).strip()
    response = "\n".join([r.group(1), *lines[2:]]).strip()
    if not instruction or not response:
        raise AnswerError("unparseable", f"empty {'instruction' if not instruction else 'response'}: {_snippet(text)}")
    if len(instruction) > MAX_INSTRUCTION_CHARS or len(response) > MAX_RESPONSE_CHARS:
        raise AnswerError("too-long", f"instruction of {len(instruction)} or response of {len(response)} characters "
                                      f"(limits {MAX_INSTRUCTION_CHARS}, {MAX_RESPONSE_CHARS})")
    return instruction, response


def retry_message(reason: str) -> str:
    """What the annotator is told after an answer was rejected, before it answers again."""
    return (f"Your reply cannot be used: {reason}. Reply again to the same request, following the "
            f"instructions and the format exactly.")


def _snippet(text: str, n: int = 100) -> str:
    flat = " ".join((text or "").split())
    return repr(flat if len(flat) <= n else flat[:n] + "...")
