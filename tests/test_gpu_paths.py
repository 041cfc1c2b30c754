"""The CUDA paths on a CPU machine, with the CUDA facts mocked: which backend, device and precision
`auto` picks, what explicit choices that cannot run say, NaN/inf outputs, out-of-memory, Ray GPUs.

The machine these tests run on has a CPU build of torch and the ctranslate2 wheel, and no CUDA
driver: what a GPU machine with that software would report is faked at jobs.backends.cuda's
seams (`cuda_cards`, `torch_is_cuda_build`, `ctranslate2_cuda_problem`). Where the real
CTranslate2 probe runs here it fails for real (no driver), which is the failing-probe case.
"""

from __future__ import annotations

import gc
import json
import logging
import math
import weakref

import pytest
import torch

import jobs.backends.cuda as cuda
import jobs.backends.device as device
from jobs.backends import make_backend, resolve_backend
from jobs.backends.base import BackendOptions
from jobs.backends.batching import NonFiniteOutputs, is_out_of_memory
from jobs.backends.cuda import CudaCard
from jobs.backends.device import auto_batch_tokens, backend_choice, check_gpu_request, gpu_batch_tokens, pinned_options
from jobs.backends.torch import FiniteWatch, TorchBackend
from jobs.config import GenerationSettings, ModelSpec, build_config
from jobs.errors import ConfigError, ExitCode
from tests.conftest import SAMPLE_SENTENCES

H200 = CudaCard(0, "NVIDIA H200", 141 * 2**30, (9, 0))
T4 = CudaCard(0, "Tesla T4", 16 * 2**30, (7, 5))
TEXTS = [t for t in SAMPLE_SENTENCES if t][:4]


@pytest.fixture
def fast_auto(monkeypatch):
    monkeypatch.setenv("JOBS_FAST_AUTO", "1")
    monkeypatch.setenv("JOBS_CPU_BF16", "0")


def gpu_box(monkeypatch, card: CudaCard = H200, *, torch_cuda: bool = False, ct2_problem: str | None = "real"):
    """This machine as a GPU box: the driver reports `card`; torch is a CUDA build or not; the
    CTranslate2 probe runs for real (and fails: no driver here) or says `ct2_problem`."""
    monkeypatch.setattr(cuda, "cuda_cards", lambda: (card,))
    monkeypatch.setattr(cuda, "torch_is_cuda_build", lambda: torch_cuda)
    monkeypatch.setattr(device, "mps_possible", lambda: False)
    if ct2_problem != "real":
        monkeypatch.setattr(cuda, "ctranslate2_cuda_problem", lambda index=0, compute="float16": ct2_problem)
        import ctranslate2

        types = {"float32", "float16", "int8_float16", "int8_float32", "int8"}
        types |= {"bfloat16", "int8_bfloat16"} if card.has_bf16 else set()
        real = ctranslate2.get_supported_compute_types
        monkeypatch.setattr(
            ctranslate2, "get_supported_compute_types", lambda kind, index=0: types if kind == "cuda" else real(kind)
        )


def config(tiny_models, tiny_config, **options):
    return build_config(config_file=tiny_config, langs=["ru"], model_overrides=[f"ru={tiny_models['ru']}"], **options)


def made(tiny_models, tiny_config, **options):
    job = config(tiny_models, tiny_config, **options)
    return make_backend(job.models["ru"], "ru", job, translation=True)


# --------------------------------------------------------------------------- which backend and device


def test_the_real_probe_fails_here_and_says_why():
    """No CUDA driver on this machine: CTranslate2's probe fails with a reason, it never raises."""
    pytest.importorskip("ctranslate2")
    cuda.ctranslate2_cuda_problem.cache_clear()
    problem = cuda.ctranslate2_cuda_problem(0, "float16")
    assert problem and "CTranslate2" in problem


