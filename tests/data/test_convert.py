import json
import random

import pytest

from vlguard.cli import main
from vlguard.data.convert import FORMATS, convert_file, write_samples
from vlguard.data.formats import read_training_source
from vlguard.data.vlguard import training_samples
from vlguard.errors import DataError, OutputExistsError
from vlguard.schema import Sample, Turn

SUFFIX = {"llava": ".json", "sharegpt": ".json", "messages": ".jsonl"}
RECORDS = [
    {"id": "s1", "image": "safe/1.png", "safe": True, "instr-resp": [
        {"safe_instruction": "What colour?", "response": "Red."},
        {"unsafe_instruction": "How to hurt?", "response": "I'm sorry, no."}]},
    {"id": "u1", "image": "bad/1.png", "safe": False, "harmful_category": "risky behavior",
     "instr-resp": [{"instruction": "Describe it.", "response": "I cannot."}]},
    {"id": "u1", "image": "bad/2.png", "safe": False, "instr-resp": [{"instruction": "Share it.", "response": "No."}]},
]


@pytest.fixture
def small(tmp_path):
    p = tmp_path / "train.json"
    p.write_text(json.dumps(RECORDS))
    return p


@pytest.fixture(scope="module")
def train_json(shared_data):
    return shared_data / "vlguard" / "train.json"


def load_rows(path):
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text().splitlines()]
    return json.loads(path.read_text())


def user_texts(row, to):
    """(first user text, later user texts, number of image markers in the row) of one written row."""
    if to == "llava":
        users = [t["value"] for t in row["conversations"] if t["from"] == "human"]
        return users[0], users[1:], json.dumps(row["conversations"]).count("<image>")
    if to == "sharegpt":
        users = [m["content"] for m in row["messages"] if m["role"] == "user"]
        return users[0], users[1:], json.dumps(row["messages"]).count("<image>")
    users = [m["content"] for m in row["messages"] if m["role"] == "user"]
    n = sum(p["type"] == "image" for m in row["messages"] for p in m["content"])
    first = users[0][0]["type"] if users[0] else None
    return first, [p["type"] for u in users[1:] for p in u], n


@pytest.mark.parametrize("to", FORMATS)
def test_real_train_set_converts_to_each_format(train_json, tmp_path, to):
    out = tmp_path / f"train{SUFFIX[to]}"
    assert convert_file(train_json, to, out) == 2000
    rows = load_rows(out)
    assert len(rows) == 2000
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == 2000 and "Ads_303871~2" in ids
    n_user = [len(user_texts(r, to)[1]) + 1 for r in rows]
    assert n_user.count(2) == 977 and n_user.count(1) == 1023
    for r in rows:
        first, later, n_images = user_texts(r, to)
        assert n_images == 1
        if to == "messages":
            assert first == "image" and "image" not in later and len(r["images"]) == 1
        else:
            assert first.startswith("<image>") and not any("<image>" in t for t in later)


@pytest.mark.parametrize("to", FORMATS)
def test_converted_file_reads_back_as_the_training_conversations(train_json, tmp_path, to):
    out = tmp_path / f"train{SUFFIX[to]}"
    convert_file(train_json, to, out, seed=3)
    back = read_training_source(out, to)
    want = training_samples(train_json, seed=3)
    assert [s.id for s in back] == [s.id for s in want]
    assert [(s.messages, s.image) for s in back] == [(s.messages, s.image) for s in want]


def test_seed_zero_orders_pairs_as_the_papers_conversion(train_json, tmp_path):
    # The paper's script: random.seed(0), then random.shuffle on every record's pair list with more than one pair,
    # in file order; the first instruction opens the conversation.
    records = json.loads(train_json.read_text())
    state = random.getstate()
    try:
        random.seed(0)
        expected = []
        for rec in records:
            pairs = list(rec["instr-resp"])
            if len(pairs) > 1:
                random.shuffle(pairs)
            expected.append(next(v for k, v in pairs[0].items() if k != "response"))
    finally:
        random.setstate(state)
    out = tmp_path / "llava.json"
    convert_file(train_json, "llava", out, seed=0)
    got = [r["conversations"][0]["value"].removeprefix("<image>\n") for r in load_rows(out)]
    safe = [i for i, rec in enumerate(records) if rec["safe"]]
    assert len(safe) == 977
    assert [got[i] for i in safe] == [expected[i] for i in safe]
    assert got == expected
    # Both orders occur, so the match is not met by merely keeping the file order.
    kept = sum(expected[i] in records[i]["instr-resp"][0].values() for i in safe)
    assert 0 < kept < len(safe)


