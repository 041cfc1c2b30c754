"""The whole job through the CLI, on the seed page, with tiny local models."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from jobs.cli import app
from jobs.errors import ExitCode
from jobs.inputs import read_articles
from jobs.outputs.records import record_schema
from tests.conftest import REPO, SEED_PAGE

runner = CliRunner()


def bundle_records(bundle: Path) -> list[dict]:
    return [json.loads(line) for line in (bundle / "articles.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def seed_articles():
    return read_articles([SEED_PAGE]).articles


@pytest.fixture(scope="module")
def three_languages(tmp_path_factory, tiny_models, tiny_config):
    """One run of the job into ru, kk and zh (plus the English source bundle)."""
    out = tmp_path_factory.mktemp("out")
    flags = []
    for lang in ("ru", "kk", "zh"):
        flags += ["--model", f"{lang}={tiny_models[lang]}"]
    args = [
        "run",
        "--config",
        str(tiny_config),
        "--lang",
        "ru",
        "--lang",
        "kk",
        "--lang",
        "zh",
        "--lang",
        "en",
        *flags,
        "--summary-model",
        str(tiny_models["summary"]),
        "--input",
        str(SEED_PAGE),
        "--out",
        str(out),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out, result


@pytest.mark.parametrize("lang", ["ru", "kk", "zh", "en"])
def test_run_writes_a_valid_bundle_per_language(three_languages, seed_articles, lang):
    out, _ = three_languages
    bundle = (out / lang / "latest").resolve()
    assert bundle.parent == (out / lang).resolve()
    records = bundle_records(bundle)
    validator = jsonschema.Draft202012Validator(record_schema())
    for record in records:
        validator.validate(record)
    assert [r["id"] for r in records] == seed_articles["id"]
    assert [len(r["paragraphs"]) for r in records] == [len(p) for p in seed_articles["paragraphs"]]
    assert all(r["lang"] == lang for r in records)
    assert all(r["title"] and r["summary"] and all(r["paragraphs"]) for r in records)
    assert sorted(p.name for p in (bundle / "articles").iterdir()) == sorted(f"{r['id']}.md" for r in records)


@pytest.mark.parametrize("lang", ["ru", "kk", "zh", "en"])
def test_manifest_lists_every_file_with_its_checksum(three_languages, lang):
    out, _ = three_languages
    bundle = (out / lang / "latest").resolve()
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    on_disk = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    assert sorted(manifest["files"]) + ["manifest.json"] == sorted(on_disk)
    for name, entry in manifest["files"].items():
        data = (bundle / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    assert manifest["lang"] == lang and manifest["run_id"] == bundle.name
    assert manifest["counts"]["articles"] == 6
    assert manifest["inputs"][0]["sha256"] == hashlib.sha256(SEED_PAGE.read_bytes()).hexdigest()
    assert manifest["models"]["summary"]["revision"].startswith("sha256:")
    assert manifest["versions"]["transformers"]
    if lang != "en":
        assert manifest["models"]["translation"]["licence"]


def test_source_language_bundle_keeps_the_original_text(three_languages, seed_articles):
    out, _ = three_languages
    records = bundle_records((out / "en" / "latest").resolve())
    assert [r["paragraphs"] for r in records] == seed_articles["paragraphs"]
    assert [r["title"] for r in records] == seed_articles["title"]
    assert all(r["models"]["translation"] is None for r in records)


def test_languages_share_the_english_summary_source(three_languages):
    out, result = three_languages
    ru = bundle_records((out / "ru" / "latest").resolve())
    en = bundle_records((out / "en" / "latest").resolve())
    assert [r["source"]["sha256"] for r in ru] == [r["source"]["sha256"] for r in en]
    assert "6 articles" in result.output and str(out / "ru") in result.output


def test_second_run_keeps_ids_and_moves_latest(three_languages, tiny_models, tiny_config):
    out, _ = three_languages
    first = (out / "ru" / "latest").resolve()
    args = [
        "run",
        "--config",
        str(tiny_config),
        "--lang",
        "ru",
        "--model",
        f"ru={tiny_models['ru']}",
        "--summary-model",
        str(tiny_models["summary"]),
        "--input",
        str(SEED_PAGE),
        "--out",
        str(out),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    second = (out / "ru" / "latest").resolve()
    assert second != first and first.is_dir()
    assert [r["id"] for r in bundle_records(second)] == [r["id"] for r in bundle_records(first)]
    # Greedy decoding of the same input with the same models gives the same text.
    assert [r["paragraphs"] for r in bundle_records(second)] == [r["paragraphs"] for r in bundle_records(first)]


def test_missing_model_offline_is_a_clear_error_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf-home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hf-home" / "hub"))
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--lang", "ru", "--out", str(out)])
    assert result.exit_code == ExitCode.MISSING_MODEL
    assert "is not in the local Hugging Face cache" in result.output
    assert "jobs models pull" in result.output
    assert not out.exists()


def test_missing_model_folder_is_a_clear_error(tmp_path, tiny_models):
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "run",
            "--lang",
            "ru",
            "--model",
            f"ru={tmp_path / 'nope'}",
            "--summary-model",
            str(tiny_models["summary"]),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == ExitCode.MISSING_MODEL
    assert "does not exist" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lang", "xx"], "unknown language 'xx'"),
        (["--model", "ru"], "--model takes LANG=ID_OR_DIR"),
        (["--device", "gpu"], "device must be auto, cpu, cuda"),
        (["--input", "no/such/file.txt"], "no/such/file.txt"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path, args, message, tiny_models):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", *args, "--summary-model", str(tiny_models["summary"]), "--out", str(out)])
    assert result.exit_code in (ExitCode.USAGE, ExitCode.BAD_INPUT), result.output
    assert message in result.output
    assert not out.exists()


def test_python_dash_m_and_help_list_exit_codes():
    result = subprocess.run(
        [sys.executable, "-m", "jobs", "--help"], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode == 0
    assert "Exit codes" in result.stdout and "another run holds" in result.stdout


def test_models_list_shows_the_registry():
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 0, result.output
    for expected in (
        "Helsinki-NLP/opus-mt-en-ru",
        "Helsinki-NLP/opus-mt-en-zh",
        "sshleifer/distilbart-cnn-12-6",
        "apache-2.0",
    ):
        assert expected in result.output


def _command_paths(group, prefix=()):
    """Every command of the app, as the words that name it (`models pull` is two)."""
    for name, command in group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from _command_paths(command, (*prefix, name))


def test_help_of_every_command_shows_brackets_defaults_and_no_python_types():
    import typer

    root = typer.main.get_command(app)
    paths = [(), *_command_paths(root)]
    assert ("models", "pull") in paths and ("shell-init",) in paths
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], terminal_width=100)
        assert result.exit_code == 0, (path, result.output)
        text = " ".join(result.output.split())  # wrapped lines joined
        assert "<list[" not in text and "<str>" not in text.split("Arguments:")[0], (path, text)
        if "--backend" in text:
            assert "'.[ct2]'" in text, path
        if "--engine" in text:
            assert "'.[ray]'" in text, path
        if "--model" in text:
            assert "HUB_ID[@REV]" in text, path
        if "--device" in text:
            assert "[default: (auto)]" in text, path
        if "--lang LANG" in text and path[0] in ("run", "eval"):
            assert "[default: (all)]" in text, path
    root_help = runner.invoke(app, ["--help"]).output
    assert "--install-completion" in root_help and "--show-completion" in root_help
    run_help = runner.invoke(app, ["run", "--help"]).output
    assert "'.[ct2]'" in run_help and "'.[ray]'" in run_help and "[@REV]" in run_help


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--no-translation"], "--summaries FILE"),
        (["--lang", "ru", "--no-summaries"], "--flores DIR"),
        (["--lang", "ru"], "--flores DIR"),
    ],
)
def test_eval_without_its_data_exits_3_saying_where_to_get_it(tmp_path, monkeypatch, args, named):
    monkeypatch.setenv("JOBS_EVAL_DATA", str(tmp_path / "no-eval-data"))
    result = runner.invoke(app, ["eval", *args, "--report-dir", str(tmp_path / "report")])
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert result.output.startswith("error: ") and named in result.output
    assert not (tmp_path / "report").exists()


def test_models_list_measures_sizes_on_disk(tmp_path, tiny_config, tiny_models, monkeypatch):
    import yaml

    from jobs.models.hub import human_size

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the uncached hub model's size stays unknown
    registry = yaml.safe_load(tiny_config.read_text(encoding="utf-8"))
    registry["languages"]["ru"]["model"] = str(tiny_models["ru"])
    config = tmp_path / "models.yaml"
    config.write_text(yaml.safe_dump(registry), encoding="utf-8")
    result = runner.invoke(app, ["models", "list", "--config", str(config)])
    assert result.exit_code == 0, result.output
    size = sum(p.stat().st_size for p in tiny_models["ru"].rglob("*") if p.is_file())
    ru = next(line for line in result.output.splitlines() if line.startswith("ru "))
    assert f" {human_size(size)}  local folder" in ru
    kk = next(line for line in result.output.splitlines() if line.startswith("kk "))
    assert kk.endswith(" ?  no") or "yes (" in kk  # offline, an uncached model's size is unknown


def test_unknown_language_hints_only_flags_that_work(tiny_config):
    upper = runner.invoke(app, ["run", "--config", str(tiny_config), "--lang", "RU"])
    assert upper.exit_code == ExitCode.USAGE
    assert "--lang ru" in upper.output and "--model RU" not in upper.output
    odd = runner.invoke(app, ["run", "--config", str(tiny_config), "--lang", "Russian!"])
    assert odd.exit_code == ExitCode.USAGE and "--model" not in odd.output


def test_no_summary_translates_without_the_summarizer(tmp_path, tiny_models, tiny_config, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the registry's summarizer is not cached: it must not be needed
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    out = tmp_path / "out"
    args = ["run", "--config", str(tiny_config), "--lang", "ru", "--model", f"ru={tiny_models['ru']}"]
    result = runner.invoke(app, [*args, "--no-summary", "--input", str(SEED_PAGE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = bundle_records((out / "ru" / "latest").resolve())
    assert records and all(r["summary"] is None and r["models"]["summary"] is None for r in records)
    for record in records:
        jsonschema.validate(record, record_schema())
    assert "models loaded: 1" in result.output  # the translation model only


def test_end_summary_fits_80_columns_and_says_where_things_are(tmp_path):
    from jobs.cli.run import summary_lines
    from jobs.errors import InputProblem
    from jobs.pipeline import RunReport

    bundle = tmp_path / "outputs" / "ru" / "20261202T030000Z-3f9a1c"
    report = RunReport(run_id=bundle.name, bundles={"ru": bundle}, articles=6, units=194, cache_hits=3)
    report.qa = {"ru": {"wrong_script": 177, "repetition": 126, "numbers_missing": 30, "length_ratio": 133}}
    report.failures = [InputProblem("seeds/x.jsonl", 3, None, "malformed JSON " + "x" * 120)]
    report.timings = {"read": 0.5, "summarize": 15.5, "translate ru": 2.4, "publish": 0.3}
    lines = summary_lines(report)
    assert all(len(line) <= 80 for line in lines if str(tmp_path) not in line), lines  # paths stay whole
    text = "\n".join(lines)
    assert f"ru   {bundle}" in text and "reused from the cache" in text and "seeds/x.jsonl:3" in text
    assert lines[-1].strip().endswith(f"preview --out {bundle.parent.parent}")


def test_encoding_hint_names_the_detected_cyrillic_codepage(tmp_path):
    text = "Приказ №5: редакция публикует новости на трёх языках.\n\nВторой абзац статьи о переводе новостей.\n"
    path = tmp_path / "article.txt"
    path.write_bytes(text.encode("cp1251"))
    from jobs.errors import InputError

    with pytest.raises(InputError) as info:
        read_articles([path])
    message = info.value.problems[0].message
    assert "--encoding cp1251" in message and "1252" not in message
    fixed = read_articles([path], encoding="cp1251").articles
    assert "№5" in fixed[0]["title"]