def test_the_tiny_probe_model_translates_on_cpu(tmp_path):
    """The probe's in-memory model is a valid CTranslate2 model: on CPU the same operation runs."""
    ctranslate2 = pytest.importorskip("ctranslate2")
    cuda._tiny_ctranslate2_model(str(tmp_path))
    result = ctranslate2.Translator(str(tmp_path), device="cpu").translate_batch([["a", "b"]], max_decoding_length=2)
    assert len(result[0].hypotheses[0]) <= 2


def test_cpu_torch_on_a_gpu_box_with_a_failing_probe_runs_ctranslate2_on_cpu_and_says_why(
    tiny_models, tiny_config, monkeypatch, fast_auto, caplog
):
    pytest.importorskip("ctranslate2")
    monkeypatch.setattr(logging.getLogger("jobs"), "propagate", True)  # a CLI test before may have set it off
    gpu_box(monkeypatch)  # probe real: fails here
    cuda.ctranslate2_cuda_problem.cache_clear()
    name, why = backend_choice("auto")
    assert name == "ctranslate2" and "CPU build" in why and "CTranslate2" in why
    with caplog.at_level(logging.WARNING, logger="jobs"):
        device.warn_once.cache_clear()
        backend = made(tiny_models, tiny_config)
        assert backend.precision == ("cpu", "int8")
    assert len([r for r in caplog.records if "CUDA card found" in r.getMessage()]) == 1  # one line
    described = backend.describe()
    assert described["backend"] == "ctranslate2" and described["device"] == "cpu"
    assert "CPU build" in described["why"]
    assert backend.batch_tokens > 0  # sized without torch.cuda (which would raise on this torch)


def test_cpu_torch_on_a_gpu_box_runs_torch_on_cpu_and_says_why(tiny_models, tiny_config, monkeypatch):
    gpu_box(monkeypatch, ct2_problem="not wanted")
    backend = made(tiny_models, tiny_config, backend="torch")
    assert backend.precision[0] == "cpu"
    assert "CPU build" in backend.describe()["why"]


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"backend": "torch", "device": "cuda"}, "CPU build"),
        ({"backend": "auto", "device": "cuda"}, "no backend can use the card"),
    ],
)
def test_explicit_cuda_choices_that_cannot_run_are_usage_errors(
    tiny_models, tiny_config, monkeypatch, fast_auto, options, says
):
    gpu_box(monkeypatch, ct2_problem="Library libcublas.so.12 is not found or cannot be loaded")
    with pytest.raises(ConfigError, match=says) as error:
        _ = made(tiny_models, tiny_config, **options).precision
    assert error.value.exit_code == ExitCode.USAGE


def test_explicit_ctranslate2_on_cuda_with_a_failing_probe_names_the_library(tiny_models, tiny_config, monkeypatch):
    pytest.importorskip("ctranslate2")
    gpu_box(monkeypatch, ct2_problem="Library libcublas.so.12 is not found or cannot be loaded")
    with pytest.raises(ConfigError, match="libcublas.so.12") as error:
        _ = made(tiny_models, tiny_config, backend="ctranslate2", device="cuda").precision
    assert error.value.exit_code == ExitCode.USAGE


def test_explicit_ctranslate2_on_cuda_runs_where_the_probe_passes_although_torch_is_a_cpu_build(
    tiny_models, tiny_config, monkeypatch
):
    pytest.importorskip("ctranslate2")
    gpu_box(monkeypatch, ct2_problem=None)
    backend = made(tiny_models, tiny_config, backend="ctranslate2", device="cuda")
    assert backend.precision == ("cuda", "bfloat16")
    assert backend.batch_tokens == 65_536  # the H200's memory, read from the driver


@pytest.mark.parametrize(("card", "ct2_type", "torch_dtype"), [(H200, "bfloat16", "bf16"), (T4, "float16", "fp16")])
def test_precision_by_card(tiny_models, tiny_config, monkeypatch, fast_auto, card, ct2_type, torch_dtype):
    pytest.importorskip("ctranslate2")
    gpu_box(monkeypatch, card, torch_cuda=True, ct2_problem=None)
    assert made(tiny_models, tiny_config).precision == ("cuda", ct2_type)
    assert made(tiny_models, tiny_config, backend="torch").precision == ("cuda", torch_dtype)
    int8 = made(tiny_models, tiny_config, backend="ctranslate2", quantize="int8")
    assert int8.precision[1] == f"int8_{ct2_type}"
    assert pinned_options(int8) == {"backend": "ctranslate2", "dtype": torch_dtype, "quantize": "int8"}


