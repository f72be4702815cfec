import pytest

from vlguard.data.build_prompts import PARTS, AnswerError, format_taxonomy, load_prompt_set, needs_refusal, parse_answer
from vlguard.data.labels import default_taxonomy
from vlguard.errors import ConfigError

TAX = default_taxonomy()


def test_parses_the_two_labelled_lines_and_a_multiline_response():
    assert parse_answer("INSTRUCTION: What is it?\nRESPONSE: A cat.") == ("What is it?", "A cat.")
    assert parse_answer("\n  INSTRUCTION:  Why?  \nRESPONSE:\nFirst line.\n\nSecond line.\n") == \
        ("Why?", "First line.\n\nSecond line.")


@pytest.mark.parametrize("text", [
    "", "Sure! INSTRUCTION: x RESPONSE: y", "RESPONSE: y\nINSTRUCTION: x", "INSTRUCTION: x\n\nRESPONSE: y",
    "INSTRUCTION: x\ncontinued\nRESPONSE: y", "INSTRUCTION: x\nRESPONSE: y\nINSTRUCTION: z",
    "Here you go:\nINSTRUCTION: x\nRESPONSE: y", "INSTRUCTION:\nRESPONSE: y", "INSTRUCTION: x\nRESPONSE:   ",
    "**INSTRUCTION:** x\n**RESPONSE:** y", "instruction: x\nresponse: y",
])
def test_anything_else_is_unparseable(text):
    with pytest.raises(AnswerError) as e:
        parse_answer(text)
    assert e.value.code == "unparseable"


def test_overlong_answers_are_rejected():
    with pytest.raises(AnswerError) as e:
        parse_answer("INSTRUCTION: x\nRESPONSE: " + "y" * 7000)
    assert e.value.code == "too-long"


def test_shipped_prompts_render_every_placeholder():
    ps = load_prompt_set("v1")
    assert set(ps.templates) == set(PARTS) and ps.version.startswith("v1-")
    safe = ps.render("safe_instruction", "German", TAX)
    unsafe = ps.render("unsafe_instruction", "German", TAX)
    image = ps.render("instruction", "German", TAX, "privacy", "personal data")
    for text in (safe, unsafe, image):
        assert "{" not in text and "in German" in text and "INSTRUCTION: <" in text
    assert format_taxonomy(TAX) in unsafe and "- deception / disinformation: fake news" in unsafe
    assert "Category: privacy. Subcategory: personal data (shows or asks for personal" in image
    assert [needs_refusal(p) for p in PARTS] == [False, True, True]


def test_custom_prompt_folders_are_checked(tmp_path):
    with pytest.raises(ConfigError, match="unknown prompt set 'v9'; shipped: v1"):
        load_prompt_set("v9")
    (tmp_path / "safe_instruction.txt").write_text("Describe in {language}.")
    with pytest.raises(ConfigError, match="unsafe_instruction.txt is missing"):
        load_prompt_set(str(tmp_path))
    (tmp_path / "unsafe_instruction.txt").write_text("Refuse in {language}.")
    (tmp_path / "unsafe_image.txt").write_text("{category} {subcategory} in {language}.")
    with pytest.raises(ConfigError, match="unsafe_instruction prompt lacks {taxonomy}"):
        load_prompt_set(str(tmp_path))
    (tmp_path / "unsafe_instruction.txt").write_text("Refuse in {language}: {taxonomy}")
    ps = load_prompt_set(str(tmp_path))
    # A value holding braces is inserted as it is, never read as a placeholder again.
    assert ps.render("instruction", "{language}", TAX, "privacy", "personal data") == \
        "privacy personal data in {language}."
