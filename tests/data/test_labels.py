import json

import pytest

from vlguard.data.labels import (
    ImageLabel,
    default_taxonomy,
    labels_from_records,
    read_labels,
    read_taxonomy,
    taxonomy_lists,
    write_labels,
)
from vlguard.data.validate import VLGUARD_TAXONOMY
from vlguard.errors import DataError


def write(tmp_path, text, name="labels.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_reads_safe_and_unsafe_rows_with_their_lines(tmp_path):
    p = write(tmp_path, "image,safe,category,subcategory\na.png,true,,\nsub/b.jpg,unsafe,privacy,personal data\n"
                        "c.png,0,deception,disinformation\nd.png,Yes,,\n")
    assert read_labels(p) == [ImageLabel("a.png", True, None, None, 2),
                              ImageLabel("sub/b.jpg", False, "privacy", "personal data", 3),
                              ImageLabel("c.png", False, "deception", "disinformation", 4),
                              ImageLabel("d.png", True, None, None, 5)]


def test_every_bad_row_is_reported_with_its_line_at_once(tmp_path):
    p = write(tmp_path, "image,safe,category,subcategory\n"
                        "a.png,maybe,,\n"                         # 2: bad flag
                        "b.png,false,,\n"                         # 3: no category
                        "c.png,false,privacy,\n"                  # 4: no subcategory
                        "d.png,false,crime,theft\n"               # 5: unknown category
                        "e.png,false,privacy,race\n"              # 6: subcategory of another category
                        "f.png,true,privacy,personal data\n"      # 7: category on a safe image
                        "../g.png,true,,\n"                       # 8: escapes the root
                        "h.png,true,,\nh.png,true,,\n"            # 10: listed twice
                        ",true,,\n")                              # 11: empty path
    with pytest.raises(DataError) as e:
        read_labels(p)
    msg = str(e.value)
    assert "9 bad row(s)" in msg
    for line in range(2, 12):
        if line != 9:
            assert f"line {line}:" in msg
    assert "first at line 9" in msg and "'maybe'" in msg and "crime" in msg


def test_header_problems_name_the_columns(tmp_path):
    with pytest.raises(DataError, match="missing safe"):
        read_labels(write(tmp_path, "image,label\na.png,1\n"))
    with pytest.raises(DataError, match="unknown column"):
        read_labels(write(tmp_path, "image,safe,notes\na.png,1,x\n"))
    with pytest.raises(DataError, match="no rows"):
        read_labels(write(tmp_path, "image,safe\n"))


def test_taxonomy_files_as_lists_or_descriptions(tmp_path):
    p = write(tmp_path, "crime:\n  theft: taking what is not yours\n  fraud:\nweapons: [guns, knives]\n", "t.yaml")
    tax = read_taxonomy(p)
    assert tax == {"crime": {"theft": "taking what is not yours", "fraud": ""}, "weapons": {"guns": "", "knives": ""}}
    assert taxonomy_lists(tax) == {"crime": ["theft", "fraud"], "weapons": ["guns", "knives"]}
    labels = write(tmp_path, "image,safe,category,subcategory\na.png,false,crime,theft\n")
    assert read_labels(labels, tax)[0].category == "crime"
    with pytest.raises(DataError, match="not in the taxonomy"):
        read_labels(labels)  # the paper's taxonomy has no "crime"
    for bad in ("- a\n- b\n", "crime: []\n", "crime: {theft: 3}\n", "crime: [\n"):
        with pytest.raises(DataError):
            read_taxonomy(write(tmp_path, bad, "bad.yaml"))


def test_default_taxonomy_is_the_papers_with_descriptions():
    tax = default_taxonomy()
    assert taxonomy_lists(tax) == VLGUARD_TAXONOMY
    assert sum(len(s) for s in tax.values()) == 9 and all(d for s in tax.values() for d in s.values())


def test_labels_of_an_existing_dataset_round_trip(tmp_path):
    records = [{"id": "a", "image": "x/a.png", "safe": True, "instr-resp": []},
               {"id": "b", "image": "b.png", "safe": False, "harmful_category": "privacy",
                "harmful_subcategory": "personal data", "instr-resp": []},
               {"id": "a2", "image": "x/a.png", "safe": True, "instr-resp": []}]
    labels = labels_from_records(records)
    assert [(lab.image, lab.safe) for lab in labels] == [("x/a.png", True), ("b.png", False)]
    write_labels(tmp_path / "l.csv", labels)
    back = read_labels(tmp_path / "l.csv")
    assert [(b.image, b.safe, b.category, b.subcategory) for b in back] == \
        [(lab.image, lab.safe, lab.category, lab.subcategory) for lab in labels]
    json.dumps([vars(b) for b in back])


UNSAFE = {"harmful_category": "privacy", "harmful_subcategory": "personal data"}


@pytest.mark.parametrize("bad,match", [
    ({"id": "b", "image": "b.png", "safe": "yes"}, r"record 1 \(id 'b'\): 'safe' must be true or false, got 'yes'"),
    ({"id": "b", "image": "b.png", "safe": 1}, r"'safe' must be true or false, got 1"),
    ({"id": "b", "image": "b.png"}, r"'safe' must be true or false, got None"),
    ({"id": "b", "safe": True}, r"'image' must be a non-empty string, got None"),
    ({"id": "b", "image": ["b.png"], "safe": True}, r"'image' must be a non-empty string"),
    ({"id": "b", "image": " ", "safe": True}, r"'image' must be a non-empty string"),
    ({"id": "b", "image": "b.png", "safe": False}, r"an unsafe image needs string harmful_category"),
    ({"id": "b", "image": "b.png", "safe": False, "harmful_category": "privacy", "harmful_subcategory": ["x"]},
     r"an unsafe image needs string"),
    ({"id": "b", "image": "a.png", "safe": False, **UNSAFE}, r"image 'a.png' is labelled differently by record 0"),
    ("not a record", r"record 1: not an object"),
])
def test_records_that_cannot_be_labelled_are_named_never_dropped(bad, match):
    records = [{"id": "a", "image": "a.png", "safe": True}, bad]
    with pytest.raises(DataError, match=match):
        labels_from_records(records, "x.json")


def test_every_bad_record_is_listed_and_an_identical_repeat_is_one_label():
    same = {"id": "a", "image": "a.png", "safe": True}
    assert labels_from_records([same, dict(same)]) == [ImageLabel("a.png", True)]
    with pytest.raises(DataError, match=r"x.json: 2 record\(s\) cannot be labelled:\n  record 0.*\n  record 2"):
        labels_from_records([{"image": "a", "safe": "no"}, same, {"image": "c", "safe": None}], "x.json")