def test_auto_falls_back_to_torch_on_cuda_when_the_probe_fails(tiny_models, tiny_config, monkeypatch, fast_auto):
    gpu_box(monkeypatch, torch_cuda=True, ct2_problem="Library libcublas.so.12 is not found or cannot be loaded")
    assert resolve_backend("auto", "auto") == "torch"
    backend = made(tiny_models, tiny_config)
    assert backend.name == "torch" and backend.precision == ("cuda", "bf16")
    assert "libcublas.so.12" in backend.describe()["why"]


def test_a_torch_built_for_a_newer_cuda_than_the_driver_is_not_used_and_says_why(
    tiny_models, tiny_config, monkeypatch, fast_auto
):
    gpu_box(monkeypatch, torch_cuda=True, ct2_problem="Library libcublas.so.12 is not found or cannot be loaded")
    monkeypatch.setattr(cuda, "torch_cuda_major", lambda: 13)
    monkeypatch.setattr(cuda, "driver_cuda_major", lambda: 12)
    backend = made(tiny_models, tiny_config, backend="torch")
    assert (
        backend.precision[0] == "cpu"
        and "built for CUDA 13 and the driver supports CUDA 12" in backend.describe()["why"]
    )


def test_torchs_cuda_version_is_read_without_importing_it(monkeypatch, tmp_path):
    import importlib.machinery
    import sys

    folder = tmp_path / "torch"
    folder.mkdir()
    (folder / "version.py").write_text("__version__ = '2.11.0+cu130'\ncuda: Optional[str] = '13.0'\n")
    spec = importlib.machinery.ModuleSpec("torch", None, is_package=True)
    spec.submodule_search_locations = [str(folder)]
    monkeypatch.delitem(sys.modules, "torch")
    monkeypatch.setattr(cuda.importlib.util, "find_spec", lambda name: spec if name == "torch" else None)
    assert cuda.torch_cuda_major() == 13


def test_batch_budget_from_the_driver_and_the_actors_share(monkeypatch):
    monkeypatch.setattr(cuda, "cuda_cards", lambda: (CudaCard(0, "A100", 40 * 2**30, (8, 0)),))
    assert auto_batch_tokens("cuda") == gpu_batch_tokens(40)
    assert auto_batch_tokens("cuda", share=0.25) == gpu_batch_tokens(10)
    assert auto_batch_tokens("cuda:3") == gpu_batch_tokens(device.UNKNOWN_CARD_GIB)  # not reported: never raises


# --------------------------------------------------------------------------- the whole job, CUDA faked


def test_a_run_on_a_faked_gpu_box_never_raises_and_the_manifest_says_why(
    tiny_models, tiny_config, monkeypatch, fast_auto, tmp_path
):
    """This machine (CPU torch, the ctranslate2 wheel) with a card reported: the run completes on
    CPU, and each model's manifest entry names the backend, the device and why."""
    from typer.testing import CliRunner

    from jobs.cli import app

    pytest.importorskip("ctranslate2")
    gpu_box(monkeypatch)
    cuda.ctranslate2_cuda_problem.cache_clear()
    device.warn_once.cache_clear()
    out = tmp_path / "out"
    articles = tmp_path / "article.txt"
    articles.write_text("Harbour reopens\n\nThe harbour reopened on Monday after two months of repairs.\n")
    args = ["run", "--config", str(tiny_config), "--out", str(out), "--lang", "ru", "--input", str(articles)]
    args += ["--model", f"ru={tiny_models['ru']}", "--summary-model", str(tiny_models["summary"])]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == ExitCode.OK, result.output
    manifest = json.loads((out / "ru" / "latest" / "manifest.json").read_text())
    for role in ("translation", "summary"):
        model = manifest["models"][role]
        assert (model["backend"], model["device"]) == ("ctranslate2", "cpu"), model
        assert "CUDA card found" in model["why"] and "CPU build" in model["why"]


