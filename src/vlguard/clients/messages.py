"""A sample's prompt in the two message shapes models are asked in, and images as data URLs.

- `processor_messages`: Hugging Face chat-template messages with content parts (`{"type": "image"}` first
  in the first user turn), what `processor.apply_chat_template` renders for training and local generation.
- `openai_messages`: OpenAI chat-completions messages, the image as an `image_url` part (a base64 data
  URL) first in the first user turn, what API servers and vLLM's `LLM.chat` take.
Both put the image in the same place, so the hf, vllm and openai backends ask the same question.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from vlguard.images import ImageError, error_reason, load_image
from vlguard.schema import Sample

# Formats every OpenAI-compatible API takes as they are; others are re-encoded as PNG.
API_IMAGE_MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


def processor_messages(sample: Sample, with_image: bool) -> list[dict[str, Any]]:
    """The sample's whole conversation as chat-template messages with content parts."""
    out, placed = [], not with_image
    for t in sample.messages:
        parts: list[dict[str, Any]] = []
        if t.role == "user" and not placed:
            parts.append({"type": "image"})
            placed = True
        parts.append({"type": "text", "text": t.content})
        out.append({"role": t.role, "content": parts})
    return out


def openai_messages(sample: Sample, image_url: str | None) -> list[dict[str, Any]]:
    """The sample's prompt (up to its last user turn) as OpenAI chat messages.

    Text-only turns stay plain strings, which every OpenAI-compatible server accepts."""
    out: list[dict[str, Any]] = []
    placed = image_url is None
    for t in sample.prompt_messages:
        if t.role == "user" and not placed:
            out.append({"role": "user", "content": [{"type": "image_url", "image_url": {"url": image_url}},
                                                     {"type": "text", "text": t.content}]})
            placed = True
        else:
            out.append({"role": t.role, "content": t.content})
    return out


def png_data_url(image: Any) -> str:
    """A PIL image as a `data:image/png;base64,...` URL."""
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def image_data_url(sample: Sample) -> str | None:
    """The sample's image as a PNG data URL (None for a text-only sample); raises ImageError if unloadable."""
    image = load_image(sample.image, sample.image_root) if sample.image is not None else None
    return png_data_url(image) if image is not None else None


def bytes_data_url(data: bytes, name: str = "image") -> str:
    """Image file bytes as a data URL, in their own format when APIs take it (else re-encoded as PNG);
    bytes that are no image raise ImageError naming `name` (the image's path)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            mime = API_IMAGE_MIME.get(im.format or "")
            if mime is None:
                return png_data_url(im.convert("RGB"))
    except (OSError, SyntaxError, ValueError) as e:
        raise ImageError(f"image {name!r} is corrupt or not an image: {error_reason(e)}") from None
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