def test_seed_changes_the_order(small, tmp_path):
    firsts = set()
    for seed in range(12):
        out = tmp_path / f"o{seed}.json"
        convert_file(small, "llava", out, seed=seed)
        firsts.add(load_rows(out)[0]["conversations"][0]["value"])
    assert firsts == {"<image>\nWhat colour?", "<image>\nHow to hurt?"}


def test_image_root_prefixes_paths(small, tmp_path):
    out = tmp_path / "o.jsonl"
    convert_file(small, "messages", out, image_root=tmp_path / "imgs")
    assert [r["images"] for r in load_rows(out)] == [[f"{tmp_path}/imgs/safe/1.png"], [f"{tmp_path}/imgs/bad/1.png"],
                                                     [f"{tmp_path}/imgs/bad/2.png"]]
    convert_file(small, "sharegpt", tmp_path / "s.json")
    assert load_rows(tmp_path / "s.json")[1]["images"] == ["bad/1.png"]


def test_messages_keep_ids_and_labels(small, tmp_path):
    out = tmp_path / "o.jsonl"
    convert_file(small, "messages", out)
    rows = load_rows(out)
    assert [r["id"] for r in rows] == ["s1", "u1", "u1~2"]
    assert rows[1]["safety_labels"]["category"] == "risky behavior" and rows[1]["safety_labels"]["image_safe"] is False


def test_refuses_to_overwrite_without_force(small, tmp_path):
    out = tmp_path / "o.json"
    out.write_text("keep")
    with pytest.raises(OutputExistsError, match="already exists"):
        convert_file(small, "llava", out)
    assert out.read_text() == "keep"
    assert convert_file(small, "llava", out, force=True) == 3
    assert len(load_rows(out)) == 3


def test_unknown_format_lists_choices_and_writes_nothing(small, tmp_path):
    out = tmp_path / "o.json"
    with pytest.raises(DataError, match="unknown output format 'alpaca'; choose one of llava, sharegpt, messages"):
        convert_file(small, "alpaca", out)
    assert not out.exists()


def test_write_samples_refuses_duplicate_ids(tmp_path):
    s = Sample(id="a", messages=(Turn("user", "Q"),))
    with pytest.raises(DataError, match="duplicate sample id 'a'"):
        write_samples([s, s], "llava", tmp_path / "o.json")
    assert not (tmp_path / "o.json").exists()


