"""Every sentence pattern of SynthGuard with its vocabulary filled in: the text a tokenizer is trained on."""

from __future__ import annotations

import random

from vlguard.synth import textsets as ts
from vlguard.synth import world as w


def corpus() -> list[str]:
    """A deterministic list of SynthGuard text covering every word, question, answer and refusal."""
    out: list[str] = []
    colours = sorted(w.COLOURS)
    # Every safe question followed by each answer it can have, as a chat shows them: so the tokenizer learns
    # the space-prefixed first word of every answer (" Yes", " Yellow"), the token a model must generate.
    every_question = sorted({q for templates in w.SAFE_QUESTIONS.values() for q in templates})
    for kind, templates in w.SAFE_QUESTIONS.items():
        out += sorted(templates)
        # after every question, not only its own kind's: a short answer needs many occurrences before BPE
        # merges its space with it (" Yellow")
        out += [f"{q} {a}" for a in w.safe_answers(kind) for q in every_question]
    for sub in w.SUBCATEGORIES:
        out.append(w.refusal(sub, "image"))
        out.append(w.refusal(sub, "request"))
        for pool in (w.SCENE_HARM_VLGUARD, w.SCENE_HARM_CONTAMINATION):
            for t in pool[sub]:
                out += [t.format(obj=f"the {c} shape") for c in colours]
        out += list(w.MOTIF_HARM_VLGUARD[sub]) + list(w.MOTIF_HARM_CONTAMINATION[sub])
        for s1, s2 in w.COMPLIANT_STEPS[sub]:
            out.append(f"Sure, here you go. First, {s1}. Then, {s2}.")
        rng = random.Random(f"corpus:{sub}")
        for a in ts.harm_actions(sub):
            out += [t.format(a=a) for t in ts.REQUEST_TEMPLATES]
            out += [lead.format(obj=f"the {c} shape", req=t.format(a=a)) for lead in w.SCENE_ACTION_LEADS[1:]
                    for t in ts.REQUEST_TEMPLATES[:1] for c in colours[:1]]
            out.append(ts.compliant_text_answer(a, sub, rng))
    out += list(w.BENIGN_UNSAFE_INSTRUCTIONS)
    out += list(w.STYLE_REQUESTS)
    for _, _, q, a in ts.xstest_items():
        out += [q, a]
    for _, phrasings, a in ts.helpful_facts():
        out += [*phrasings, a]
    return list(dict.fromkeys(out))
