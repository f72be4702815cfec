"""Reports on runs whose files were tampered with: no image outside the run's recorded roots is read into
report.html, and no row name, title or reason can inject Markdown, HTML or table cells into report.md."""

from __future__ import annotations

import json
import re

import pytest
from PIL import Image

from vlguard.report import ReportRow, build_report
from vlguard.report.collect import collect
from vlguard.report.markdown import markdown_table, render_markdown
from vlguard.report.samples import load_samples
from vlguard.rundir import write_manifest


def quiet(_m):
    pass


@pytest.fixture
def secret(tmp_path):
    """A private image outside every image root."""
    (tmp_path / "private").mkdir()
    p = tmp_path / "private" / "secret.png"
    Image.new("RGB", (40, 40), (1, 2, 3)).save(p)
    return p


def _page(tmp_path, run):
    out = tmp_path / "out"
    build_report([ReportRow("m", run)], out, plots=False, force=True, log=quiet)
    return (out / "report.html").read_text()


def _thumbs(page):
    return page.count("background-image:url(\"data:image/png;base64,")


def test_an_absolute_image_path_in_generations_is_never_embedded(tmp_path, write_run, secret):
    run = write_run(tmp_path / "run", [{"task": "vlguard_unsafes", "id": "a", "refused": True, "image": str(secret)},
                                       {"task": "vlguard_unsafes", "id": "b", "refused": True,
                                        "image": "secret.png", "image_root": None}])
    page = _page(tmp_path, run)
    assert _thumbs(page) == 0 and page.count("image unavailable") == 2


def test_only_the_roots_a_run_recorded_are_read(tmp_path, write_run, secret, image_root):
    samples = [{"task": "vlguard_unsafes", "id": "a", "refused": True, "image": "img0.png",
                "image_root": str(image_root)},
               {"task": "vlguard_unsafes", "id": "b", "refused": True, "image": "secret.png",
                "image_root": str(secret.parent)}]  # a root planted in generations.jsonl
    run = write_run(tmp_path / "run", samples)
    write_manifest(run, "eval", {"model": "m"}, image_roots=[str(image_root)])
    page = _page(tmp_path, run)
    assert _thumbs(page) == 1  # img0 from the recorded root; the planted root is shown by name only
    views, _ = load_samples(run, "keywords", "m")
    assert {v.id: v.image_root for v in views} == {"a": str(image_root), "b": None}
    write_manifest(run, "eval", {"model": "m"}, image_roots=[])
    assert _thumbs(_page(tmp_path, run)) == 0


def test_a_symlink_out_of_a_recorded_root_is_not_followed(tmp_path, write_run, secret, image_root):
    (image_root / "link.png").symlink_to(secret)
    run = write_run(tmp_path / "run", [{"task": "vlguard_unsafes", "id": "a", "refused": True, "image": "link.png",
                                        "image_root": str(image_root)}])
    assert _thumbs(_page(tmp_path, run)) == 0


@pytest.mark.parametrize("name", ["a|b", "x\n| injected | row |", "<script>alert(1)</script>",
                                  "![track](http://evil.example/p.png)", "[click](javascript:alert(1))",
                                  "`code` and \\| and \r\n# heading", "\u2028line"])
def test_row_names_are_literal_in_report_md(model_runs, name):
    table = collect([ReportRow(name, model_runs["Vanilla"])])
    md = render_markdown(table, f"Title {name}")
    body = [line for line in markdown_table(table).splitlines()]
    assert len(body) == 3  # header, alignment, one row: nothing broke out of its cell or line
    header_cells = body[0].count(" | ")
    assert body[2].replace("\\|", "").count(" | ") == header_cells
    for bad in (r"(?<!\\)<script", r"(?<!\\)\]\(", r"\n# heading", r"\n\| injected"):  # unescaped, that is
        assert not re.search(bad, md), bad
    assert md.splitlines()[0].startswith("# Title ") and len(md.splitlines()[0]) > 8


def test_run_paths_and_models_with_backticks_stay_in_their_code_span(tmp_path, write_run):
    run = write_run(tmp_path / "r`un", [{"task": "vlguard_unsafes", "id": "a", "refused": True}], model="m`x")
    md = render_markdown(collect([ReportRow("r", run)]), "t")
    line = next(x for x in md.splitlines() if x.startswith("- **r**"))
    assert line.endswith("r`un ``, model `` m`x ``")  # a longer fence than any run of backticks inside


def test_error_reasons_from_metrics_are_escaped(tmp_path, write_run):
    run = write_run(tmp_path / "r", [{"task": "vlguard_unsafes", "id": "1", "error": "x"},
                                     {"task": "vlguard_unsafes", "id": "2", "refused": True}])
    m = json.loads((run / "metrics.json").read_text())
    m["judges"]["keywords"]["vlguard_unsafes"]["error_reasons"] = ["<img src=x onerror=alert(1)>\n| x |"]
    (run / "metrics.json").write_text(json.dumps(m))
    md = render_markdown(collect([ReportRow("n|ame", run)]), "t")
    assert not re.search(r"(?<!\\)<img", md) and "\n| x |" not in md and "n\\|ame" in md
