"""Editorial control: glossaries, corrections that stick, QA-driven repair (docs/editorial.md)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobs.backends.base import Generated
from jobs.backends.identity import ModelIdentity
from jobs.cli import app
from jobs.errors import ConfigError
from jobs.pipeline import run_job
from jobs.stages.corrections import corrections_path, load_memory, read_corrections
from jobs.stages.editorial import Editorial
from jobs.stages.glossary import Glossary, Term, load_glossary, restore
from jobs.stages.repair import choose, verdict
from jobs.stages.segment import segment_articles
from jobs.stages.translate import assemble_articles, translate_units
from tests.conftest import SEED_PAGE
from tests.test_cron import Recorder, config_for

TERM = "Kazakhstan"


class CopyBackend:
    """A test double that 'translates' by copying its input: placeholders come back as they went in."""

    max_input_tokens = 512

    def __init__(self):
        self.identity = ModelIdentity("copy", "copy", None, "1", "ru", "en", None, None, None)
        self.sent: list[str] = []

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]

    def counter(self):
        return lambda text: len(text.split())

    def generate(self, texts, on_progress=None):
        self.sent += list(texts)
        return Generated(list(texts), [False] * len(texts))


def config_dir(tmp_path: Path, tiny_config: Path, *, glossary: str | None = None, repair: bool = True) -> Path:
    """The tiny registry in a folder of its own, with glossary/ru.tsv and editorial.yaml beside it."""
    folder = tmp_path / ("config" if repair else "config-no-repair")
    (folder / "glossary").mkdir(parents=True, exist_ok=True)
    shutil.copy(tiny_config, folder / "models.yaml")
    if glossary is not None:
        (folder / "glossary" / "ru.tsv").write_text(glossary, encoding="utf-8")
    (folder / "editorial.yaml").write_text(f"repair:\n  enabled: {str(repair).lower()}\n", encoding="utf-8")
    return folder / "models.yaml"


def invoke(app, args):
    """The CLI in-process, the job's log handlers put back afterwards (the runner closes its streams)."""
    handlers = logging.getLogger("jobs").handlers[:]
    try:
        return CliRunner().invoke(app, args)
    finally:
        logging.getLogger("jobs").handlers[:] = handlers


def records_of(bundle: Path) -> list[dict]:
    return [json.loads(line) for line in (bundle / "articles.jsonl").read_text(encoding="utf-8").splitlines()]


# --------------------------------------------------------------------------- glossary


