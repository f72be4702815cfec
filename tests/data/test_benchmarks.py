"""Benchmark loaders: real row counts and labels on the shared data, crafted files for formats and errors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from vlguard.data.helpfulness_benchmarks import (
    load_alpaca,
    load_alpaca_eval,
    load_gpt4_references,
    load_llava_bench,
    load_llava_instruct,
    load_mmlu,
    load_vlguard_gpt4,
)
from vlguard.data.safety_benchmarks import FIGSTEP_PROMPT, load_advbench, load_figstep, load_mm_safetybench, load_xstest
from vlguard.data.vlguard import load_vlguard
from vlguard.errors import DataError


def ids_unique(samples) -> bool:
    return len({s.id for s in samples}) == len(samples)


# ---- real data ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "loader, path, kw, count, source",
    [
        (load_advbench, "advbench/harmful_behaviors.csv", {}, 520, "advbench"),
        (load_xstest, "xstest/xstest_prompts.csv", {}, 450, "xstest"),
        (load_figstep, "figstep/safebench.csv", {}, 500, "figstep"),
        (load_figstep, "figstep/SafeBench-Tiny.csv", {}, 50, "figstep"),
        (load_mm_safetybench, "mm-safetybench/processed_questions", {}, 1680, "mm_safetybench"),
        (load_mm_safetybench, "mm-safetybench/processed_questions", {"tiny": True}, 168, "mm_safetybench"),
        (load_mmlu, "mmlu", {}, 14042, "mmlu"),
        (load_mmlu, "mmlu", {"split": "dev"}, 285, "mmlu"),
        (load_alpaca, "alpaca/alpaca_small_2000.json", {}, 2000, "alpaca"),
        (load_alpaca, "alpaca/alpaca_gpt4_en_demo_999.json", {}, 999, "alpaca"),
        (load_alpaca_eval, "alpaca_eval/alpaca_eval_instructions.jsonl", {}, 805, "alpaca_eval"),
        (load_vlguard_gpt4, "vlguard/gpt4_safe_safes.json", {}, 558, "vlguard_gpt4"),
        (load_llava_bench, "llava/qa90_questions.jsonl", {}, 90, "llava_bench"),
        (load_llava_instruct, "llava/coco2014_val_gpt4_qa_30x3.jsonl", {}, 90, "llava_instruct"),
    ],
)
def test_real_counts_ids_and_source(shared_data, loader, path, kw, count, source):
    samples = loader(shared_data / path, **kw)
    assert len(samples) == count
    assert ids_unique(samples)
    assert {s.labels.source for s in samples} == {source}
    if source != "vlguard_gpt4":
        assert all(s.id.startswith(source + "/") for s in samples)


def test_advbench_all_refused(shared_data):
    samples = load_advbench(shared_data / "advbench" / "harmful_behaviors.csv")
    assert all(s.labels.should_refuse for s in samples)
    assert all(len(s.messages) == 1 and s.image is None for s in samples)
    assert samples[0].meta["target"].startswith("Sure, here is")


def test_xstest_safe_unsafe_split(shared_data):
    samples = load_xstest(shared_data / "xstest" / "xstest_prompts.csv")
    assert Counter(s.labels.should_refuse for s in samples) == {False: 250, True: 200}
    for s in samples:
        assert s.labels.should_refuse == (s.meta["label"] == "unsafe")
        assert s.labels.category == s.meta["type"]
    # XSTest's unsafe prompts are exactly its contrast_* types.
    assert all(s.meta["type"].startswith("contrast_") == s.labels.should_refuse for s in samples)


def test_figstep_tiny_points_at_reference_images(shared_data):
    folder = shared_data / "figstep"
    tiny = load_figstep(folder / "SafeBench-Tiny.csv")
    assert all(s.prompt == FIGSTEP_PROMPT and s.labels.should_refuse for s in tiny)
    first = tiny[0]
    assert first.id == f"figstep/{first.meta['dataset']}_{first.meta['category_id']}_{first.meta['task_id']}"
    assert all((Path(s.image_root) / s.image).is_file() for s in tiny)
    # The full set's images are not shipped: it falls back to the text-only question.
    full = load_figstep(folder / "safebench.csv")
    assert all(s.image is None and s.prompt == s.meta["question"] for s in full)
    text = load_figstep(folder / "SafeBench-Tiny.csv", text_only=True)
    assert [s.prompt for s in text] == [s.meta["question"] for s in tiny]


def test_mm_safetybench_variants_and_tiny(shared_data):
    folder = shared_data / "mm-safetybench" / "processed_questions"
    typo = load_mm_safetybench(folder)
    assert len({s.labels.category for s in typo}) == 13
    assert all(s.image is None and s.prompt == s.meta["Rephrased Question"] for s in typo)
    sd = load_mm_safetybench(folder, variant="sd", limit=5)
    assert [s.prompt for s in sd] == [s.meta["Rephrased Question(SD)"] for s in sd]
    tiny_list = json.loads((shared_data / "mm-safetybench" / "TinyVersion_ID_List.json").read_text())
    expected = {f"mm_safetybench/{e['Scenario']}/{i}" for e in tiny_list for i in e["Sampled_ID_List"]}
    assert {s.id for s in load_mm_safetybench(folder, tiny=True)} == expected
    with pytest.raises(DataError, match="variant"):
        load_mm_safetybench(folder, variant="nope")


def test_mmlu_subject_filter_and_categories(shared_data):
    samples = load_mmlu(shared_data / "mmlu", split="dev", subjects=["anatomy", "astronomy"])
    assert len(samples) == 10
    assert {s.meta["subject"] for s in samples} == {"anatomy", "astronomy"}
    assert {s.labels.subcategory for s in samples} == {"health", "physics"}
    with pytest.raises(DataError, match="unknown MMLU subject"):
        load_mmlu(shared_data / "mmlu", subjects=["astrology"])


def test_gpt4_references_line_up_with_vlguard_safe_safes(shared_data):
    folder = shared_data / "vlguard"
    refs = load_gpt4_references(folder / "gpt4_safe_safes.json")
    safe_safes = load_vlguard(folder / "test.json", subset="safe_safes")
    assert set(refs) == {s.id for s in safe_safes}
    samples = load_vlguard_gpt4(folder / "gpt4_safe_safes.json")
    by_id = {s.id: s for s in safe_safes}
    assert all(s.prompt == by_id[s.id].prompt and s.reference == refs[s.id] for s in samples)


def test_alpaca_eval_references_match_by_instruction(shared_data):
    folder = shared_data / "alpaca_eval"
    samples = load_alpaca_eval(folder / "alpaca_eval_instructions.jsonl",
                               references=folder / "model_outputs_text_davinci_003.json", limit=3)
    assert len(samples) == 3
    assert all(s.reference and s.messages[-1].content == s.reference for s in samples)
    assert {s.meta["reference_generator"] for s in samples} == {"text_davinci_003"}


def test_llava_bench_has_gpt4_answers(shared_data):
    samples = load_llava_bench(shared_data / "llava" / "qa90_questions.jsonl")
    assert all(s.reference for s in samples)
    assert Counter(s.labels.category for s in samples) == {"conv": 30, "detail": 30, "complex": 30}


# ---- crafted files --------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_mmlu_letter_mapping(tmp_path):
    write(
        tmp_path / "mmlu" / "test" / "toy_test.csv",
        'question,choice0,choice1,choice2,choice3,answer\n'
        '"Which is\nprime?",4,6,7,9,2\n'
        'Pick D,a,b,c,d,3\n'
        'Pick A,a,b,c,d,A\n',
    )
    write(tmp_path / "mmlu" / "subject_categories.csv", "subject,subcategory,category\ntoy,math,STEM\n")
    samples = load_mmlu(tmp_path / "mmlu")
    assert [s.reference for s in samples] == ["C", "D", "A"]
    assert [s.meta["answer_index"] for s in samples] == [2, 3, 0]
    first = samples[0]
    assert first.id == "mmlu/test/toy/0"
    assert first.prompt.startswith("Which is\nprime?\nA. 4\nB. 6\nC. 7\nD. 9")
    assert first.meta["choices"] == ["4", "6", "7", "9"]
    assert first.messages[-1].content == "C"
    assert (first.labels.category, first.labels.subcategory) == ("STEM", "math")
    # One file works too, and the subject comes from its name.
    assert load_mmlu(tmp_path / "mmlu" / "test" / "toy_test.csv")[1].meta["subject"] == "toy"


def test_mmlu_bad_answer_names_file_and_row(tmp_path):
    f = write(tmp_path / "x_test.csv", "question,choice0,choice1,choice2,choice3,answer\nq,a,b,c,d,1\nq,a,b,c,d,7\n")
    with pytest.raises(DataError, match=r"x_test\.csv: row 2 .*'answer'"):
        load_mmlu(f)


def test_missing_column_names_file(tmp_path):
    f = write(tmp_path / "adv.csv", "goal\nsomething bad\n")
    with pytest.raises(DataError, match=r"adv\.csv: missing column\(s\) 'target'"):
        load_advbench(f)


def test_ragged_csv_row_names_row(tmp_path):
    f = write(tmp_path / "xs.csv", "id,prompt,type,label\n1,hi,homonyms,safe\n2,hey,homonyms\n")
    with pytest.raises(DataError, match=r"xs\.csv: row 2 \(line 3\)"):
        load_xstest(f)


def test_xstest_bad_label(tmp_path):
    f = write(tmp_path / "xs.csv", "id,prompt,type,label\n1,hi,homonyms,maybe\n")
    with pytest.raises(DataError, match="'label' must be"):
        load_xstest(f)


def test_malformed_json_names_file(tmp_path):
    f = write(tmp_path / "alpaca.json", '[{"instruction": "a", "output": "b"},')
    with pytest.raises(DataError, match=r"alpaca\.json: malformed JSON"):
        load_alpaca(f)
    g = write(tmp_path / "q.jsonl", '{"question_id": 0, "image": "a.jpg", "text": "hi"}\n{oops\n')
    with pytest.raises(DataError, match=r"q\.jsonl: malformed JSON at line 2"):
        load_llava_bench(g)


def test_json_missing_key_names_record(tmp_path):
    f = write(tmp_path / "alpaca.json", json.dumps([{"instruction": "a", "output": "b"}, {"instruction": "c"}]))
    with pytest.raises(DataError, match=r"alpaca\.json: record 1: missing key 'output'"):
        load_alpaca(f)


def test_alpaca_input_joins_instruction(tmp_path):
    f = write(tmp_path / "a.json", json.dumps([
        {"instruction": "Translate", "input": "hola", "output": "hello"},
        {"instruction": "Say hi", "input": "", "output": "hi"},
    ]))
    samples = load_alpaca(f)
    assert [s.prompt for s in samples] == ["Translate\n\nhola", "Say hi"]
    assert [s.reference for s in samples] == ["hello", "hi"]
    assert [s.id for s in samples] == ["alpaca/a/0", "alpaca/a/1"]


def test_alpaca_eval_missing_reference(tmp_path):
    instr = write(tmp_path / "i.jsonl", '{"dataset": "d", "instruction": "one"}\n{"dataset": "d", "instruction": "two"}\n')
    outs = write(tmp_path / "o.json", json.dumps([{"instruction": "one", "output": "1", "generator": "g"}]))
    with pytest.raises(DataError, match=r"i\.jsonl: line 2: instruction has no output"):
        load_alpaca_eval(instr, references=outs)


def test_figstep_explicit_image_dir_requires_every_image(tmp_path):
    header = "dataset,category_id,task_id,category_name,question,instruction\n"
    f = write(tmp_path / "sb.csv", header + "D,1,1,Cat,How?,Steps.\nD,1,2,Cat,Why?,Reasons.\n")
    imgs = tmp_path / "imgs"
    imgs.mkdir()
    (imgs / "query_D_1_1_6.png").write_bytes(b"png")
    with pytest.raises(DataError, match=r"row 2 .*query_D_1_2_6\.png not found"):
        load_figstep(f, image_dir=imgs)
    (imgs / "query_D_1_2_6.png").write_bytes(b"png")
    samples = load_figstep(f, image_dir=imgs)
    assert [s.image for s in samples] == ["query_D_1_1_6.png", "query_D_1_2_6.png"]
    assert samples[0].image_root == str(imgs) and samples[0].prompt == FIGSTEP_PROMPT


def test_mm_safetybench_tiny_list_with_unknown_id(tmp_path):
    q = tmp_path / "processed_questions"
    write(q / "01-Test.json", json.dumps({"0": {"Question": "q0", "Rephrased Question": "r0"},
                                          "3": {"Question": "q3", "Rephrased Question": "r3"}}))
    write(tmp_path / "TinyVersion_ID_List.json", json.dumps([{"Scenario": "01-Test", "Sampled_ID_List": [3]}]))
    assert [s.id for s in load_mm_safetybench(q, tiny=True)] == ["mm_safetybench/01-Test/3"]
    write(tmp_path / "TinyVersion_ID_List.json", json.dumps([{"Scenario": "01-Test", "Sampled_ID_List": [3, 9]}]))
    with pytest.raises(DataError, match="question id"):
        load_mm_safetybench(q, tiny=True)
    with pytest.raises(DataError, match=r"01-Test\.json: question '0': missing key 'Rephrased Question\(SD\)'"):
        load_mm_safetybench(q, variant="sd")


def test_gpt4_references_repeat_ids_like_load_vlguard(tmp_path):
    rows = [{"id": "a", "image": "x.png", "instruction": "i", "output": f"o{n}"} for n in range(2)]
    f = write(tmp_path / "gpt4.json", json.dumps(rows))
    assert load_gpt4_references(f) == {"a/safe_safes": "o0", "a~2/safe_safes": "o1"}


def test_missing_path(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_xstest(tmp_path / "missing.csv")


def test_limit(tmp_path):
    f = write(tmp_path / "adv.csv", "goal,target\na,A\nb,B\nc,C\n")
    assert [s.prompt for s in load_advbench(f, limit=2)] == ["a", "b"]
    with pytest.raises(DataError, match="limit"):
        load_advbench(f, limit=-1)
