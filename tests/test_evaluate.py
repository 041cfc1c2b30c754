"""`jobs eval` harness: scoring, document alignment, reports; the job's own models on a FLORES slice."""

from __future__ import annotations

import json

import pytest

from jobs.evaluation import run_eval
from jobs.quality import eval as ev
from jobs.quality import eval_report

FLORES = ev.default_eval_dir() / ev.FLORES_DIR
SUMMARIES = ev.default_eval_dir() / "summarization"
needs_flores = pytest.mark.skipif(
    not (FLORES / "eng_Latn.devtest").is_file(),
    reason=f"FLORES-200 devtest not found in {FLORES} (set {ev.EVAL_DATA_ENV})",
)
SLICE = 20

# Three short documents: the middle one has a line with two sentences, the last one lines the
# splitter merges (no end punctuation between them).
SRC = ["Alpha one.", "Alpha two.", "Beta one. Beta two.", "Beta three.", "Gamma one", "gamma two."]
DOCS = ["a", "a", "b", "b", "c", "c"]


def split_on_stops(text: str) -> list[str]:
    """A stand-in for the job's splitter: ends a sentence after '. '."""
    parts = text.replace(". ", ".\n").split("\n")
    return [p.strip() for p in parts if p.strip()]


def test_score_lines_identity_is_100_with_signatures():
    refs = ["Кошка сидит на ковре.", "Сегодня идёт дождь."]
    scores = ev.score_lines(refs, refs, "ru")
    assert scores["bleu"] == 100.0 and scores["chrf"] == 100.0 and scores["segments"] == 2
    assert "tok:13a" in scores["signature"]["bleu"] and "nc:6" in scores["signature"]["chrf"]
    zh = ev.score_lines(["猫坐在垫子上。"], ["猫坐在垫子上。"], "zh")
    assert zh["bleu"] == 100.0 and "tok:zh" in zh["signature"]["bleu"]
    assert ev.score_lines(["", ""], refs, "ru")["chrf"] == 0.0
    with pytest.raises(ValueError, match="2 references"):
        ev.score_lines(["x"], refs, "ru")


def test_document_spans_group_consecutive_ids():
    assert ev.document_spans(DOCS) == [(0, 2), (2, 4), (4, 6)]
    assert ev.document_spans(["a", "b", "a"]) == [(0, 1), (1, 2), (2, 3)]  # not consecutive: separate documents
    assert ev.document_spans([]) == []


def test_align_document_maps_sentences_back_to_lines():
    one_to_one = ev.align_document(SRC[0:2], split_on_stops)
    assert one_to_one.sentences == ["Alpha one.", "Alpha two."] and one_to_one.owner == [0, 1]
    assert (one_to_one.merged_lines, one_to_one.split_lines) == (0, 0)
    split = ev.align_document(SRC[2:4], split_on_stops)
    assert split.owner == [0, 0, 1] and (split.merged_lines, split.split_lines) == (0, 1)
    merged = ev.align_document(SRC[4:6], split_on_stops)
    assert merged.sentences == ["Gamma one gamma two."] and merged.owner == [0] and merged.merged_lines == 2
    assert ev.reassemble(split, ["B1", "B2", "B3"], 2, "ru") == ["B1 B2", "B3"]
    assert ev.reassemble(split, ["乙一。", "乙二。", "乙三。"], 2, "zh") == ["乙一。乙二。", "乙三。"]
    assert ev.reassemble(merged, ["G"], 2, "ru") == ["G", ""]


def test_identity_through_both_paths_loses_nothing():
    """Source as its own reference and an identity 'model': splitting and reassembly must give every line back."""
    result = ev.evaluate_translation(SRC[:4], SRC[:4], lambda texts: list(texts), "en", DOCS[:4], split=split_on_stops)
    assert result["sentence"]["chrf"] == 100.0 and result["document"]["chrf"] == 100.0
    assert result["document"]["lines_split"] == 1 and result["document"]["lines_merged"] == 0
    assert result["outputs"]["document"] == SRC[:4]
    # With merged lines the line-level score drops, but each whole document is still intact.
    merged = ev.evaluate_translation(SRC, SRC, lambda texts: list(texts), "en", DOCS, split=split_on_stops)
    assert merged["document"]["lines_merged"] == 2 and merged["document"]["chrf"] < 100
    assert merged["document"]["per_document"]["document_path"]["chrf"] == 100.0
    assert merged["document"]["documents"] == 3 and merged["document"]["documents_one_to_one"] == 1


def test_harness_rejects_misaligned_input():
    with pytest.raises(ValueError, match="source lines"):
        ev.evaluate_translation(["a"], ["b", "c"], lambda t: t, "ru")
    with pytest.raises(ValueError, match="returned 0 outputs"):
        ev.evaluate_translation(["a"], ["b"], lambda t: [], "ru")
    with pytest.raises(ValueError, match="document ids"):
        ev.evaluate_translation(["a"], ["b"], lambda t: t, "ru", ["x", "y"])