def test_glossary_file_keep_and_bad_lines(tmp_path):
    path = tmp_path / "ru.tsv"
    path.write_text("# names\nKassym-Jomart Tokayev\tКасым-Жомарт Токаев\tpresident\nAstana\tkeep\n", encoding="utf-8")
    glossary = load_glossary(path, "ru")
    assert [(t.source, t.target) for t in glossary.terms] == [
        ("Kassym-Jomart Tokayev", "Касым-Жомарт Токаев"),
        ("Astana", "Astana"),
    ]
    path.write_text("Astana\tkeep\nAstana\tАстана\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"ru.tsv, line 2: 'Astana' is already on line 1"):
        load_glossary(path, "ru")
    path.write_text("Astana only\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 1: expected SOURCE<TAB>TARGET"):
        load_glossary(path, "ru")


def test_protect_matches_whole_words_longest_first_and_restores():
    glossary = Glossary("ru", [Term("Tokayev", "Токаев"), Term("Kassym-Jomart Tokayev", "Касым-Жомарт Токаев")])
    protected = glossary.protect("Kassym-Jomart Tokayev met Tokayevs fans; tokayev's aides said so.")
    assert protected.model_input == "QX1 met Tokayevs fans; QX2's aides said so."
    assert [t.source for t in protected.terms] == ["Kassym-Jomart Tokayev", "Tokayev"]
    assert restore("qx1 встретил Q X2", protected) == "Касым-Жомарт Токаев встретил Токаев"
    assert glossary.protect("No term here.").key == "No term here."


def test_a_copying_backend_gets_the_required_targets(tiny_models):
    """The mechanism itself: with a backend that copies its input, every required target is in the
    output and no glossary flag fires; what went to the model holds placeholders, not the terms."""
    from datasets import Dataset

    articles = Dataset.from_list(
        [{"id": "a1", "title": "Tokayev visits Astana", "summary": "", "paragraphs": ["Tokayev met Xi in Astana."]}]
    )
    units = segment_articles(articles)
    glossary = Glossary("ru", [Term("Tokayev", "Токаев"), Term("Astana", "Astana")])
    backend = CopyBackend()
    outputs = translate_units(units, backend, "ru", editorial=Editorial("ru", glossary=glossary))
    assert all("Tokayev" not in text and "QX1" in text for text in backend.sent)
    content = assemble_articles(units, outputs, "ru")["a1"]
    assert content["title"] == "Токаев visits Astana"
    assert content["paragraphs"] == ["Токаев met Xi in Astana."]
    assert not [f for f in content["qa_flags"] if f["flag"] == "glossary"]
    assert content["editorial"]["glossary_checked"] == 2


def test_the_glossary_flag_fires_with_the_tiny_models(tmp_path, tiny_models, tiny_config):
    """Random-weight models do not copy placeholders: the required target is missing and says so."""
    config_file = config_dir(tmp_path, tiny_config, glossary=f"{TERM}\tКазахстан\n", repair=False)
    config = config_for(tiny_models, config_file, tmp_path / "out", SEED_PAGE)
    bundle = run_job(config).bundles["ru"]
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    flags = [f for r in records_of(bundle) for f in r["qa"]["flags"] if f["flag"] == "glossary"]
    checked = sum(r["editorial"]["glossary_checked"] for r in records_of(bundle))
    assert flags and manifest["qa"]["glossary"] == len(flags)
    assert all(f["detail"] == f"{TERM} -> Казахстан" and "sentence" in f for f in flags)
    assert manifest["editorial"]["units"]["glossary_checked"] == checked >= len(flags)
    assert manifest["editorial"]["glossary"]["terms"] == 1


def test_a_term_change_regenerates_exactly_the_units_containing_it(tmp_path, tiny_models, tiny_config, monkeypatch):
    out = tmp_path / "out"
    config_file = config_dir(tmp_path, tiny_config, glossary=f"{TERM}\tКазахстан\n", repair=False)
    recorder = Recorder(monkeypatch)
    run_job(config_for(tiny_models, config_file, out, SEED_PAGE))
    containing = {t for t in recorder.sent["ru"] if "QX1" in t}
    assert containing and len(containing) < len(set(recorder.sent["ru"]))
    recorder.sent.clear()
    unchanged = run_job(config_for(tiny_models, config_file, out, SEED_PAGE))
    assert unchanged.cache_misses == 0 and recorder.sent == {}
    (config_file.parent / "glossary" / "ru.tsv").write_text(f"{TERM}\tРеспублика Казахстан\n", encoding="utf-8")
    changed = run_job(config_for(tiny_models, config_file, out, SEED_PAGE))
    assert set(recorder.sent["ru"]) == containing and changed.cache_misses == len(containing)
    assert changed.cache_hits > 0


# --------------------------------------------------------------------------- corrections


def test_a_correction_survives_ten_runs_force_and_a_model_change(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    first = run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE)).bundles["ru"]
    record = records_of(first)[0]
    fixed = "Исправленное редактором предложение."
    result = invoke(
        app,
        ["correct", "--lang", "ru", "--out", str(out), "--article", record["id"], "--part", "body"]
        + ["--paragraph", "0", "--sentence", "0", "--text", fixed, "--who", "desk"],
    )
    assert result.exit_code == 0, result.output
    unused = ["correct", "--lang", "ru", "--out", str(out), "--source", "A sentence no article has.", "--text", "X."]
    assert invoke(app, unused).exit_code == 0
    stored, _ = read_corrections(corrections_path(out, "ru"))
    assert stored[0].who == "desk" and stored[0].article == record["id"] and stored[0].target == fixed

    configs = [config_for(tiny_models, tiny_config, out, SEED_PAGE) for _ in range(10)]
    configs.append(config_for(tiny_models, tiny_config, out, SEED_PAGE, force=True))
    other_model = config_for(tiny_models, tiny_config, out, SEED_PAGE)
    configs.append(
        other_model.model_copy(
            update={
                "models": {
                    "ru": other_model.models["ru"].model_copy(
                        update={"model": str(tiny_models["zh"]), "target_token": ">>cmn_Hans<<"}
                    )
                }
            }
        )
    )
    for config in configs:
        bundle = run_job(config).bundles["ru"]
        again = next(r for r in records_of(bundle) if r["id"] == record["id"])
        assert again["paragraphs"][0].startswith(fixed)
        assert {"part": "body", "paragraph": 0, "sentence": 0, "origin": "human"} in again["editorial"]["units"]
        assert again["editorial"]["human"] >= 1
        feed = json.loads((bundle / "feed.json").read_text(encoding="utf-8"))
        item = next(i for i in feed["items"] if i["id"] == record["id"])
        assert item["_jobs"]["editorial"]["human"] >= 1 and item["_jobs"]["editorial"]["origin"] == "mixed"
        manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["editorial"]["corrections"]["used"] == 1
        assert manifest["editorial"]["corrections"]["unused_sources"] == ["A sentence no article has."]
    assert len(read_corrections(corrections_path(out, "ru"))[0]) == 2  # the store itself is untouched
    page = _preview(out)
    assert 'data-origin="human"' in page and "an editor&#x27;s correction" in page