# --------------------------------------------------------------------------- NaN / inf outputs


def torch_backend(tiny_models, dtype: str, num_beams: int = 1) -> TorchBackend:
    settings = GenerationSettings(num_beams=num_beams, max_new_tokens=8)
    options = BackendOptions(device="cpu", dtype=dtype, batch_tokens=4096, settings=settings)
    return TorchBackend(ModelSpec(model=str(tiny_models["ru"])), "ru", options)


def poison(model) -> None:
    """The encoder's output becomes NaN, as an fp16 overflow makes it."""

    def hook(module, inputs, output):
        output[0].fill_(float("nan"))
        return output

    model.get_encoder().register_forward_hook(hook)


@pytest.mark.parametrize("num_beams", [1, 2])  # the job's greedy loop, and generate()
def test_nan_outputs_are_generated_again_in_fp32(tiny_models, monkeypatch, num_beams):
    monkeypatch.setenv("JOBS_CPU_BF16", "1")  # bf16 allowed here; the model is tiny
    monkeypatch.setenv("JOBS_PACK_WEIGHTS", "0")
    half = torch_backend(tiny_models, "bf16", num_beams)
    poison(half.loaded.model)
    out = half.generate(TEXTS)
    exact = torch_backend(tiny_models, "fp32", num_beams).generate(TEXTS)
    assert half.fp32_reruns == out.batches >= 1
    assert out.texts == exact.texts  # what an fp32 run publishes, not the NaN garbage
    assert half.describe()["fp32_reruns"] == half.fp32_reruns


def test_nan_even_in_fp32_is_an_error_not_an_output(tiny_models, monkeypatch):
    import jobs.backends.torch as torch_module

    monkeypatch.setenv("JOBS_CPU_BF16", "1")
    monkeypatch.setenv("JOBS_PACK_WEIGHTS", "0")
    real = torch_module.load_weights

    def poisoned(*args, **kwargs):
        model = real(*args, **kwargs)
        poison(model)
        return model

    monkeypatch.setattr(torch_module, "load_weights", poisoned)
    with pytest.raises(NonFiniteOutputs, match="even in fp32"):
        torch_backend(tiny_models, "bf16").generate(TEXTS)


def test_the_watch_tells_nan_and_inf_from_barred_tokens():
    scores = torch.tensor([[0.0, float("-inf"), 1.0]])
    watch = FiniteWatch()
    watch(scores, scores=True)
    assert not watch.seen  # -inf is a barred token in generate()'s scores
    watch(torch.tensor([[float("inf"), 0.0]]), scores=True)
    assert watch.seen
    hidden = FiniteWatch()
    hidden(torch.tensor([float("-inf")]))
    assert hidden.seen  # in hidden states any inf is overflow


def test_ctranslate2_nan_scores_are_translated_again_in_float32(tiny_models, monkeypatch):
    """A half-precision Translator whose scores come out NaN (faked: CUDA cannot run here) is
    replaced for that batch by the float32 one; a float32 NaN is an error."""
    pytest.importorskip("ctranslate2")
    from jobs.backends.ctranslate2 import CT2Backend

    backend = CT2Backend(
        ModelSpec(model=str(tiny_models["ru"])),
        "ru",
        BackendOptions(device="cpu", settings=GenerationSettings(num_beams=1, max_new_tokens=8)),
    )
    expected = backend.generate(TEXTS).texts
    real = backend.loaded.model

    class NaNScores:
        """The real translator's hypotheses with NaN scores (a test double of an fp16 overflow)."""

        def translate_batch(self, source, **kwargs):
            results = real.translate_batch(source, **kwargs)
            assert kwargs["return_scores"]
            return [type("R", (), {"hypotheses": r.hypotheses, "scores": [math.nan]})() for r in results]

    monkeypatch.setattr(type(backend), "_watch_scores", property(lambda self: True))
    backend.__dict__["_float32_translator"] = real
    backend.loaded.model = NaNScores()
    assert backend.generate(TEXTS).texts == expected and backend.fp32_reruns >= 1
    backend.__dict__["_float32_translator"] = NaNScores()
    with pytest.raises(NonFiniteOutputs):
        backend.generate(["A sentence it has not seen."])