@needs_flores
@pytest.mark.parametrize(("lang", "code"), [("ru", "rus_Cyrl"), ("kk", "kaz_Cyrl"), ("zh", "zho_Hans")])
def test_references_fed_back_score_100(lang, code):
    src = ev.read_lines(FLORES / "eng_Latn.devtest", 60)
    refs = ev.read_lines(FLORES / f"{code}.devtest", 60)
    lookup = dict(zip(src, refs))
    result = ev.evaluate_translation(src, refs, lambda texts: [lookup[t] for t in texts], lang)
    assert result["sentence"]["chrf"] == 100.0 and result["sentence"]["bleu"] == 100.0
    assert result["lines"] == 60 and ("tok:zh" in result["signature"]["bleu"]) == (lang == "zh")


@needs_flores
def test_flores_files_and_document_ids():
    src, ref, meta = ev.flores_files(FLORES, "kk")
    assert (src.name, ref.name, meta.name) == ("eng_Latn.devtest", "kaz_Cyrl.devtest", "metadata_devtest.tsv")
    assert len(ev.read_lines(src)) == len(ev.read_lines(ref)) == len(ev.read_doc_ids(meta)) == 1012
    assert len(ev.document_spans(ev.read_doc_ids(meta))) == 281  # as SOURCES.md says
    with pytest.raises(ValueError, match="no FLORES-200 file"):
        ev.flores_files(FLORES, "xx")


def test_rouge_and_summary_sets(tmp_path):
    perfect = ev.score_rouge(["The cat sat on the mat."], ["The cat sat on the mat."])
    assert perfect["rouge1"] == perfect["rouge2"] == perfect["rougeL"] == 100.0 and perfect["documents"] == 1
    assert ev.score_rouge(["Completely different words."], ["The cat sat."])["rouge2"] == 0.0
    data = tmp_path / "set.jsonl"
    rows = [
        {"id": "x", "article": "Para one.\nPara two.", "highlights": "One.\nTwo."},
        {"id": "y", "document": "Only para.", "summary": "Only."},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    read = ev.read_summary_set(data)
    assert read[0] == {"id": "x", "paragraphs": ["Para one.", "Para two."], "reference": "One.\nTwo."}
    assert read[1]["paragraphs"] == ["Only para."] and read[1]["reference"] == "Only."
    data.write_text(json.dumps({"id": "z", "body": "no known field"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs an article"):
        ev.read_summary_set(data)


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory, tiny_models, tiny_config):
    """`jobs eval` on the first lines of FLORES and three CNN stories, with the tiny models."""
    from jobs.config import build_config

    if not (FLORES / "eng_Latn.devtest").is_file():
        pytest.skip(f"FLORES-200 devtest not found in {FLORES}")
    config = build_config(
        config_file=tiny_config,
        langs=["ru", "zh"],
        device="cpu",
        model_overrides=[f"ru={tiny_models['ru']}", f"zh={tiny_models['zh']}"],
        summary_model=str(tiny_models["summary"]),
    )
    out = tmp_path_factory.mktemp("eval")
    summaries = []
    if (SUMMARIES / "cnndm-20.jsonl").is_file():  # three stories are enough to test the harness
        summaries = [out / "cnndm-3.jsonl"]
        summaries[0].write_text(
            "".join((SUMMARIES / "cnndm-20.jsonl").read_text(encoding="utf-8").splitlines(True)[:3])
        )
    report = run_eval(config, flores_dir=FLORES, limit=SLICE, summaries=summaries)
    return report, eval_report.write_reports(report, out)


def test_tiny_models_harness_counts_and_alignment(tiny_report):
    report, _ = tiny_report
    doc_ids = ev.read_doc_ids(FLORES / "metadata_devtest.tsv", SLICE)
    for lang in ("ru", "zh"):
        result = report["translation"][lang]
        doc = result["document"]
        assert result["lines"] == doc["segments"] == SLICE
        assert len(result["outputs"]["sentence"]) == len(result["outputs"]["document"]) == SLICE
        assert doc["documents"] == len(ev.document_spans(doc_ids))
        assert doc["sentences"] >= SLICE - doc["lines_merged"]
        # A line that is one sentence goes through the document path as the very same unit.
        assert doc["identical_to_sentence_path"] >= SLICE - doc["lines_split"] - doc["lines_merged"]
        assert 0 <= result["sentence"]["chrf"] < 100 and result["model"]["revision"].startswith("sha256:")
        assert result["data"]["metadata"]["path"].endswith("metadata_devtest.tsv")
    assert "tok:zh" in report["translation"]["zh"]["signature"]["bleu"]
    assert "tok:13a" in report["translation"]["ru"]["signature"]["bleu"]


def test_tiny_models_reports(tiny_report):
    report, (json_path, md_path) = tiny_report
    saved = json.loads(json_path.read_text(encoding="utf-8"))
    assert saved["schema"] == eval_report.EVAL_SCHEMA and set(saved["translation"]) == {"ru", "zh"}
    assert saved["versions"]["sacrebleu"] != "not installed"
    markdown = md_path.read_text(encoding="utf-8")
    for expected in ("| ru |", "| zh |", "tok:zh", "nc:6", report["translation"]["ru"]["model"]["label"]):
        assert expected in markdown
    table = eval_report.format_table(report)
    assert table.splitlines()[0].startswith("lang") and any(line.startswith("zh") for line in table.splitlines())
    if report["summarization"]:
        cnn = report["summarization"]["cnndm-3"]
        assert cnn["documents"] == 3 and len(cnn["outputs"]) == 3 and "ROUGE-L" in markdown
        assert 0 <= cnn["rougeL"] <= 100 and cnn["model"]["family"] == "bart"
