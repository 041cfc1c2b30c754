"""The Ray engine gives the same bundles as the local engine, and lists what keeps failing."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ray = pytest.importorskip("ray", reason="the Ray engine is optional: pip install -e '.[ray]'")

from jobs.cli import app  # noqa: E402
from jobs.engines import ray as ray_engine  # noqa: E402
from jobs.errors import ExitCode  # noqa: E402
from tests.conftest import SEED_PAGE  # noqa: E402

runner = CliRunner()


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch):
    """Both engines' runs at one time (SOURCE_DATE_EPOCH): their records' dates agree too."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")


@pytest.fixture(scope="module", autouse=True)
def local_ray(tmp_path_factory):
    """One small local Ray for the module (starting one takes about ten seconds)."""
    with pytest.MonkeyPatch.context() as patch:  # set before Ray starts: its workers inherit it
        patch.setenv("JOBS_CT2_CACHE", str(tmp_path_factory.mktemp("ct2-cache")))
        ray.init(
            num_cpus=2, include_dashboard=False, log_to_driver=False, _temp_dir=str(tmp_path_factory.mktemp("ray"))
        )
        yield
        ray.shutdown()


def run(tiny_models, tiny_config, out: Path, *extra: str):
    return runner.invoke(
        app,
        [
            "run",
            "--config",
            str(tiny_config),
            "--input",
            str(SEED_PAGE),
            "--out",
            str(out),
            "--lang",
            "ru",
            "--model",
            f"ru={tiny_models['ru']}",
            "--summary-model",
            str(tiny_models["summary"]),
            "--cache",
            str(out / "cache.sqlite3"),
            *extra,
        ],
    )


def decoded_batches(log: Path) -> dict[str, list]:
    """Per model role, every batch decoded (its decoding settings and rows' token ids), in a comparable order."""
    batches: dict[str, list] = {}
    for file in sorted(log.glob("*.jsonl")):
        role = file.name.split("-", 1)[0]
        batches.setdefault(role, []).extend(json.loads(line) for line in file.read_text().splitlines())
    return {role: sorted(found, key=json.dumps) for role, found in batches.items()}


def recording(real, log: Path):
    """`real` (a backend class's `_generate_batch`), appending each batch it decodes (the backend's
    settings then, and the rows' token ids) to LOG/<role>-<pid>-<id>.jsonl. Set on the class, so a
    twin with other settings (QA repair's second pass) records its own."""

    def generate_batch(self, ids, max_new, min_new):
        with (log / f"{self.role}-{os.getpid()}-{id(self)}.jsonl").open("a") as handle:
            handle.write(json.dumps([self.settings.model_dump(), ids]) + "\n")
        return real(self, ids, max_new, min_new)

    return generate_batch


class RecordingWorker(ray_engine.BatchWorker):
    """An actor that logs what it decodes (Ray actors are other processes: no monkeypatch reaches them)."""

    log = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cls = type(self.backend)
        if not getattr(cls._generate_batch, "recording", False):
            cls._generate_batch = recording(cls._generate_batch, Path(self.log))
            cls._generate_batch.recording = True


def comparable(manifest: dict) -> dict:
    """A manifest without what differs between any two runs (run id, time, the files that carry
    them: feeds are dated by the run, changes name the run; the wall time of QA repair) and
    without `engine`."""
    files = {k: v for k, v in manifest["files"].items() if not k.startswith(("feed.", "changes."))}
    skipped = ("run_id", "created_at", "engine", "files")
    kept = json.loads(json.dumps({k: v for k, v in manifest.items() if k not in skipped}))
    kept["editorial"]["repair"].pop("seconds")
    return {**kept, "files": files}


def test_at_default_settings_ray_and_local_decode_the_same_batches_and_publish_the_same_bytes(
    tmp_path, tiny_models, tiny_config, monkeypatch
):
    """--backend auto is CTranslate2 int8 here, whose results depend on batch composition: the Ray
    engine must send exactly the batches the local engine decodes (split across its streams),
    QA repair's second pass (on by default: configs/editorial.yaml) included."""
    from jobs.backends.ctranslate2 import CT2Backend

    monkeypatch.setenv("JOBS_FAST_AUTO", "1")  # the product's default (the suite runs with 0: conftest)
    logs = {name: tmp_path / f"batches-{name}" for name in ("local", "ray")}
    for log in logs.values():
        log.mkdir()
    monkeypatch.setattr(CT2Backend, "_generate_batch", recording(CT2Backend._generate_batch, logs["local"]))
    local = run(tiny_models, tiny_config, tmp_path / "local")
    assert local.exit_code == 0, local.output
    assert set(decoded_batches(logs["local"])) == {"ru", "summary"}  # the driver (local engine) loaded both

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    RecordingWorker.log = str(logs["ray"])
    monkeypatch.setattr(ray_engine.RayBackend, "worker", RecordingWorker)
    monkeypatch.setattr(CT2Backend, "_load", lambda self: pytest.fail("the Ray driver loaded a model's weights"))
    on_ray = run(tiny_models, tiny_config, tmp_path / "ray", "--engine", "ray", "--ray-actors", "2")
    assert on_ray.exit_code == 0, on_ray.output
    assert "models loaded: 0" in on_ray.output  # the driver tokenized and planned with the text side only

    decoded = {name: decoded_batches(log) for name, log in logs.items()}
    assert decoded["ray"] == decoded["local"]
    repair_beams = {settings["num_beams"] for settings, _ in decoded["local"]["ru"]} - {1}
    assert repair_beams == {4}  # the repair pass ran, at its own setting, on both engines
    bundles = {name: (tmp_path / name / "ru" / "latest").resolve() for name in ("local", "ray")}
    assert (bundles["ray"] / "articles.jsonl").read_bytes() == (bundles["local"] / "articles.jsonl").read_bytes()
    markdown = {name: {p.name: p.read_bytes() for p in (b / "articles").glob("*.md")} for name, b in bundles.items()}
    assert markdown["ray"] == markdown["local"] and len(markdown["ray"]) == 6
    manifests = {name: json.loads((b / "manifest.json").read_text()) for name, b in bundles.items()}
    assert manifests["local"]["engine"] == {"name": "local"}
    assert manifests["ray"]["engine"] == {"name": "ray", "actors": 2, "gpus_per_actor": 0.0}
    assert manifests["ray"]["models"]["translation"]["backend"] == "ctranslate2"
    assert manifests["ray"]["models"]["translation"]["loaded"] is True  # by the actors
    assert manifests["local"]["editorial"]["repair"]["repaired"] > 0  # a repair candidate was published
    assert comparable(manifests["ray"]) == comparable(manifests["local"])