# --------------------------------------------------------------------------- out of memory


@pytest.mark.parametrize(
    "message",
    [
        "CUDA error: out of memory",
        "cuBLAS failed with status CUBLAS_STATUS_ALLOC_FAILED",
        "CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`",
        "CUDA failed with error out of memory",
    ],
)
def test_cublas_and_ctranslate2_allocation_failures_are_out_of_memory(message):
    assert is_out_of_memory(RuntimeError(message))


def test_device_memory_is_freed_after_the_failed_batch_is_let_go(tiny_models, monkeypatch):
    """empty_cache() can only return what nothing references: when it runs, the failed batch's
    tensors (held by the error's traceback frames) must be gone."""
    backend = torch_backend(tiny_models, "fp32")
    live: list[weakref.ref] = []
    seen_alive: list[bool] = []
    real = backend._generate_batch
    failed = []

    def generate_batch(ids, max_new, min_new):
        batch_tensor = torch.zeros(len(ids), 4)  # stands for the batch's device tensors
        live.append(weakref.ref(batch_tensor))
        if not failed and len(ids) > 1:
            failed.append(True)
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return real(ids, max_new, min_new)

    def free():
        gc.collect()
        seen_alive.append(live[0]() is not None)

    monkeypatch.setattr(backend, "_generate_batch", generate_batch)
    monkeypatch.setattr(backend, "_free_device_memory", free)
    out = backend.generate(TEXTS)
    assert out.oom_retries == 1 and seen_alive == [False] and all(out.texts)


# --------------------------------------------------------------------------- Ray GPUs


@pytest.mark.parametrize(
    ("actors", "gpus", "cluster", "fits"),
    [(1, 1, 1, True), (2, 0.5, 1, True), (2, 1, 1, False), (1, 1, 0, False), (4, 0, 0, True), (3, 0.5, 1, False)],
)
def test_gpu_requests_are_checked_against_the_cluster(actors, gpus, cluster, fits):
    if fits:
        check_gpu_request(actors, gpus, cluster)
    else:
        with pytest.raises(ConfigError, match="--ray-actors") as error:
            check_gpu_request(actors, gpus, cluster)
        assert error.value.exit_code == ExitCode.USAGE


def test_ray_actors_on_a_shared_card_size_batches_by_their_share(tiny_models, tiny_config, monkeypatch):
    monkeypatch.setattr(cuda, "cuda_cards", lambda: (CudaCard(0, "A100", 80 * 2**30, (8, 0)),))
    options = BackendOptions.of(
        config(tiny_models, tiny_config, engine="ray", ray_gpus_per_actor=0.5), translation=True
    )
    assert options.gpu_share == 0.5 and options.device == "cuda"
    assert auto_batch_tokens(options.device, 1, options.gpu_share) == gpu_batch_tokens(40)


def test_a_driver_without_a_gpu_does_not_refuse_ctranslate2_gpu_actors(tiny_models, tiny_config, monkeypatch):
    pytest.importorskip("ctranslate2")
    monkeypatch.setattr(cuda, "cuda_cards", lambda: ())
    backend = made(tiny_models, tiny_config, backend="ctranslate2", engine="ray", ray_gpus_per_actor=1)
    assert backend.precision == ("cuda", "float16")  # the card is not known here: fp16 runs on every card
    # The actors run what this driver planned (and the cache key names), whatever their cards.
    assert pinned_options(backend) == {"backend": "ctranslate2", "dtype": "fp16", "quantize": "none"}
