"""Cron-grade behaviour: incremental cache, cheap no-op runs, the lock, kill -9, exit codes, logs."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobs.backends.torch import TorchBackend
from jobs.cli import app
from jobs.config import build_config
from jobs.errors import ExitCode
from jobs.outputs.lock import RunLock
from jobs.pipeline import run_job
from tests.conftest import REPO, SEED_PAGE

runner = CliRunner()
# Subprocess runs: offline, and one thread (tiny models gain nothing from threads on shared cores).
RUN_ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}


def job_args(
    tiny_models, tiny_config, out: Path, *extra: str, langs=("ru",), input_path: Path = SEED_PAGE
) -> list[str]:
    args = [
        "run",
        "--config",
        str(tiny_config),
        "--input",
        str(input_path),
        "--out",
        str(out),
        "--summary-model",
        str(tiny_models["summary"]),
    ]
    for lang in langs:
        args += ["--lang", lang, "--model", f"{lang}={tiny_models[lang]}"]
    return args + list(extra)


def config_for(tiny_models, tiny_config, out: Path, input_path: Path, **options):
    return build_config(
        config_file=tiny_config,
        langs=["ru"],
        inputs=[input_path],
        out=out,
        model_overrides=[f"ru={tiny_models['ru']}"],
        summary_model=str(tiny_models["summary"]),
        **options,
    )


class Recorder:
    """Records every text each backend sends to generate(), by role."""

    def __init__(self, monkeypatch):
        self.sent: dict[str, list[str]] = {}
        self.calls: dict[str, list[list[str]]] = {}
        real = TorchBackend.generate
        recorder = self

        def generate(backend, texts, on_progress=None, settings=None, **options):
            recorder.sent.setdefault(backend.role, []).extend(texts)
            recorder.calls.setdefault(backend.role, []).append(list(texts))
            return real(backend, texts, on_progress, settings, **options)

        monkeypatch.setattr(TorchBackend, "generate", generate)


def complete_bundles(out: Path, lang: str) -> list[Path]:
    """Visible bundle folders, each checked to be complete against its manifest."""
    import hashlib

    bundles = []
    for path in sorted((out / lang).iterdir()):
        if path.name.startswith(".") or path.is_symlink():
            continue
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        for name, entry in manifest["files"].items():
            assert hashlib.sha256((path / name).read_bytes()).hexdigest() == entry["sha256"], f"{path}/{name}"
        bundles.append(path)
    return bundles


def test_rerun_sends_only_the_edited_sentence_and_that_articles_summary(
    tmp_path, tiny_models, tiny_config, monkeypatch
):
    page = tmp_path / "page.txt"
    text = SEED_PAGE.read_text(encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    first = run_job(config_for(tiny_models, tiny_config, out, page))
    assert first.cache_hits == 0 and first.models_loaded == 2

    recorder = Recorder(monkeypatch)
    second = run_job(config_for(tiny_models, tiny_config, out, page))
    assert recorder.sent == {} and second.models_loaded == 0 and second.cache_misses == 0
    assert second.bundles["ru"] != first.bundles["ru"]  # a fresh bundle all the same

    old = "China and Kazakhstan share a long tradition of friendship, Xi noted."
    new = "China and Kazakhstan share a very long tradition of friendship, Xi noted."
    page.write_text(text.replace(old, new), encoding="utf-8")
    third = run_job(config_for(tiny_models, tiny_config, out, page))
    records = [json.loads(line) for line in (third.bundles["ru"] / "articles.jsonl").read_text().splitlines()]
    # Only the edited article is summarized again: its chunks are the whole first summary call.
    edited_words = " ".join(
        p.strip() for p in text.replace(old, new).split("•")[1].splitlines()[1:] if p.strip()
    ).split()
    assert " ".join(recorder.calls["summary"][0]).split() == edited_words
    sent_ru = recorder.sent["ru"]
    assert new in sent_ru and old not in sent_ru
    # Besides the edited sentence, only sentences of that article's new summary are translated.
    others = [s for s in sent_ru if s != new]
    assert others and all(s not in text for s in others)
    assert third.cache_misses == 1 + 1 + len(others)  # summary + edited sentence + new summary sentences
    assert records[0]["source"]["sha256"] != first_records(first)[0]["source"]["sha256"]
    assert [r["source"]["sha256"] for r in records[1:]] == [r["source"]["sha256"] for r in first_records(first)[1:]]


def first_records(report):
    return [json.loads(line) for line in (report.bundles["ru"] / "articles.jsonl").read_text().splitlines()]


def test_force_ignores_the_cache(tmp_path, tiny_models, tiny_config, monkeypatch):
    out = tmp_path / "out"
    run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE))
    recorder = Recorder(monkeypatch)
    forced = run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE, force=True))
    assert forced.cache_hits == 0 and forced.models_loaded == 2 and recorder.sent["ru"]


def test_skip_unchanged_publishes_nothing_and_says_so(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    first = runner.invoke(app, job_args(tiny_models, tiny_config, out))
    assert first.exit_code == 0, first.output
    latest = (out / "ru" / "latest").resolve()
    second = runner.invoke(app, job_args(tiny_models, tiny_config, out, "--skip-unchanged"))
    assert second.exit_code == 0, second.output
    assert "unchanged, nothing published" in second.output
    assert (out / "ru" / "latest").resolve() == latest and len(complete_bundles(out, "ru")) == 1


def test_noop_run_imports_no_torch_and_is_fast(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    args = job_args(tiny_models, tiny_config, out)
    script = (
        "import sys, time; from jobs.cli import app; t = time.perf_counter()\n"
        "try:\n    app(sys.argv[1:])\nexcept SystemExit as e:\n    code = e.code\n"
        "print('RESULT', code, 'torch' in sys.modules, 'transformers' in sys.modules, time.perf_counter() - t)\n"
    )
    first = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=REPO, env=RUN_ENV, timeout=300
    )
    second = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=REPO, env=RUN_ENV, timeout=300
    )
    r1 = first.stdout.split("RESULT ")[1].split()
    r2 = second.stdout.split("RESULT ")[1].split()
    assert r1[:3] == ["0", "True", "True"], first.stderr
    assert r2[:3] == ["0", "False", "False"], second.stderr
    assert "models loaded: 0" in second.stdout
    print(f"first run {float(r1[3]):.1f} s, no-op run {float(r2[3]):.1f} s")


def test_a_corrupt_cache_is_reported_and_rebuilt(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    cache = tmp_path / "cache.sqlite3"
    cache.write_bytes(b"this is not a database" * 100)
    result = runner.invoke(app, job_args(tiny_models, tiny_config, out, "--cache", str(cache)))
    assert result.exit_code == 0, result.output
    assert list(tmp_path.glob("cache.sqlite3.corrupt-*"))
    assert sqlite3.connect(cache).execute("SELECT count(*) FROM outputs").fetchone()[0] > 0


def test_a_second_run_exits_with_the_lock_code_naming_the_holder(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    with RunLock(out, "20260101T000000Z-holder"):
        result = runner.invoke(app, job_args(tiny_models, tiny_config, out))
        status = runner.invoke(app, ["status", "--out", str(out)])
    assert result.exit_code == ExitCode.LOCKED
    assert f"pid {os.getpid()}" in result.output and "20260101T000000Z-holder" in result.output
    assert "run in progress: run 20260101T000000Z-holder" in status.output
    assert not (out / "ru").exists()


def test_a_lock_left_by_a_killed_run_does_not_block(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from jobs.outputs.lock import RunLock\n"
            f"with RunLock(Path({str(out)!r}), 'killed'):\n    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    result = runner.invoke(app, job_args(tiny_models, tiny_config, out))
    assert result.exit_code == 0, result.output


def run_until(args: list[str], marker: str, env: dict, sig: int = signal.SIGKILL) -> tuple[int, str]:
    """Start a real run, wait for `marker` in its log, then send it `sig`."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if marker in line:
            proc.send_signal(sig)
            break
    proc.wait(timeout=120)
    return proc.returncode, "".join(seen) + (proc.stderr.read() or "")