class FlakyWorker(ray_engine.BatchWorker):
    """Fails the first try of the first ru batch (Ray retries it) and every try of the last one."""

    state_dir = ""
    last_batch = -1

    def __call__(self, rows):
        if self.backend.role == "ru":
            batch = int(rows["batch"][0])
            marker = Path(self.state_dir) / f"tried-{batch}"
            if batch == self.last_batch:
                raise RuntimeError(f"simulated failure on batch {batch}")
            if batch == 0 and not marker.exists():
                marker.touch()
                raise RuntimeError("simulated transient failure")
        return super().__call__(rows)


def test_a_failing_batch_is_retried_and_one_that_keeps_failing_is_a_listed_failure(
    tmp_path, tiny_models, tiny_config, monkeypatch
):
    local = run(tiny_models, tiny_config, tmp_path / "local")
    assert local.exit_code == 0, local.output
    local_records = [
        json.loads(line)
        for line in ((tmp_path / "local" / "ru" / "latest") / "articles.jsonl").read_text().splitlines()
    ]

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    FlakyWorker.state_dir = str(tmp_path)
    FlakyWorker.last_batch = 1  # the seed page's ru units make several batches at the tiny config's budget
    monkeypatch.setattr(ray_engine.RayBackend, "worker", FlakyWorker)
    out = tmp_path / "ray"
    result = run(tiny_models, tiny_config, out, "--engine", "ray")
    assert result.exit_code == ExitCode.PARTIAL, result.output
    assert (tmp_path / "tried-0").exists()  # batch 0 failed once and was retried successfully
    manifest = json.loads(((out / "ru" / "latest") / "manifest.json").read_text())
    failed = {f["article_id"] for f in manifest["failures"]}
    assert failed and all("translation into ru failed" in f["message"] for f in manifest["failures"])
    records = [json.loads(line) for line in ((out / "ru" / "latest") / "articles.jsonl").read_text().splitlines()]
    # No silent gap: every article is either published whole or listed as failed.
    assert {r["id"] for r in records} | failed == {r["id"] for r in local_records}
    assert not {r["id"] for r in records} & failed
    expected = [r for r in local_records if r["id"] not in failed]
    assert records == expected
    assert manifest["counts"]["articles"] == len(records)


def test_the_driver_plans_batches_for_cuda_actors_without_a_gpu_of_its_own(tiny_models, tiny_config):
    from jobs.backends.batching import MAX_BATCH_SENTENCES_GPU
    from jobs.backends.device import gpu_batch_tokens
    from jobs.config import build_config
    from jobs.engines import open_model

    config = build_config(
        config_file=tiny_config,
        langs=["ru"],
        model_overrides=[f"ru={tiny_models['ru']}"],
        engine="ray",
        ray_gpus_per_actor=1,
    )
    backend = open_model(config.models["ru"], "ru", config, translation=True)
    assert backend.identity.device == "cuda" and backend.identity.dtype == "fp16"  # the actors' device, not ours
    plan = backend.plan([4] * 3000)
    assert max(len(batch) for batch in plan) == MAX_BATCH_SENTENCES_GPU
    assert all(4 * len(batch) <= gpu_batch_tokens(ray_engine.RAY_GPU_CARD_GIB) for batch in plan)
    assert not backend.is_loaded


def test_gpus_beyond_the_cluster_are_a_usage_error_before_anything_is_created(tiny_models, tiny_config, tmp_path):
    """Two actors of one GPU each on a cluster without a GPU: Ray would wait for ever; the run
    stops at its checks, before the lock, naming what fits."""
    out = tmp_path / "ray-gpus"
    result = run(tiny_models, tiny_config, out, "--engine", "ray", "--ray-actors", "2", "--ray-gpus-per-actor", "1")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "asks for 2 GPU(s)" in result.output and "leave out --ray-gpus-per-actor" in result.output
    assert not out.exists()
