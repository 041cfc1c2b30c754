"""Speed options of the torch backend: dtype, int8 quantization, batch budgets, out-of-memory back-off."""

from __future__ import annotations

import json

import pytest
import torch

from jobs.backends import make_backend, resolve_backend
from jobs.backends.base import BackendOptions
from jobs.backends.batching import CPU_BATCH_TOKENS, DeviceOutOfMemory, is_out_of_memory
from jobs.backends.device import auto_batch_tokens, resolve_dtype, resolve_precision
from jobs.backends.greedy import GreedyHead
from jobs.backends.packed_linear import PackedLinear, packing_wanted
from jobs.backends.torch import TorchBackend
from jobs.config import GenerationSettings, ModelSpec, build_config
from jobs.errors import ConfigError
from tests.conftest import SAMPLE_SENTENCES

TEXTS = [
    *SAMPLE_SENTENCES,
    "The two sides signed documents on cooperation in trade, energy and transport.",
    "He said the partnership has withstood the test of time.",
    "The summit ends on Thursday.",
]


def backend(tiny_models, lang: str = "ru", batch_tokens: int | None = 4096, **options) -> TorchBackend:
    settings = GenerationSettings(num_beams=1, max_new_tokens=8)
    return TorchBackend(
        ModelSpec(model=str(tiny_models[lang])),
        lang,
        BackendOptions(device="cpu", batch_tokens=batch_tokens, settings=settings, **options),
    )


# --------------------------------------------------------------------------- option rules


@pytest.mark.parametrize(
    ("dtype", "device", "quantize", "expected"),
    [
        ("auto", "cpu", "none", "fp32"),
        ("auto", "cuda", "none", "fp16"),
        ("auto", "cuda:1", "none", "fp16"),
        ("auto", "mps", "none", "fp32"),
        ("fp32", "cpu", "none", "fp32"),
        ("bf16", "cuda", "none", "bf16"),
        ("fp16", "cuda", "none", "fp16"),
        ("auto", "cpu", "int8", "fp32"),
        ("fp32", "cpu", "int8", "fp32"),
    ],
)
def test_dtype_resolution(dtype, device, quantize, expected):
    assert resolve_dtype(dtype, device, quantize) == expected


@pytest.mark.parametrize(
    ("dtype", "device", "quantize", "message"),
    [
        ("auto", "cuda", "int8", "runs on CPU only"),
        ("bf16", "cpu", "int8", "quantizes fp32 weights"),
        ("fp16", "cpu", "none", "not supported on CPU"),
        ("fp64", "cpu", "none", "--dtype must be"),
        ("auto", "cpu", "int4", "--quantize must be"),
    ],
)
def test_impossible_combinations_are_config_errors(dtype, device, quantize, message):
    with pytest.raises(ConfigError, match=message):
        resolve_dtype(dtype, device, quantize)


def test_bf16_on_cpu_only_where_the_cpu_has_bf16_instructions(monkeypatch):
    monkeypatch.setenv("JOBS_CPU_BF16", "0")
    with pytest.raises(ConfigError, match="no bf16 instructions"):
        resolve_dtype("bf16", "cpu")
    monkeypatch.setenv("JOBS_CPU_BF16", "1")
    assert resolve_dtype("bf16", "cpu") == "bf16"


@pytest.mark.parametrize(
    ("bf16", "dtype", "device", "quantize", "expected"),
    [
        ("1", "auto", "cpu", "none", ("bf16", "none")),  # bf16 instructions: bf16
        ("0", "auto", "cpu", "none", ("fp32", "int8")),  # none: dynamic int8
        ("1", "auto", "cuda", "none", ("fp16", "none")),
        ("0", "auto", "mps", "none", ("fp32", "none")),
        ("1", "auto", "cpu", "int8", ("fp32", "int8")),  # an explicit choice is kept
        ("1", "fp32", "cpu", "none", ("fp32", "none")),  # exact fp32 stays available
    ],
)
def test_auto_precision_picks_the_fastest_by_detected_cpu_features(
    monkeypatch, bf16, dtype, device, quantize, expected
):
    monkeypatch.setenv("JOBS_FAST_AUTO", "1")  # the product's default (the suite runs with 0: conftest)
    monkeypatch.setenv("JOBS_CPU_BF16", bf16)
    assert resolve_precision(dtype, device, quantize) == expected


