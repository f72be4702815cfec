"""SynthGuard's tokenizer corpus: every answer can be generated after "ASSISTANT:"."""

from __future__ import annotations

import re

import pytest

from vlguard.synth import corpus
from vlguard.synth import world as w


def test_every_safe_answer_follows_a_question_after_a_space():
    # Byte-level BPE only merges " Yes" if the corpus has it; training masks cover the answer's characters,
    # so a bare space token before "Yes" would never be learned and "Yes" never generated.
    text = "\n".join(corpus())
    for kind in w.SAFE_QUESTIONS:
        for a in w.safe_answers(kind):
            first = a.split()[0].rstrip(".:,")
            assert len(re.findall(rf"[?.] {first}\b", text)) >= 2, (kind, a)


def test_the_tiny_tokenizer_gives_every_answer_a_space_prefixed_first_token():
    from vlguard.models import tiny
    pytest.importorskip("tokenizers")
    tok = tiny.train_bpe(None, tiny.LLAVA_SPECIAL_TOKENS)
    prompt_len = len(tok.encode("ASSISTANT:").tokens)
    for kind in w.SAFE_QUESTIONS:
        for a in w.safe_answers(kind)[:20]:
            first = tok.encode(f"ASSISTANT: {a}").tokens[prompt_len]
            assert first.startswith("Ġ") and len(first) > 1, (kind, a, first)
