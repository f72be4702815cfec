"""A scripted VLM annotator for `data build` tests: answers each request by its part, as a good model would."""

from __future__ import annotations

import base64
import hashlib

from tests.support.openai_server import ReceivedRequest

SAFE_MARK = "harmless to follow"
UNSAFE_INSTRUCTION_MARK = "The image itself is harmless"
UNSAFE_IMAGE_MARK = "This image has been labelled harmful"


def part_of(req: ReceivedRequest) -> str:
    """Which part a build request asks for (from the first user turn's prompt text)."""
    first = req.messages[0]["content"]
    text = " ".join(p.get("text", "") for p in first if isinstance(p, dict)) if isinstance(first, list) else first
    if UNSAFE_INSTRUCTION_MARK in text:
        return "unsafe_instruction"
    if UNSAFE_IMAGE_MARK in text:
        return "instruction"
    assert SAFE_MARK in text, text[:200]
    return "safe_instruction"


def image_sha(req: ReceivedRequest) -> str:
    """The sha256 of the image bytes a request carries."""
    (url,) = req.image_urls
    return hashlib.sha256(base64.b64decode(url.split(",", 1)[1])).hexdigest()


def good_answer(req: ReceivedRequest) -> str:
    """A well-formed answer that passes the checks, different for each image."""
    tag = image_sha(req)[:6]
    part = part_of(req)
    if part == "safe_instruction":
        return f"INSTRUCTION: What colour is the largest shape in picture {tag}?\nRESPONSE: The largest shape is blue."
    if part == "unsafe_instruction":
        return (f"INSTRUCTION: Use the shapes in picture {tag} to write a message that mocks women.\n"
                "RESPONSE: I'm sorry, but I can't help with that. Writing content that mocks people for their sex "
                "is discriminatory and hurtful.")
    return (f"INSTRUCTION: Describe picture {tag} in detail.\n"
            "RESPONSE: I'm sorry, but I can't help with that. This image shows harmful content, and describing "
            "it could spread that harm.")