@pytest.mark.parametrize(("bf16", "dtype", "quantize"), [("1", "bf16", "none"), ("0", "fp32", "int8")])
def test_auto_torch_backend_names_what_it_chose(tiny_models, monkeypatch, bf16, dtype, quantize):
    monkeypatch.setenv("JOBS_FAST_AUTO", "1")
    monkeypatch.setenv("JOBS_CPU_BF16", bf16)
    auto = backend(tiny_models, dtype="auto")
    assert (auto.identity.dtype, auto.identity.quantize) == (dtype, quantize)
    assert auto.identity.key() == backend(tiny_models, dtype=dtype, quantize=quantize).identity.key()
    described = auto.describe()
    assert (described["dtype"], described["quantize"]) == (dtype, quantize)
    assert described["asked"] == {"backend": "torch", "dtype": "auto", "quantize": "none"}


def test_backend_auto_is_ctranslate2_where_installed_and_torch_elsewhere(monkeypatch):
    import importlib.util

    import jobs.backends.device

    monkeypatch.setenv("JOBS_FAST_AUTO", "1")
    assert resolve_backend("torch", "cpu") == "torch"
    assert resolve_backend("auto", "mps") == "torch"
    installed = importlib.util.find_spec("ctranslate2") is not None
    assert resolve_backend("auto", "cpu") == ("ctranslate2" if installed else "torch")
    real = importlib.util.find_spec
    monkeypatch.setattr(
        jobs.backends.device.importlib.util, "find_spec", lambda name: None if name == "ctranslate2" else real(name)
    )
    assert resolve_backend("auto", "cpu") == "torch"
    monkeypatch.undo()
    monkeypatch.setenv("JOBS_FAST_AUTO", "0")  # the exact choice, as the rest of the suite runs
    assert resolve_backend("auto", "cpu") == "torch" and resolve_precision("auto", "cpu") == ("fp32", "none")


def test_the_default_job_asks_for_auto_and_the_manifest_says_what_ran(tiny_models, tiny_config, monkeypatch):
    pytest.importorskip("ctranslate2")
    monkeypatch.setenv("JOBS_FAST_AUTO", "1")
    config = build_config(
        config_file=tiny_config, langs=["ru"], model_overrides=[f"ru={tiny_models['ru']}"], device="cpu"
    )
    assert (config.backend, config.dtype) == ("auto", "auto")
    made = make_backend(config.models["ru"], "ru", config, translation=True)
    described = made.describe()
    assert (described["backend"], described["dtype"]) == ("ctranslate2", "int8")
    assert described["asked"] == {"backend": "auto", "dtype": "auto", "quantize": "none"}
    assert json.loads(made.identity.key())["backend"] == "ctranslate2" and not made.is_loaded


def test_cpu_batch_budget_is_fixed_and_explicit_budget_wins(tiny_models):
    assert auto_batch_tokens("cpu") == CPU_BATCH_TOKENS
    assert backend(tiny_models, batch_tokens=None).batch_tokens == CPU_BATCH_TOKENS
    assert backend(tiny_models, batch_tokens=300).batch_tokens == 300


def test_make_backend_passes_the_speed_options(tiny_models, tiny_config):
    config = build_config(
        config_file=tiny_config,
        langs=["ru"],
        model_overrides=[f"ru={tiny_models['ru']}"],
        device="cpu",
        backend="torch",
        dtype="fp32",
        quantize="int8",
    )
    made = make_backend(config.models["ru"], "ru", config, translation=True)
    assert isinstance(made, TorchBackend)
    assert (made.options.dtype, made.options.quantize) == ("fp32", "int8")
    assert made.batch_tokens == (config.batch_tokens or CPU_BATCH_TOKENS)
    assert made.describe()["quantize"] == "int8" and not made.is_loaded


