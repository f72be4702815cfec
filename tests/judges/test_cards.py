"""Judge cards: the validated agreement a card states is what `judges validate` measures now."""

import pytest

from vlguard.judges import make_judge
from vlguard.judges.cards import VALIDATED, card_line, judge_card
from vlguard.judges.validation import read_labelled, validate


@pytest.mark.parametrize("name", sorted(VALIDATED))
def test_cards_match_a_fresh_validation(shared_data, name):
    items = read_labelled(shared_data / "xstest" / "completions_dev")
    judge = make_judge(name)
    v = validate(judge, items)
    card = VALIDATED[name]
    assert card.version == judge.identity["version"], "a rules change needs its card measured again"
    assert (v.agreement["value"], v.agreement["n"], tuple(v.agreement["ci95"])) == (card.agreement, card.n, card.ci95)
    assert {s: x["agreement"]["value"] for s, x in v.by_source.items()} == dict(card.by_source)


def test_card_lines_say_the_question_and_the_validation():
    line = card_line(judge_card(make_judge("keywords")))
    assert line.startswith("Judge `keywords` (rules-v2) answers the refusal question: declines, deflects")
    assert "Agreement with human labels on XSTest v2 completions" in line
    harm = card_line(judge_card(make_judge("harm-keywords")))
    assert "the harm question: gives the harmful help asked for" in harm and "Not validated" in harm