def _preview(out: Path) -> str:
    result = invoke(app, ["preview", "--out", str(out), "--lang", "ru"])
    assert result.exit_code == 0, result.output
    return Path(result.output.strip().splitlines()[-1]).read_text(encoding="utf-8")


def test_a_paragraph_correction_replaces_the_whole_paragraph(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    first = run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE)).bundles["ru"]
    record = next(r for r in records_of(first) if len(r["paragraphs"]) > 1)
    args = ["correct", "--lang", "ru", "--out", str(out), "--article", record["id"], "--part", "body"]
    assert invoke(app, [*args, "--paragraph", "1", "--text", "Весь абзац."]).exit_code == 0
    bundle = run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE)).bundles["ru"]
    again = next(r for r in records_of(bundle) if r["id"] == record["id"])
    assert again["paragraphs"][1] == "Весь абзац."
    human = [u for u in again["editorial"]["units"] if u["origin"] == "human"]
    assert [(u["part"], u["paragraph"]) for u in human] == [("body", 1)]
    assert not [f for f in again["qa"]["flags"] if f["part"] == "body" and f.get("paragraph") == 1]


def test_correct_names_what_is_wrong(tmp_path):
    result = invoke(
        app, ["correct", "--lang", "ru", "--out", str(tmp_path), "--article", "x", "--part", "body", "--text", "y"]
    )
    assert result.exit_code == 2 and "no bundle for ru" in result.output
    result = invoke(app, ["correct", "--lang", "ru", "--out", str(tmp_path), "--source", "A.", "--text", " "])
    assert result.exit_code == 2 and "is empty" in result.output
    assert not corrections_path(tmp_path, "ru").exists()


def test_withdrawn_and_damaged_lines(tmp_path):
    base = ["correct", "--lang", "ru", "--out", str(tmp_path), "--source", "A  sentence."]
    assert invoke(app, [*base, "--text", "Б."]).exit_code == 0
    with corrections_path(tmp_path, "ru").open("a", encoding="utf-8") as handle:
        handle.write('{"source": "half a line')  # a crash mid-write
    assert invoke(app, [*base, "--withdraw"]).exit_code == 0
    memory = load_memory(tmp_path, "ru")
    assert not memory and len(memory.problems) == 1 and "line 2" in memory.problems[0]
    assert invoke(app, [*base, "--text", "В."]).exit_code == 0
    assert load_memory(tmp_path, "ru").lookup("A sentence.") == "В."


# --------------------------------------------------------------------------- repair