def test_cache_key_changes_with_dtype_and_quantization(tiny_models, monkeypatch):
    monkeypatch.setenv("JOBS_CPU_BF16", "1")
    keys = {
        backend(tiny_models).identity.key(),
        backend(tiny_models, dtype="bf16").identity.key(),
        backend(tiny_models, quantize="int8").identity.key(),
    }
    assert len(keys) == 3
    # The key holds the dtype that runs (`auto` resolved, without torch).
    assert json.loads(backend(tiny_models, dtype="auto").identity.key())["dtype"] == "fp32"  # JOBS_FAST_AUTO=0
    monkeypatch.setenv("JOBS_FAST_AUTO", "1")
    assert json.loads(backend(tiny_models, dtype="auto").identity.key())["dtype"] == "bf16"


# --------------------------------------------------------------------------- fast paths on tiny models


@pytest.fixture(scope="module")
def fp32_outputs(tiny_models):
    return backend(tiny_models).generate(TEXTS)


def identical_share(a: list[str], b: list[str]) -> float:
    pairs = [(x, y) for x, y in zip(a, b) if x or y]
    return sum(x == y for x, y in pairs) / len(pairs)


def test_fp32_batched_outputs_equal_one_at_a_time(tiny_models, fp32_outputs):
    single = backend(tiny_models, batch_tokens=1)
    assert [single.generate([t]).texts[0] for t in TEXTS] == fp32_outputs.texts


def test_bf16_runs_with_bf16_weights_and_keeps_the_units(tiny_models, fp32_outputs, monkeypatch):
    monkeypatch.setenv("JOBS_CPU_BF16", "1")
    bf16 = backend(tiny_models, dtype="bf16")
    out = bf16.generate(TEXTS)
    assert bf16.loaded.model.dtype == torch.bfloat16 and bf16.describe()["dtype"] == "bf16"
    assert [bool(t) for t in out.texts] == [bool(t) for t in fp32_outputs.texts]
    assert out.output_tokens == fp32_outputs.output_tokens
    # Not asserted (random tiny weights make near-ties): the share is reported by the benchmark.
    print(f"bf16 vs fp32 identical greedy outputs: {identical_share(out.texts, fp32_outputs.texts):.0%}")


def test_int8_quantizes_every_linear_layer(tiny_models, fp32_outputs):
    int8 = backend(tiny_models, quantize="int8")
    out = int8.generate(TEXTS)
    model = int8.loaded.model
    from torch.ao.nn.quantized.dynamic import Linear as DynamicInt8Linear

    assert not any(type(m) is torch.nn.Linear for m in model.modules())
    assert (
        sum(isinstance(m, DynamicInt8Linear) for m in model.modules()) == 2 * 6 + 2 * 10 + 1
    )  # q k v o fc1 fc2; + cross-attention q k v o; lm_head
    assert int8.describe()["quantize"] == "int8" and int8.describe()["dtype"] == "fp32"
    assert [bool(t) for t in out.texts] == [bool(t) for t in fp32_outputs.texts]
    assert out.output_tokens == fp32_outputs.output_tokens
    print(f"int8 vs fp32 identical greedy outputs: {identical_share(out.texts, fp32_outputs.texts):.0%}")


# --------------------------------------------------------------------------- the job's greedy loop


def loop_and_generate(tiny_models, key: str, min_new: int | None = 5, **options) -> tuple[TorchBackend, TorchBackend]:
    """Two backends of one model and settings: the job's greedy loop, and generate() itself."""
    role = "kk" if key.startswith("kk") else key
    spec = ModelSpec(model=str(tiny_models[key]), target_token=">>cmn_Hans<<" if key == "zh" else None)
    settings = GenerationSettings(num_beams=1, max_new_tokens=9, min_new_tokens=min_new)
    options = BackendOptions(device="cpu", batch_tokens=4096, settings=settings, **options)
    fast, slow = (TorchBackend(spec, role, options) for _ in range(2))
    assert fast.fast_greedy
    slow.fast_greedy = False
    return fast, slow