@pytest.fixture(scope="module")
def published_twice_languages(tmp_path_factory, tiny_models, tiny_config):
    """An outputs folder after one complete ru + zh run, to copy for each kill test."""
    out = tmp_path_factory.mktemp("published") / "out"
    result = runner.invoke(app, job_args(tiny_models, tiny_config, out, langs=("ru", "zh")))
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("marker", ["summarize: ", "translate ru: ", "translate zh: ", "published "])
def test_kill_9_at_any_point_leaves_complete_bundles_and_the_next_run_succeeds(
    tmp_path, tiny_models, tiny_config, published_twice_languages, marker
):
    out = tmp_path / "out"
    shutil.copytree(published_twice_languages, out, symlinks=True)
    args = job_args(tiny_models, tiny_config, out, langs=("ru", "zh"))
    before = {lang: (out / lang / "latest").resolve() for lang in ("ru", "zh")}
    # A leftover from an even earlier crash, as a killed publish leaves it.
    (out / "ru" / ".staging-20200101T000000Z-dead00-1").mkdir()

    code, log = run_until([*args, "--force"], marker, RUN_ENV)
    assert code == -signal.SIGKILL, log
    for lang in ("ru", "zh"):
        bundles = complete_bundles(out, lang)  # every visible bundle is complete
        latest = (out / lang / "latest").resolve()
        assert latest in bundles
        assert latest == before[lang] or (marker == "published " and latest == bundles[-1])
    cache = out / ".cache" / "jobs.sqlite3"
    assert sqlite3.connect(cache).execute("PRAGMA quick_check").fetchone()[0] == "ok"

    after = subprocess.run([sys.executable, "-m", "jobs", *args], capture_output=True, text=True, cwd=REPO, env=RUN_ENV)
    assert after.returncode == 0, after.stderr
    assert not [p for p in (out / "ru").iterdir() if p.name.startswith(".staging-")]
    assert "left by a run that did not finish" in log + after.stderr
    for lang in ("ru", "zh"):
        assert (out / lang / "latest").resolve() == complete_bundles(out, lang)[-1] != before[lang]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_exits_130_and_publishes_nothing(tmp_path, tiny_models, tiny_config, sig):
    out = tmp_path / "out"
    code, log = run_until(job_args(tiny_models, tiny_config, out), "translate ru: ", RUN_ENV, sig)
    assert code == ExitCode.INTERRUPTED, log
    assert "interrupted" in log
    assert not (out / "ru").exists() or not complete_bundles(out, "ru")