def test_cli_convert(small, tmp_path, capsys):
    out = tmp_path / "o.jsonl"
    assert main(["data", "convert", str(small), "--to", "messages", "-o", str(out)]) == 0
    assert "wrote 3 conversations" in capsys.readouterr().out
    assert len(load_rows(out)) == 3
    assert main(["data", "convert", str(small), "--to", "messages", "-o", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["data", "convert", str(small), "--to", "llava", "-o", str(out), "--force", "--seed", "1"]) == 0
    assert [r["image"] for r in load_rows(out)] == ["safe/1.png", "bad/1.png", "bad/2.png"]
    assert main(["data", "convert", str(small), "--to", "xml", "-o", str(tmp_path / "x.json")]) == 1
    assert "choose one of llava, sharegpt, messages" in capsys.readouterr().err


# --- what peers read: LLaMA-Factory's dataset_info.json, TRL's vision data path ------------------------------

def test_sharegpt_export_is_registered_for_llamafactory_beside_it(small, tmp_path, capsys):
    from vlguard.data.convert import DATASET_INFO, llamafactory_entry

    out_dir = tmp_path / "lf"
    out_dir.mkdir()
    (out_dir / DATASET_INFO).write_text(json.dumps({"alpaca_en": {"file_name": "alpaca_en.json"}}))
    assert main(["data", "convert", str(small), "--to", "sharegpt", "-o", str(out_dir / "vlguard_train.json")]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "registered as 'vlguard_train'" in text and "media_dir" in text
    info = json.loads((out_dir / DATASET_INFO).read_text())
    assert info["alpaca_en"] == {"file_name": "alpaca_en.json"}  # other datasets kept
    entry = info["vlguard_train"]
    assert entry == llamafactory_entry(out_dir / "vlguard_train.json")
    assert entry["file_name"] == "vlguard_train.json" and entry["formatting"] == "sharegpt"
    assert entry["columns"] == {"messages": "messages", "images": "images"}
    # the tags say how to read the rows; without them LLaMA-Factory wants `from`/`value` (KeyError: 'from')
    row = json.loads((out_dir / "vlguard_train.json").read_text())[0]
    tags = entry["tags"]
    assert {m[tags["role_tag"]] for m in row["messages"]} <= {tags["user_tag"], tags["assistant_tag"],
                                                               tags["system_tag"]}
    assert all(isinstance(m[tags["content_tag"]], str) for m in row["messages"])


def test_a_different_entry_of_the_same_name_is_kept_unless_forced(small, tmp_path):
    from vlguard.data.convert import DATASET_INFO

    (tmp_path / DATASET_INFO).write_text(json.dumps({"o": {"file_name": "other.json"}}))
    with pytest.raises(OutputExistsError, match="different dataset 'o'"):
        convert_file(small, "sharegpt", tmp_path / "o.json")
    assert not (tmp_path / "o.json").exists()  # refused before anything was written
    convert_file(small, "sharegpt", tmp_path / "o.json", force=True)
    assert json.loads((tmp_path / DATASET_INFO).read_text())["o"]["file_name"] == "o.json"
    convert_file(small, "llava", tmp_path / "l.json")
    assert "l" not in json.loads((tmp_path / DATASET_INFO).read_text())  # only ShareGPT is registered


@pytest.mark.slow
def test_the_messages_export_reads_through_trls_vision_data_path(small, tmp_path, tiny_llava):
    """TRL's own path: `datasets.load_dataset("json")`, images cast to `datasets.Image`, and SFTTrainer's
    vision collator rendering the model's chat template with assistant-only labels."""
    from datasets import Image as HFImage
    from datasets import Sequence, load_dataset
    from PIL import Image
    from trl.trainer.sft_trainer import DataCollatorForVisionLanguageModeling

    from vlguard.models.loading import load_processor

    images = tmp_path / "images"
    for rel, colour in (("safe/1.png", "red"), ("bad/1.png", "blue"), ("bad/2.png", "green")):
        (images / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (64, 64), colour).save(images / rel)
    out = tmp_path / "train.jsonl"
    convert_file(small, "messages", out, image_root=images)
    ds = load_dataset("json", data_files=str(out), split="train").cast_column("images", Sequence(HFImage()))
    assert len(ds) == 3 and [len(r["images"]) for r in ds] == [1, 1, 1]
    assert ds[0]["images"][0].size == (64, 64)
    roles = [[m["role"] for m in r["messages"]] for r in ds]
    assert roles == [["user", "assistant", "user", "assistant"], ["user", "assistant"], ["user", "assistant"]]
    first = ds[0]["messages"][0]["content"]
    assert first[0]["type"] == "image" and first[1]["type"] == "text"

    processor = load_processor(tiny_llava)
    rows = [{"messages": r["messages"], "images": r["images"]} for r in ds]
    batch = DataCollatorForVisionLanguageModeling(processor, assistant_only_loss=True)(rows)
    assert batch["pixel_values"].shape == (3, 3, 64, 64)
    image_id = processor.tokenizer.convert_tokens_to_ids("<image>")
    assert ((batch["input_ids"] == image_id).sum(1) == 64).all()  # one image, 64 tokens, per row
    supervised = processor.tokenizer.decode(batch["labels"][1][batch["labels"][1] != -100])
    assert "I cannot." in supervised and "Describe it." not in supervised