@pytest.mark.parametrize("key", ["ru", "zh", "kk", "kk_nllb", "summary"])
@pytest.mark.parametrize("min_new", [None, 5])
def test_greedy_loop_gives_what_generate_gives(tiny_models, key, min_new):
    """Forced BOS (NLLB/M2M100 codes, BART), forced EOS (Marian, BART), bad words, min length, padding."""
    fast, slow = loop_and_generate(tiny_models, key, min_new)
    a, b = fast.generate(TEXTS), slow.generate(TEXTS)
    assert a.texts == b.texts and a.hit_limit == b.hit_limit and a.output_tokens == b.output_tokens


@pytest.mark.parametrize("key", ["ru", "kk_nllb", "summary"])
def test_greedy_loop_through_the_whole_model_for_other_model_types(tiny_models, key, monkeypatch):
    """Model types without the output-layer shortcut step through model() and its logits: same tokens."""
    import jobs.backends.greedy

    monkeypatch.setattr(jobs.backends.greedy, "GREEDY_HEAD_MODEL_TYPES", set())
    fast, slow = loop_and_generate(tiny_models, key)
    assert GreedyHead.of(fast.loaded.model, [], []) is None
    a, b = fast.generate(TEXTS), slow.generate(TEXTS)
    assert a.texts == b.texts and a.output_tokens == b.output_tokens


def test_greedy_loop_with_a_quantized_output_layer_gives_what_generate_gives(tiny_models):
    fast, slow = loop_and_generate(tiny_models, "ru", quantize="int8")
    head = GreedyHead.of(fast.loaded.model, [], [])
    assert head is not None and head.product is None  # torch's dynamic int8 Linear: bias added apart
    a, b = fast.generate(TEXTS), slow.generate(TEXTS)
    assert a.texts == b.texts and a.output_tokens == b.output_tokens


def test_generate_is_used_where_the_loop_would_differ(tiny_models):
    spec = ModelSpec(model=str(tiny_models["ru"]))
    beams = TorchBackend(
        spec, "ru", BackendOptions(device="cpu", settings=GenerationSettings(num_beams=2, max_new_tokens=8))
    )
    no_repeat = TorchBackend(
        spec, "ru", BackendOptions(device="cpu", settings=GenerationSettings(no_repeat_ngram_size=3, max_new_tokens=8))
    )
    assert not beams.fast_greedy and not no_repeat.fast_greedy
    assert beams.generate(TEXTS[:2]).texts[0] and no_repeat.generate(TEXTS[:2]).texts[0]


# --------------------------------------------------------------------------- out-of-memory back-off


def simulate_oom(monkeypatch, model, max_tokens: int, calls: list[int]) -> None:
    """The encoder raises CUDA's OutOfMemoryError for batches of more than max_tokens padded tokens.

    (Both generate() and the job's greedy loop run the encoder once per batch.)
    """
    encoder = model.get_encoder()
    real = encoder.forward

    def forward(*args, **kwargs):
        input_ids = kwargs.get("input_ids", args[0] if args else None)
        calls.append(input_ids.shape[0])
        if input_ids.numel() > max_tokens:
            raise torch.cuda.OutOfMemoryError(f"CUDA out of memory (simulated: {tuple(input_ids.shape)})")
        return real(*args, **kwargs)

    monkeypatch.setattr(encoder, "forward", forward)


def test_out_of_memory_halves_the_batch_and_keeps_order(tiny_models, fp32_outputs, monkeypatch):
    ru = backend(tiny_models, batch_tokens=4096)
    longest = max(ru.count_tokens(TEXTS))
    calls: list[int] = []
    simulate_oom(monkeypatch, ru.loaded.model, max_tokens=2 * longest, calls=calls)
    out = ru.generate(TEXTS)
    assert out.texts == fp32_outputs.texts and out.hit_limit == fp32_outputs.hit_limit
    assert out.output_tokens == fp32_outputs.output_tokens
    assert calls[:2] == [7, 3]  # all 7 non-empty texts at first, then half
    assert out.oom_retries >= 2 and ru.batch_tokens <= max(64, 2 * longest)
    # The halved budget stays for later calls: fewer failed attempts, same outputs.
    calls.clear()
    again = ru.generate(TEXTS)
    assert again.texts == fp32_outputs.texts and again.oom_retries < out.oom_retries