def test_a_bad_editorial_file_stops_the_run_before_anything(tmp_path, tiny_models, tiny_config):
    config_file = config_dir(tmp_path, tiny_config)
    (config_file.parent / "editorial.yaml").write_text("repair:\n  max_share: 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"editorial.yaml: repair.max_share: Input should be less than or equal to 1"):
        run_job(config_for(tiny_models, config_file, tmp_path / "out", SEED_PAGE))
    (config_file.parent / "editorial.yaml").unlink()
    (config_file.parent / "glossary" / "ru.tsv").write_text("Astana\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"ru.tsv, line 1: expected SOURCE<TAB>TARGET"):
        run_job(config_for(tiny_models, config_file, tmp_path / "out", SEED_PAGE))
    assert not (tmp_path / "out").exists()


def test_a_unit_is_chosen_for_repair_by_itself_alone():
    flagged = {f"sentence {n}": [("repetition", None)] for n in range(1000)}
    chosen, left_out = choose(flagged, 0.1)
    assert 60 < len(chosen) < 140 and len(chosen) + left_out == 1000
    fewer = {key: found for key, found in list(flagged.items())[:500]}
    assert choose(fewer, 0.1)[0] == [key for key in chosen if key in fewer]
    assert choose({"clean": [("length_limit", None)], "ok": []}, 1.0) == (["clean"], 0)


def test_verdict_keeps_the_first_on_a_tie():
    assert verdict([("repetition", None)], [("length_ratio", "2.5")]) == "repair"
    assert verdict([("length_ratio", "2.5")], [("length_ratio", "2.6")]) == "first"


def test_repair_lowers_the_flags_within_its_budget(tmp_path, tiny_models, tiny_config):
    def units_flagged(bundle: Path, flag: str) -> int:
        return sum(
            len({(f["part"], f.get("paragraph"), f.get("sentence")) for f in r["qa"]["flags"] if f["flag"] == flag})
            for r in records_of(bundle)
        )

    no_repair = config_dir(tmp_path, tiny_config, repair=False)
    off = run_job(config_for(tiny_models, no_repair, tmp_path / "off", SEED_PAGE))
    on = run_job(config_for(tiny_models, tiny_config, tmp_path / "on", SEED_PAGE))
    before, after = off.bundles["ru"], on.bundles["ru"]
    manifest = json.loads((after / "manifest.json").read_text(encoding="utf-8"))
    repair = manifest["editorial"]["repair"]
    assert 0 < repair["attempted"] == repair["flagged"] - repair["left_out"] < repair["flagged"] / 2
    assert repair["repaired"] == manifest["editorial"]["units"]["repaired"] > 0
    assert repair["seconds"] > 0 and repair["setting"]["no_repeat_ngram_size"] == 3
    assert units_flagged(after, "repetition") < units_flagged(before, "repetition")
    assert sum(manifest["qa"].values()) < sum(json.loads((before / "manifest.json").read_text())["qa"].values())
    for record in records_of(after):
        for unit in record["editorial"]["units"]:
            if unit["origin"] == "repaired":
                assert unit["repair"]["kept"] == "repair" and unit["repair"]["why"]
    cached = run_job(config_for(tiny_models, tiny_config, tmp_path / "on", SEED_PAGE))
    again = json.loads((cached.bundles["ru"] / "manifest.json").read_text(encoding="utf-8"))["editorial"]["repair"]
    assert again["cached"] == again["attempted"] == repair["attempted"] and cached.cache_misses == 0
    assert (cached.bundles["ru"] / "articles.jsonl").read_bytes() == (after / "articles.jsonl").read_bytes()


def test_each_unit_sent_to_repair_is_decoded_in_a_batch_of_its_own(tiny_models, monkeypatch):
    """A repair candidate must not depend on which other units a run (a Ray run, an archive
    shard, an hourly run) sends to repair: int8 outputs and a batch's length limit depend on the
    batch's rows. So every batch at the repair setting holds one unit; the first pass batches."""
    from jobs.backends.base import BackendOptions
    from jobs.backends.torch import TorchBackend
    from jobs.config import GenerationSettings, ModelSpec
    from jobs.inputs import read_articles
    from jobs.stages.repair import RepairSettings

    decoded: list[tuple[int, int]] = []  # (beams, rows) of each batch, the repair twin's included
    real = TorchBackend._generate_batch

    def generate_batch(self, ids, max_new, min_new):
        decoded.append((self.settings.num_beams, len(ids)))
        return real(self, ids, max_new, min_new)

    monkeypatch.setattr(TorchBackend, "_generate_batch", generate_batch)
    settings = GenerationSettings(max_new_tokens=12)
    backend = TorchBackend(
        ModelSpec(model=str(tiny_models["ru"])), "ru", BackendOptions(device="cpu", settings=settings)
    )
    units = segment_articles(read_articles([SEED_PAGE]).articles)
    editorial = Editorial("ru", repair=RepairSettings(), translation=settings)
    outputs = translate_units(units, backend, "ru", editorial=editorial)
    first = [rows for beams, rows in decoded if beams == 1]
    second = [rows for beams, rows in decoded if beams == 4]
    assert outputs.split_units == 0 and max(first) > 1
    assert len(second) == editorial.repair_stats.attempted > 1 and set(second) == {1}


@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
def test_the_repair_twin_has_its_own_identity_and_shares_the_weights(tmp_path, tiny_models, tiny_config, backend):
    from jobs.backends import make_backend

    config = config_for(tiny_models, tiny_config, tmp_path / "out", SEED_PAGE, backend=backend)
    first = make_backend(config.models["ru"], "ru", config, translation=True)
    twin = first.with_settings(config.translation.model_copy(update={"num_beams": 4, "no_repeat_ngram_size": 3}))
    assert twin.identity.key() != first.identity.key() and twin.settings.num_beams == 4
    assert not first.is_loaded
    looped = twin.generate(["Xi made the remarks in a written statement upon his arrival in Astana."])
    assert first.is_loaded and first.loaded is twin.loaded  # loaded once, through the first
    assert looped.texts[0] and first.settings.num_beams == 1
    first.close()