STOPPED_IN_NATIVE_CODE = """
import ctypes, os, signal, sys
from jobs.cli.app import interrupt
signal.signal(signal.SIGTERM, interrupt)
run = ctypes.pythonapi.PyRun_String  # as pybind11's exec/eval run Python from native code
run.restype = ctypes.py_object
run.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.py_object, ctypes.py_object]
scope = {"os": os, "signal": signal}
try:
    run(b"os.kill(os.getpid(), signal.SIGTERM)\\nfor _ in range(10**7): pass", 257, scope, scope)
except KeyboardInterrupt:
    sys.exit(130)
sys.exit(1)
"""


def test_a_signal_that_lands_in_natively_run_python_still_exits_130(tmp_path):
    """CPython kills itself with SIGINT at exit after a plain KeyboardInterrupt left PyRun_String
    code, whatever the program caught and returned (CI once saw -2 instead of 130)."""
    (tmp_path / "stopper").mkdir()
    (tmp_path / "stopper" / "__main__.py").write_text(STOPPED_IN_NATIVE_CODE, encoding="utf-8")
    env = {**RUN_ENV, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "stopper"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == ExitCode.INTERRUPTED, result.stderr


def _crontab_line() -> str:
    """The README's crontab line, without its schedule."""
    lines = [
        line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith("0 * * * * ")
    ]
    assert len(lines) == 1
    return lines[0].removeprefix("0 * * * * ")


def _cron_registry(site: Path, tmp_path, tiny_models, tiny_config, broken: bool) -> None:
    """The site's configs/models.yaml: the tiny models; with `broken`, kk's folder is missing."""
    import yaml

    registry = yaml.safe_load(tiny_config.read_text(encoding="utf-8"))
    registry["summary"]["model"] = str(tiny_models["summary"])
    for lang, entry in registry["languages"].items():
        if lang in tiny_models:
            entry["model"] = str(tiny_models[lang] if not broken or lang != "kk" else tmp_path / "no-such-model")
    (site / "configs").mkdir(parents=True, exist_ok=True)
    (site / "configs" / "models.yaml").write_text(yaml.safe_dump(registry), encoding="utf-8")


def _cron_site(tmp_path, tiny_models, tiny_config, broken: bool) -> tuple[str, dict, Path]:
    """/srv/jobs as the README has it: configs/, seeds/, .venv/bin/jobs; `mail` writes to a file."""
    site = tmp_path / "srv" / "jobs"
    _cron_registry(site, tmp_path, tiny_models, tiny_config, broken)
    (site / "seeds").mkdir()
    (site / "seeds" / SEED_PAGE.name).write_bytes(SEED_PAGE.read_bytes())
    bin_dir = site / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    script = bin_dir / "jobs"  # what pip writes for [project.scripts], pointed at this checkout
    script.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(REPO)!r})\nfrom jobs.cli import main\nmain()\n"
    )
    mail = tmp_path / "bin" / "mail"
    mail.parent.mkdir()
    mail.write_text(f"#!/bin/sh\ncat >> {tmp_path / 'mailed'}\n")
    for path in (script, mail):
        path.chmod(0o755)
    line = _crontab_line().replace("/srv/jobs", str(site)).replace("/var/log/jobs", str(tmp_path / "log"))
    env = {"PATH": f"{mail.parent}:/usr/bin:/bin", "HOME": str(tmp_path), "OMP_NUM_THREADS": "1"}
    env.update({k: v for k, v in os.environ.items() if k.startswith("HF_")})
    return line, env, tmp_path / "log" / "jobs.log"