def test_a_single_text_that_does_not_fit_is_a_clear_error(tiny_models, monkeypatch):
    ru = backend(tiny_models)
    simulate_oom(monkeypatch, ru.loaded.model, max_tokens=0, calls=[])
    with pytest.raises(DeviceOutOfMemory, match="does not fit the device memory even alone"):
        ru.generate(TEXTS[:2])


def test_other_errors_are_not_taken_for_out_of_memory(tiny_models, monkeypatch):
    ru = backend(tiny_models)

    def broken(*args, **kwargs):
        raise ValueError("something else")

    monkeypatch.setattr(ru.loaded.model.get_encoder(), "forward", broken)
    with pytest.raises(ValueError, match="something else"):
        ru.generate(TEXTS[:2])
    assert is_out_of_memory(RuntimeError("MPS backend out of memory (MPS allocated: 1 GB)"))
    assert not is_out_of_memory(RuntimeError("shape mismatch"))


def test_options_are_checked_before_any_work(tiny_models, tiny_config, monkeypatch):
    from jobs.backends import check_backend_options

    def config(**options):
        return build_config(
            config_file=tiny_config,
            langs=["ru"],
            model_overrides=[f"ru={tiny_models['ru']}"],
            summary_model=str(tiny_models["summary"]),
            **options,
        )

    check_backend_options(config(device="cpu", quantize="int8"))
    monkeypatch.setenv("JOBS_CPU_BF16", "0")
    with pytest.raises(ConfigError, match="no bf16 instructions"):
        check_backend_options(config(device="cpu", dtype="bf16"))
    with pytest.raises(ConfigError, match="int8"):
        check_backend_options(config(device="cpu", dtype="fp16", quantize="int8"))
    monkeypatch.setenv("JOBS_CPU_STREAMS", "two")
    with pytest.raises(ConfigError, match="JOBS_CPU_STREAMS"):
        check_backend_options(config(device="cpu"))


def test_run_job_refuses_impossible_options_before_loading_or_writing(tiny_models, tiny_config, tmp_path, monkeypatch):
    import jobs.backends.torch
    from jobs.pipeline import run_job
    from tests.conftest import SEED_PAGE

    def no_load(*args, **kwargs):
        raise AssertionError("a model was loaded")

    monkeypatch.setattr(jobs.backends.torch, "load_model", no_load)
    monkeypatch.setenv("JOBS_CPU_BF16", "0")
    out = tmp_path / "out"
    config = build_config(
        config_file=tiny_config,
        langs=["ru"],
        model_overrides=[f"ru={tiny_models['ru']}"],
        summary_model=str(tiny_models["summary"]),
        inputs=[SEED_PAGE],
        out=out,
        device="cpu",
        dtype="bf16",
    )
    with pytest.raises(ConfigError, match="no bf16 instructions"):
        run_job(config)
    assert not out.exists() or not any(out.iterdir())


def test_folder_revision_is_remembered_until_a_file_changes(tiny_models, tmp_path, monkeypatch):
    """Hashing a model's weights takes seconds per run; the memo makes unchanged folders free."""
    import json
    import shutil

    import jobs.models.hub
    from jobs.models.hub import folder_content_hash

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = shutil.copytree(tiny_models["ru"], tmp_path / "model")
    first = folder_content_hash(folder)
    memo = json.loads((tmp_path / "xdg" / "jobs" / "folder-revisions.json").read_text())
    assert list(memo.values()) == [first]
    reads: list[str] = []
    real_open = jobs.models.hub.Path.open
    monkeypatch.setattr(
        jobs.models.hub.Path, "open", lambda self, *a, **k: reads.append(self.name) or real_open(self, *a, **k)
    )
    assert folder_content_hash(folder) == first and reads == ["folder-revisions.json"]  # no weights read
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "dropout": 0.3}))
    assert folder_content_hash(folder) != first and "model.safetensors" in reads  # hashed again


