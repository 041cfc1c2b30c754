"""`jobs archive`: shards on Ray give the records `jobs run` gives, and a rerun does only unfinished shards."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

ray = pytest.importorskip("ray", reason="the Ray engine is optional: pip install -e '.[ray]'")

from jobs.cli import app  # noqa: E402
from jobs.outputs.verify import verify_bundle  # noqa: E402
from tests.conftest import SEED_PAGE  # noqa: E402

runner = CliRunner()


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch):
    """The archive's shards and the local run at one time (SOURCE_DATE_EPOCH): dates agree too."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")


@pytest.fixture(scope="module", autouse=True)
def local_ray(tmp_path_factory):
    ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False, _temp_dir=str(tmp_path_factory.mktemp("ray")))
    yield
    ray.shutdown()


@pytest.fixture
def archive_file(tmp_path) -> Path:
    """The seed page's six articles as one JSONL file, with a blank line (skipped, still counted)."""
    from jobs.inputs import read_articles

    rows = read_articles([SEED_PAGE]).articles.to_list()
    lines = [json.dumps({"title": r["title"], "paragraphs": r["paragraphs"]}) for r in rows]
    path = tmp_path / "archive" / "articles.jsonl"
    path.parent.mkdir()
    path.write_text("\n".join([*lines[:3], "", *lines[3:]]) + "\n", encoding="utf-8")
    return path


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def without_summary(record: dict) -> dict:
    """A record without its summary texts and what derives from them (the summary's QA flags and
    editorial units, the review and the editorial counts)."""
    kept = {k: v for k, v in record.items() if k not in ("summary", "review", "editorial")}
    kept["source"] = {k: v for k, v in record["source"].items() if k != "summary"}
    kept["qa"] = {**record["qa"], "flags": [f for f in record["qa"]["flags"] if f["part"] != "summary"]}
    kept["editorial_units"] = [u for u in record["editorial"]["units"] if u["part"] != "summary"]
    return kept


def models_args(tiny_models, tiny_config) -> list[str]:
    return ["--config", str(tiny_config), "--lang", "ru", "--model", f"ru={tiny_models['ru']}"] + [
        "--summary-model",
        str(tiny_models["summary"]),
    ]


def archive(tiny_models, tiny_config, inputs: Path, out: Path):
    args = ["archive", "-i", str(inputs), "--out", str(out), "--shard-size", "2", "--ray-actors", "1"]
    return runner.invoke(app, [*args, *models_args(tiny_models, tiny_config)])


def test_archive_shards_publish_what_jobs_run_publishes_and_a_rerun_redoes_only_missing_shards(
    tmp_path, tiny_models, tiny_config, archive_file
):
    """At default settings (QA repair on), in the suite's torch in the weights' dtype (conftest):
    a shard's records are those of one local run. Repair decodes each unit alone and a long
    article's intermediate summaries are batched only with each other, so neither depends on
    which articles share a shard; the last summary pass is batched across a call's articles (as
    one-window articles always were), and padding may change a random-weight model's near-tied
    beam choice there: a record whose English summary differs must match in everything else."""
    local = runner.invoke(
        app,
        ["run", "-i", str(archive_file), "--out", str(tmp_path / "local"), *models_args(tiny_models, tiny_config)]
        + ["--cache", str(tmp_path / "cache.sqlite3")],
    )
    assert local.exit_code == 0, local.output
    out = tmp_path / "archive-out"
    first = archive(tiny_models, tiny_config, archive_file.parent, out)
    assert first.exit_code == 0, first.output
    assert "3 shards (0 finished before, 3 generated now)" in first.output
    bundle = (out / "ru" / "latest").resolve()
    expected = (tmp_path / "local" / "ru" / "latest").resolve()
    mine, theirs = (read_lines(b / "articles.jsonl") for b in (bundle, expected))
    assert [r["id"] for r in mine] == [r["id"] for r in theirs]
    assert max(r["qa"]["summary_levels"] for r in theirs) > 1  # long articles (map-reduce) among them
    assert sum(r["editorial"]["repaired"] for r in theirs) > 0  # and repaired units
    same = {a["id"] for a, b in zip(mine, theirs) if a["source"]["summary"] == b["source"]["summary"]}
    assert 2 * len(same) >= len(mine), "most summaries must come out the same"
    assert [r for r in mine if r["id"] in same] == [r for r in theirs if r["id"] in same]
    assert [without_summary(r) for r in mine] == [without_summary(r) for r in theirs]
    markdown = {p.name: p.read_bytes() for p in (bundle / "articles").glob("*.md") if p.stem in same}
    assert markdown == {p.name: p.read_bytes() for p in (expected / "articles").glob("*.md") if p.stem in same}
    assert verify_bundle(bundle) == []
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["counts"] == json.loads((expected / "manifest.json").read_text())["counts"]
    assert manifest["cache"] == {"shards": 3, "reused": 0, "generated": 3}
    assert manifest["inputs"][0]["articles"] == 6

    shards = sorted((out / ".archive" / "shards").iterdir())
    assert len(shards) == 3
    shutil.rmtree(shards[1])  # as if the run had been killed before this shard finished
    second = archive(tiny_models, tiny_config, archive_file.parent, out)
    assert second.exit_code == 0, second.output
    assert "3 shards (2 finished before, 1 generated now)" in second.output
    again = (out / "ru" / "latest").resolve()
    assert again != bundle
    assert (again / "articles.jsonl").read_bytes() == (bundle / "articles.jsonl").read_bytes()


def test_a_changed_file_redoes_only_its_changed_shards(tmp_path, tiny_models, tiny_config, archive_file):
    """Shards are keyed by their bytes: appending articles leaves the finished shards as they are."""
    from jobs.engines.shards import plan_shards
    from jobs.inputs.sources import collect_sources

    before, _ = plan_shards(collect_sources([archive_file]), 2, "settings")
    with archive_file.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"title": "One more", "paragraphs": ["Another article at the end."]}) + "\n")
    after, files = plan_shards(collect_sources([archive_file]), 2, "settings")
    assert [s.lines for s in before] == [2, 2, 2] and [s.lines for s in after] == [2, 2, 2, 1]
    assert [s.key for s in after[:3]] == [s.key for s in before]
    assert plan_shards(collect_sources([archive_file]), 2, "other model")[0][0].key != before[0].key
    assert files[0].sha256 != "" and after[1].first_line == 3 and after[2].first_line == 6  # the blank line 4 counted
