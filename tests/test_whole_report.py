"""benchmarks/whole.py's report of where each stage's time went, and of the job run again in
the same process (--again, which gpu.sh asks for): pure functions over the children's results."""

from benchmarks.whole import again_lines


def _stage(seconds: float, load: float, generate: float) -> dict:
    return {"seconds": seconds, "load_s": load, "generate_s": generate}


def test_other_time_is_the_stage_outside_load_and_generate():
    job = {"job_s": 80.0, "stages": {"summary": _stage(38.9, 1.2, 24.0), "ru": _stage(14.7, 1.5, 12.0)}}
    lines = again_lines(job)
    assert "| summarize | first run | 38.9 | 1.2 | 24.0 | 13.7 |" in lines
    assert "| translate ru | first run | 14.7 | 1.5 | 12.0 | 1.2 |" in lines
    assert not any("again" in line for line in lines)


def test_the_second_run_in_the_same_process_is_shown_beside_the_first():
    again = {
        "job_s": 40.0,
        "stages": {"summary": _stage(10.0, 0.5, 9.0)},
        "summary_passes": [{"level": 1, "kind": "intermediate", "seconds": 6.0}],
    }
    job = {"job_s": 80.0, "stages": {"summary": _stage(38.9, 1.2, 24.0)}, "again": again}
    lines = again_lines(job)
    assert lines.index("| summarize | first run | 38.9 | 1.2 | 24.0 | 13.7 |") + 1 == lines.index(
        "| summarize | again, same process | 10.0 | 0.5 | 9.0 | 0.5 |"
    )
    assert lines[-1].startswith(
        "Job again in the same process: 40.0 s against 80.0 s; summary passes level 1 intermediate 6.0 s"
    )


def test_the_probe_counts_a_generate_call_that_calls_itself_once(monkeypatch):
    """TorchBackend.generate(settings=...) calls self.generate again with the settings applied;
    the benchmark's probe wraps the instance's generate, so it must not count that call twice."""
    import jobs.backends as backends
    from benchmarks.run import Probe

    class Out:
        output_tokens, input_tokens, seconds, batches = 10, 100, 1.5, 1
        texts = ["summary"]

    class FakeBackend:  # the shape of jobs.backends.base.Backend that the probe touches
        revision = "r1"

        def _load(self):
            return None

        def generate(self, texts, on_progress=None, settings=None):
            if settings is not None:
                return self.generate(texts, on_progress)
            return Out()

        def with_settings(self, settings):
            return self

    monkeypatch.setattr(backends, "make_backend", lambda spec, role, config, *, translation: FakeBackend())
    probe = Probe(keep_outputs=False)
    probe.install()
    backend = backends.make_backend(None, "summary", None, translation=False)
    backend.generate(["an article"], None, settings="intermediate")
    backend.generate(["an article"])
    stats = probe.stats["summary"]
    assert stats["calls"] == [1, 1]
    assert stats["generate_s"] == 3.0 and stats["output_tokens"] == 20


def test_a_twin_made_for_qa_repair_decodes_at_its_own_settings_and_is_counted(monkeypatch):
    """QA repair's twin is a shallow copy of the backend (jobs.backends.variant): it must not
    inherit the probe's wrappers bound to the first backend, which would decode at the first
    backend's settings."""
    import copy

    import jobs.backends as backends
    from benchmarks.run import Probe

    seen = []

    class Out:
        output_tokens, input_tokens, seconds, batches = 10, 100, 1.0, 1
        texts = ["text"]

    class FakeBackend:
        revision = "r1"
        settings = "greedy"

        def _load(self):
            return None

        def generate(self, texts, on_progress=None):
            seen.append(self.settings)
            return Out()

        def with_settings(self, settings):  # as jobs.backends.variant.with_settings: a shallow copy
            twin = copy.copy(self)
            twin.settings = settings
            return twin

    monkeypatch.setattr(backends, "make_backend", lambda spec, role, config, *, translation: FakeBackend())
    probe = Probe(keep_outputs=False)
    probe.install()
    backend = backends.make_backend(None, "kk", None, translation=True)
    backend.generate(["a sentence"])
    backend.with_settings("beam 4").generate(["a sentence"])
    assert seen == ["greedy", "beam 4"]
    assert probe.stats["kk"]["calls"] == [1, 1]