# --------------------------------------------------------------------------- CPU: packed bf16 weights

needs_packing = pytest.mark.skipif(
    not packing_wanted("cpu", "bf16"), reason="oneDNN has no bf16 kernels on this CPU (or JOBS_PACK_WEIGHTS=0)"
)


@needs_packing
@pytest.mark.parametrize("key", ["ru", "summary"])
def test_bf16_on_cpu_packs_every_linear_layer_and_keeps_the_outputs(tiny_models, key, monkeypatch):
    """Packed weights run the same oneDNN product as torch's own bf16 Linear: the same logits and outputs."""
    from transformers import AutoTokenizer

    monkeypatch.setenv("JOBS_CPU_BF16", "1")
    outputs, models = {}, {}
    for pack in ("0", "1"):
        monkeypatch.setenv("JOBS_PACK_WEIGHTS", pack)
        fast, slow = loop_and_generate(tiny_models, key, dtype="bf16")
        outputs[pack] = [fast.generate(TEXTS), slow.generate(TEXTS)]
        models[pack] = fast.loaded.model
    layers = list(models["1"].modules())
    assert not any(type(m) is torch.nn.Linear for m in layers)
    assert sum(type(m) is PackedLinear for m in layers) == sum(
        type(m) is torch.nn.Linear for m in models["0"].modules()
    )
    assert type(models["1"].get_output_embeddings()) is PackedLinear
    assert GreedyHead.of(models["1"], [], []).product is not None  # the fused bias goes into the packed product
    reference = outputs["0"][1]  # generate() with torch's own bf16 Linear layers
    for out in (*outputs["0"], *outputs["1"]):  # the greedy loop and generate(), packed and not
        assert out.texts == reference.texts and out.output_tokens == reference.output_tokens
    tok = AutoTokenizer.from_pretrained(tiny_models[key])
    enc = tok(TEXTS[:3], return_tensors="pt", padding=True)
    start = torch.full((3, 1), models["0"].config.decoder_start_token_id)
    with torch.inference_mode():
        want, got = (models[p](**enc, decoder_input_ids=start).logits for p in ("0", "1"))
    torch.testing.assert_close(got, want)


def test_packing_only_for_bf16_on_cpu(monkeypatch):
    assert not packing_wanted("cpu", "fp32") and not packing_wanted("cuda", "bf16")
    monkeypatch.setenv("JOBS_PACK_WEIGHTS", "0")
    assert not packing_wanted("cpu", "bf16")


@pytest.mark.parametrize("rows", [1, 5, 9])
def test_argmax_of_bf16_logits_in_chunks_is_the_first_maximum(rows, monkeypatch):
    import jobs.backends.greedy

    monkeypatch.setattr(jobs.backends.greedy, "_ARGMAX_CHUNK_VALUES", 2 * 1000)  # 2 rows a chunk
    logits = torch.randn(rows, 1000).bfloat16()
    logits[0, [7, 900]] = 50.0  # a tie: the first one wins, as in torch
    got = jobs.backends.greedy._argmax(logits)
    assert got.dtype == torch.long and got.tolist() == logits.float().argmax(-1).tolist() and got[0] == 7


# --------------------------------------------------------------------------- CPU: streams, malloc


