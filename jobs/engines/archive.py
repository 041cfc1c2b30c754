"""The archive on Ray Data: shards read in parallel, one actor pool per model stage, outputs per shard.

    shards -> read + screen (actors) -> summarize (actors) -> translate, one pool per language
           -> records of every language written to OUT/.archive/shards/<key>/ (tasks)

One row of the Ray Dataset is one shard: its articles travel between the stages in Ray's object
store, never through the driver, which sees only each finished shard's counts. Each model actor
loads its model once and runs the stage as the local engine does on that shard's articles (the
same code: jobs.stages), so a shard's records are what `jobs run --engine local` would publish for
those articles alone. Rows stream: the first shards are written while later ones are still being
read, and memory holds a few shards per stage, whatever the archive's size.

No SQLite cache is used here (SQLite on a network filesystem is not safe): a finished shard is
the cache, keyed by its bytes and every model's identity (jobs.engines.shards); a shard cut off
by a kill or a lost node is done again whole, so its size bounds the work lost.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from jobs.config import JobConfig
from jobs.engines.shards import Shard, write_shard

log = logging.getLogger("jobs")


def _problems(rows: list[dict[str, Any]]) -> list[Any]:
    from jobs.errors import InputProblem

    return [InputProblem(**row) for row in rows]


class ReadShard:
    """Reads one shard with the job's reader and screens it (the same checks as `jobs run`)."""

    def __init__(self, config: dict[str, Any]):
        self.config = JobConfig.model_validate(config)

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        from jobs.errors import InputError
        from jobs.inputs import read_articles
        from jobs.inputs.reader import read_jsonl_part
        from jobs.stages.screen import screen_articles

        shard = Shard.from_json(row["shard"])
        try:
            if shard.start is None:
                read = read_articles([shard.path], encoding=self.config.encoding)
            else:
                read = read_jsonl_part(Path(shard.path), shard.display, shard.start, shard.end, shard.first_line)
            problems = list(read.errors)
            articles, screened = screen_articles(read.articles, self.config) if len(read.articles) else ([], [])
            problems += screened
        except InputError as exc:  # nothing readable in this shard: its problems are listed
            articles, problems = [], list(exc.problems)
        rows = articles.to_list() if len(articles) else []
        return {**row, "articles": json.dumps(rows), "problems": json.dumps([p.record() for p in problems])}


class Summarize:
    """An actor of the summary pool: the summarizer loaded once, each shard's articles summarized."""

    def __init__(self, config: dict[str, Any], backend: str):
        from jobs.engines.ray import actor_backend

        self.config = JobConfig.model_validate(config)
        self.backend = actor_backend(self.config.summary_model, "summary", self.config, False, backend)

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        from jobs.outputs.records import model_problem
        from jobs.stages.summarize import summarize_articles

        articles = json.loads(row["articles"])
        summaries, _ = summarize_articles([a["paragraphs"] for a in articles], self.backend) if articles else ([], None)
        problems = json.loads(row["problems"])
        failed = [i for i, s in enumerate(summaries) if s.error]
        problems += [model_problem(articles[i], f"summary failed: {summaries[i].error}").record() for i in failed]
        kept = [i for i in range(len(articles)) if i not in set(failed)]
        for i in kept:
            articles[i]["summary"] = summaries[i].text
        return {
            **row,
            "articles": json.dumps([articles[i] for i in kept]),
            "summaries": json.dumps([asdict(summaries[i]) for i in kept]),
            "problems": json.dumps(problems),
            "summary_model": json.dumps({"entry": self.backend.describe(), "label": self.backend.label}, default=str),
        }


def no_summaries(row: dict[str, Any]) -> dict[str, Any]:
    """--no-summary: every article's summary empty, none made."""
    articles = json.loads(row["articles"])
    for article in articles:
        article["summary"] = ""
    return {**row, "articles": json.dumps(articles), "summaries": "null", "summary_model": "null"}


class Translate:
    """An actor of one language's pool: the model loaded once, each shard's units translated."""

    def __init__(self, config: dict[str, Any], lang: str, backend: str):
        from jobs.engines.ray import actor_backend
        from jobs.stages.editorial import load_editorial

        self.config = JobConfig.model_validate(config)
        self.lang = lang
        self.backend = actor_backend(self.config.models[lang], lang, self.config, True, backend)
        self.editorial = load_editorial(self.config, lang)  # glossary, corrections, repair: as `jobs run`

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        import datasets

        from jobs.outputs.records import model_problem
        from jobs.stages.segment import segment_articles
        from jobs.stages.translate import assemble_articles, translate_units

        articles = json.loads(row["articles"])
        content: dict[str, Any] = {}
        failures: list[dict[str, Any]] = []
        units = 0
        if articles:
            table = datasets.Dataset.from_list(articles)
            unit_table = segment_articles(table)
            outputs = translate_units(
                unit_table, self.backend, self.lang, editorial=self.editorial, source_lang=self.config.source_lang
            )
            content = assemble_articles(unit_table, outputs, self.lang, source_lang=self.config.source_lang)
            units = len(unit_table)
            by_id = {a["id"]: a for a in articles}
            for article_id, error in _failed_units(unit_table, outputs).items():
                content.pop(article_id, None)
                message = f"translation into {self.lang} failed: {error}"
                failures.append(model_problem(by_id[article_id], message).record())
        model = {"entry": self.backend.describe(), "label": self.backend.label}
        made = {"content": content, "failures": failures, "units": units, "model": model}
        return {**row, f"lang_{self.lang}": json.dumps(made, default=str)}


