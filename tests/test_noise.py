"""Signal, not noise: --verbose shows the job's decisions, a cached stage says it generates nothing,
warnings that do not apply stay away, log lines print above progress bars, `eval` says what it skips."""

from __future__ import annotations

import io
import logging
import re

import pytest
from typer.testing import CliRunner

from jobs.cli import app
from jobs.errors import ConfigError
from tests.conftest import SEED_PAGE

runner = CliRunner()


def _run(tiny_config, tiny_models, out, *global_flags: str):
    args = ["run", "--config", str(tiny_config), "--lang", "ru", "--model", f"ru={tiny_models['ru']}"]
    args += ["--summary-model", str(tiny_models["summary"]), "--input", str(SEED_PAGE), "--out", str(out)]
    return runner.invoke(app, [*global_flags, *args])


def _to_do(output: str, stage: str) -> tuple[int, int]:
    found = re.findall(rf"{stage}: (\d+) to do, (\d+) from the cache", output)
    assert len(found) == 1, output
    return int(found[0][0]), int(found[0][1])


def test_verbose_shows_the_jobs_decisions_and_to_do_counts_only_what_is_generated(tmp_path, tiny_config, tiny_models):
    out = tmp_path / "out"
    first = _run(tiny_config, tiny_models, out, "--verbose")
    assert first.exit_code == 0, first.output
    debug = [line for line in first.output.splitlines() if " DEBUG " in line]
    assert any("settings: " in line and '"backend":"auto"' in line for line in debug), debug
    assert any(re.search(r"ru: torch \(asked: --backend auto\) on cpu, dtype fp32", line) for line in debug), debug
    assert any(re.search(r"ru: \d+ texts in \d+ batches", line) for line in debug), debug
    assert any(re.search(r"summary: \d+ texts in \d+ batches", line) for line in debug), debug
    todo, cached = _to_do(first.output, "translate ru")
    assert todo > 0 and cached == 0
    assert _to_do(first.output, "summarize") == (6, 0)

    again = _run(tiny_config, tiny_models, out)
    assert again.exit_code == 0, again.output
    assert _to_do(again.output, "translate ru") == (0, todo)  # all from the cache: nothing "to do"
    assert _to_do(again.output, "summarize") == (0, 6)
    assert " DEBUG " not in again.output  # without --verbose


def test_the_long_sequence_warning_of_the_tokenizer_is_not_shown(tiny_models):
    """The job splits what is longer than the window, so transformers' "indexing errors" warning never applies."""
    from transformers.utils import logging as hf_logging

    from jobs.config import ModelSpec
    from jobs.models.text_side import load_text_side

    text = load_text_side(ModelSpec(model=str(tiny_models["ru"])), "ru", source_lang="en")
    seen = io.StringIO()
    handler = logging.StreamHandler(seen)
    hf_logging.set_verbosity_warning()
    hf_logging.get_logger().addHandler(handler)
    try:
        ids = text.tokenizer(" ".join(["The ancient Silk Road connected the two countries."] * 200))["input_ids"]
    finally:
        hf_logging.get_logger().removeHandler(handler)
        hf_logging.set_verbosity_error()
    assert len(ids) > text.tokenizer.model_max_length  # the case the warning is about
    assert "indexing errors" not in seen.getvalue()


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_log_lines_print_above_the_progress_bar(monkeypatch):
    from jobs.progress import Reporter, terminal_handler

    screen = Terminal()
    log = logging.getLogger("jobs")
    handler = terminal_handler(logging.Formatter("%(message)s"), screen)
    monkeypatch.setattr(log, "handlers", [handler])
    monkeypatch.setattr(log, "level", logging.INFO)
    import rich.progress

    consoles = []
    real_init = rich.progress.Progress.__init__

    def init(self, *columns, **options):
        consoles.append(options.get("console"))
        real_init(self, *columns, **options)

    monkeypatch.setattr(rich.progress.Progress, "__init__", init)
    with Reporter(bars=True).task("translate ru", 4) as advance:
        advance.plan(4, 0)
        advance(1)
        log.warning("a line in the middle of the stage")
        advance(3)
    lines = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "\n", screen.getvalue()).replace("\r", "\n").splitlines()
    said = [line for line in lines if "a line in the middle" in line]
    assert said and all("━" not in line and "translate ru " not in line for line in said), lines
    assert consoles == [handler.console]  # one Console: rich prints the log line above the live bar


def test_eval_says_when_it_skips_summary_scoring(tmp_path, monkeypatch):
    (tmp_path / "eval" / "summarization").mkdir(parents=True)  # no *.jsonl in it
    monkeypatch.setenv("JOBS_EVAL_DATA", str(tmp_path / "eval"))
    given = {}

    def run_eval(job, **kwargs):  # the scoring itself is tests/test_evaluate.py's
        given.update(kwargs)
        raise ConfigError("stopped by the test")

    monkeypatch.setattr("jobs.evaluation.run_eval", run_eval)
    result = runner.invoke(app, ["eval", "--lang", "ru", "--flores", str(tmp_path / "flores")])
    assert given["summaries"] == []
    assert "summaries are not scored" in result.output and "--summaries FILE" in result.output
    quiet = runner.invoke(app, ["eval", "--lang", "ru", "--flores", str(tmp_path / "flores"), "--no-summaries"])
    assert "summaries are not scored" not in quiet.output


@pytest.mark.parametrize("quiet", [False, True])
def test_an_error_has_one_level_word_in_the_log_file(tmp_path, quiet):
    log_file = tmp_path / "jobs.log"
    flags = ["--log-file", str(log_file), *(["--quiet"] if quiet else [])]
    result = runner.invoke(app, [*flags, "run", "--lang", "xx", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    logged = log_file.read_text(encoding="utf-8")
    assert re.search(r"Z ERROR unknown language 'xx'", logged) and "ERROR error" not in logged, logged
    assert len(re.findall(r"run finished: run=- exit=2 ", logged)) == 1, logged