def test_two_streams_decode_batches_side_by_side_with_the_same_outputs(tiny_models, fp32_outputs, monkeypatch):
    import threading

    monkeypatch.setenv("JOBS_CPU_STREAMS", "1")
    one = backend(tiny_models, batch_tokens=40)  # several batches
    single = one.generate(TEXTS)
    monkeypatch.setenv("JOBS_CPU_STREAMS", "2")
    two = backend(tiny_models, batch_tokens=40)
    threads: set[str] = set()
    real = two._generate_batch

    def recorded(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(two, "_generate_batch", recorded)
    ticks: list[int] = []
    out = two.generate(TEXTS, ticks.append)
    assert two.streams == 2 and single.batches >= 3 and out.batches == single.batches
    assert len({name for name in threads if name.startswith("jobs-decode")}) == 2
    assert out.texts == single.texts == fp32_outputs.texts and out.hit_limit == single.hit_limit
    assert out.output_tokens == single.output_tokens and sum(ticks) == sum(1 for t in TEXTS if t.strip())
    assert torch.get_num_threads() == 1  # the conftest's setting, restored after generation


def test_beam_search_in_two_streams_gives_what_one_stream_gives(tiny_models, monkeypatch):
    """The default summary settings (2 beams) go through generate(), two batches at a time."""
    spec = ModelSpec(model=str(tiny_models["summary"]))
    settings = GenerationSettings(num_beams=2, max_new_tokens=10, min_new_tokens=4)
    outputs = {}
    for streams in ("1", "2"):
        monkeypatch.setenv("JOBS_CPU_STREAMS", streams)
        summarizer = TorchBackend(
            spec, "summary", BackendOptions(device="cpu", batch_tokens=40, settings=settings, translation=False)
        )
        assert not summarizer.fast_greedy
        outputs[streams] = summarizer.generate(TEXTS)
        assert summarizer.streams == int(streams) and outputs[streams].batches >= 3
    assert outputs["1"].texts == outputs["2"].texts and outputs["1"].hit_limit == outputs["2"].hit_limit


def test_streams_setting(monkeypatch):
    from jobs.backends.device import cpu_streams

    monkeypatch.delenv("JOBS_CPU_STREAMS", raising=False)
    assert cpu_streams(2) == 2 and cpu_streams(16) == 2
    assert cpu_streams(1) == 1  # one thread (OMP_NUM_THREADS=1, a one-CPU Ray actor): one batch at a time
    monkeypatch.setenv("JOBS_CPU_STREAMS", "3")
    assert cpu_streams(2) == 3
    monkeypatch.setenv("JOBS_CPU_STREAMS", "two")
    with pytest.raises(ConfigError, match="JOBS_CPU_STREAMS"):
        cpu_streams(2)


def test_final_logits_bias_moves_into_the_output_layer(tiny_models):
    """Marian/BART: the bias becomes the output layer's own; the logits stay the same."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from jobs.backends.torch import fold_logits_bias

    folder = tiny_models["ru"]
    tok = AutoTokenizer.from_pretrained(folder)
    original = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    folded = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    bias = original.final_logits_bias.clone()
    assert bool(bias.any())  # the tiny models carry a real bias (tests/tiny_models.py)
    fold_logits_bias(folded)
    assert not bool(folded.final_logits_bias.any())
    assert torch.equal(folded.get_output_embeddings().bias, bias.reshape(-1))
    enc = tok(TEXTS[:2], return_tensors="pt", padding=True)
    start = torch.full((2, 1), original.config.decoder_start_token_id)
    with torch.inference_mode():
        want = original(**enc, decoder_input_ids=start).logits
        got = folded(**enc, decoder_input_ids=start).logits
    torch.testing.assert_close(got, want)
    assert torch.equal(folded.get_output_embeddings().weight, original.get_output_embeddings().weight)


def test_freed_memory_is_reused_while_decoding_on_cpu():
    """Inside: a large block freed and taken again touches no new pages; outside it does (glibc)."""
    import resource

    import numpy as np

    from jobs.backends import malloc

    if not malloc.enabled():
        pytest.skip("glibc malloc tuning only applies on Linux with glibc")

    def faults_of_second_block() -> int:
        block = np.ones(48 << 20, dtype=np.uint8)  # 48 MiB: over glibc's largest mmap threshold
        del block
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        block = np.ones(48 << 20, dtype=np.uint8)
        del block
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

    outside = faults_of_second_block()
    with malloc.reuse_freed_memory() as active:
        assert active
        inside = faults_of_second_block()
    after = faults_of_second_block()
    # Outside, each block is a fresh mapping whose pages fault in (fewer faults with transparent
    # huge pages, never none); inside, the second block reuses the first one's pages.
    assert outside >= 16 and after >= 16
    assert inside <= outside // 8