def _failed_units(units, outputs) -> dict[str, str]:
    failed: dict[str, str] = {}
    for article_id, error in zip(units["article_id"][:], outputs.errors or []):
        if error and article_id not in failed:
            failed[article_id] = error
    return failed


class WriteShard:
    """Builds every language's records of a shard (the outputs code) and writes the shard's folder."""

    def __init__(self, config: dict[str, Any], now: str):
        self.config = JobConfig.model_validate(config)
        self.now = now  # the run's time (RFC 3339): a shard's stories are first seen and updated then

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        from jobs.stages.summarize import SummaryResult

        config = self.config
        shard = Shard.from_json(row["shard"])
        articles = json.loads(row["articles"])
        raw = json.loads(row["summaries"])
        summaries = [SummaryResult(**s) for s in raw] if raw is not None else [None] * len(articles)
        summary_model = json.loads(row["summary_model"]) or {"entry": None, "label": None}
        made = {lang: json.loads(row[f"lang_{lang}"]) for lang in config.models}
        records = shard_records(config, articles, summaries, summary_model["label"], made, self.now)
        files = {f"{lang}.jsonl": _jsonl(records[lang]) for lang in config.langs}
        for lang in config.langs:
            files.update(_markdown(records[lang], lang))
        failures = {"shared": json.loads(row["problems"]), **{lang: m["failures"] for lang, m in made.items()}}
        models = {"summary": summary_model["entry"], **{lang: m["model"]["entry"] for lang, m in made.items()}}
        files["failures.json"] = json.dumps(failures, ensure_ascii=False).encode("utf-8")
        files["models.json"] = json.dumps(models, default=str).encode("utf-8")
        units = max((m["units"] for m in made.values()), default=0)
        failed = sum(map(len, failures.values()))  # problems listed: shared, and each language's
        counts = {"shard": shard.number, "articles": len(articles), "failed": failed, "units": units}
        write_shard(config.out, shard, files, counts)
        return {"key": shard.key, "number": shard.number, **counts}


def shard_records(
    config: JobConfig, articles, summaries, summary_label, made, now: str
) -> dict[str, list[dict[str, Any]]]:
    """Every language's records of one shard, linked to each other and dated `now` (outputs.records)."""
    from jobs.errors import InputProblem
    from jobs.outputs.records import build_records, date_records, failed_ids, link_translations

    ids = {a["id"] for a in articles}
    skip = {lang: failed_ids(InputProblem(**f) for f in m["failures"]) for lang, m in made.items()}
    records = {}
    for lang in config.langs:
        m = made.get(lang)
        records[lang] = build_records(
            articles,
            summaries,
            m["content"] if m else {},
            lang,
            labels=(m["model"]["label"] if m else None, summary_label),
            lang_tag=config.lang_tags.get(lang, lang),
            review_flags=config.review_flags,
            skip=skip.get(lang, set()),
        )
    link_translations(records, config.lang_tags, {lang: ids - skip.get(lang, set()) for lang in config.langs})
    for built in records.values():
        date_records(built, {}, None, now=now)
    return records


def _markdown(records: list[dict[str, Any]], lang: str) -> dict[str, bytes]:
    """LANG/<id>.md of every record, and LANG.md.json: each file's sha256 and size for the manifest."""
    import hashlib

    from jobs.outputs.markdown import render_markdown

    rendered = {f"{r['id']}.md": render_markdown(r).encode("utf-8") for r in records}
    listed = {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)} for name, data in rendered.items()}
    return {
        **{f"{lang}/{name}": data for name, data in rendered.items()},
        f"{lang}.md.json": json.dumps(listed).encode(),
    }


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def run_shards(config: JobConfig, shards: list[Shard], backends: dict[str, str], now: str) -> Iterator[dict[str, Any]]:
    """Run the shards through the stages on Ray; yields each finished shard's counts as it lands.

    `backends`: the backend name the driver resolved for each role (`summary`, each language)."""
    from jobs.engines.ray import import_ray, start_ray

    ray = import_ray()
    start_ray(config, actor_pools=2 + len(config.models))  # model pools, and reading + writing
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.max_errored_blocks = 0  # a shard that keeps failing stops the run; finished ones stay
    payload = config.model_dump(mode="json")
    pool = ray.data.ActorPoolStrategy(size=config.ray_actors)
    gpus = config.ray_gpus_per_actor or None
    rows = [{"shard": shard.to_json()} for shard in shards]
    ds = ray.data.from_items(rows, override_num_blocks=max(1, len(rows)))
    ds = ds.map(ReadShard, fn_constructor_kwargs={"config": payload}, compute=pool, num_cpus=0.5)
    if config.summarize:
        kwargs = {"config": payload, "backend": backends["summary"]}
        ds = ds.map(Summarize, fn_constructor_kwargs=kwargs, compute=pool, num_gpus=gpus)
    else:
        ds = ds.map(no_summaries)
    for lang in config.models:
        kwargs = {"config": payload, "lang": lang, "backend": backends[lang]}
        ds = ds.map(Translate, fn_constructor_kwargs=kwargs, compute=pool, num_gpus=gpus)
    ds = ds.map(WriteShard, fn_constructor_kwargs={"config": payload, "now": now}, compute=pool, num_cpus=0.25)
    yield from ds.iter_rows()