@pytest.mark.parametrize("broken", [False, True], ids=["success", "missing-model"])
def test_readme_crontab_line_is_silent_on_success_and_one_line_on_failure(tmp_path, tiny_models, tiny_config, broken):
    line, env, log_file = _cron_site(tmp_path, tiny_models, tiny_config, broken)
    done = _cron(line, env)
    output = done.stdout + done.stderr
    logged = log_file.read_text(encoding="utf-8")
    if not broken:
        assert output == ""
        assert not (tmp_path / "mailed").exists()
        # --quiet: the run line only (no other INFO line), timestamps in UTC
        assert [line for line in logged.splitlines() if " INFO " in line] == run_lines(logged), logged
    else:
        assert len(output.splitlines()) == 1, output
        assert output.startswith("error: ") and "no-such-model" in output
        assert "exit 4" in (tmp_path / "mailed").read_text() or "exited 4" in (tmp_path / "mailed").read_text()
        assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ERROR \S.*no-such-model", logged, re.M), logged
        assert "ERROR error" not in logged  # one level word


def _cron(line: str, env: dict) -> subprocess.CompletedProcess:
    """The crontab command as cron runs it: /bin/sh -c, in an environment of only `env` (env -i)."""
    return subprocess.run(
        ["env", "-i", *(f"{k}={v}" for k, v in env.items()), "/bin/sh", "-c", line],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )


RUN_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ INFO run finished: (.*)$")


def run_lines(logged: str) -> list[str]:
    return [line for line in logged.splitlines() if RUN_LINE.match(line)]


def run_fields(line: str) -> dict[str, str]:
    import shlex

    return dict(word.split("=", 1) for word in shlex.split(RUN_LINE.match(line).group(1)))


def test_cron_simulation_leaves_one_log_line_per_run(tmp_path, tiny_models, tiny_config):
    """The README's crontab line, three successful runs then a failure: four run lines in the log
    file, each with run id, inputs, languages, what was published, counts, seconds and exit code;
    nothing on stdout or stderr for the successes, one `error:` line for the failure."""
    line, env, log_file = _cron_site(tmp_path, tiny_models, tiny_config, broken=False)
    site = tmp_path / "srv" / "jobs"
    outputs = []
    for _ in range(3):
        done = _cron(line, env)
        outputs.append(done.stdout + done.stderr)
    _cron_registry(site, tmp_path, tiny_models, tiny_config, broken=True)
    failed = _cron(line, env)
    assert outputs == ["", "", ""]
    assert len((failed.stdout + failed.stderr).splitlines()) == 1 and failed.stderr.startswith("error: ")
    lines = run_lines(log_file.read_text(encoding="utf-8"))
    assert len(lines) == 4, log_file.read_text(encoding="utf-8")
    runs = [run_fields(line) for line in lines]
    assert [run["exit"] for run in runs] == ["0", "0", "0", "4"]
    langs = ["en", "kk", "ru", "zh"]  # the registry's languages (configs/models.yaml)
    first = runs[0]
    assert sorted(first["published"].split(",")) == sorted(langs) and first["unchanged"] == "-"
    assert int(first["articles"]) == 6 and int(first["generated"]) > 0 and first["cached"] == "0"
    for again in runs[1:3]:  # --skip-unchanged: nothing new, nothing published, nothing generated
        assert again["published"] == "-" and sorted(again["unchanged"].split(",")) == sorted(langs)
        assert again["generated"] == "0" and again["models_loaded"] == "0"
    ids = [run["run"] for run in runs[:3]]
    assert len(set(ids)) == 3 and (site / "outputs" / "ru" / "latest").resolve().name == ids[0]
    assert all(run["inputs"] == "seeds" and float(run["seconds"]) > 0 for run in runs[:3]), runs
    assert runs[3]["published"] == "-" and float(runs[3]["seconds"]) >= 0


def test_cron_log_is_plain_lines_with_run_facts(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    log_file = tmp_path / "logs" / "jobs.log"
    args = ["--log-file", str(log_file), *job_args(tiny_models, tiny_config, out)]
    result = subprocess.run(
        [sys.executable, "-m", "jobs", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=RUN_ENV,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    for stream in (result.stderr, log_file.read_text(encoding="utf-8")):
        assert "\x1b" not in stream and "\r" not in stream
    logged = log_file.read_text(encoding="utf-8")
    run_id = (out / "ru" / "latest").resolve().name
    for expected in (f"run {run_id}", "languages ru", "read 6 articles", "cache 0 hits", "done in"):
        assert expected in logged
