"""`jobs eval`: score the configured models, run as the job runs them, against public references.

Builds the job's own backends and stages (unit translation, the map-reduce summarizer, the
sentence splitter) and hands them as plain callables to the scoring code in jobs.quality.eval.
torch, transformers and datasets are imported only when a model is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jobs.errors import InputError
from jobs.quality.eval import (
    EVAL_DATA_ENV,
    FLORES_DIR,
    default_eval_dir,
    evaluate_summaries,
    evaluate_translation,
    flores_files,
    read_doc_ids,
    read_lines,
    read_summary_set,
    sha256_of,
)
from jobs.quality.eval_report import EVAL_SCHEMA
from jobs.versions import package_versions


class JobModel:
    """One model of the job's config, driven by the job's own backend and code (texts in, texts out)."""

    def __init__(self, config, spec, role: str, *, translation: bool):
        from jobs.backends import open_backend

        self.role = role
        self.backend = open_backend(spec, role, config, translation=translation)  # as `jobs run`: with its fallback

    def describe(self) -> dict[str, Any]:
        return {"label": self.backend.label, **self.backend.describe()}

    def translate(self, texts: list[str]) -> list[str]:
        """Texts through the job's unit translation (identical texts once, long ones split to fit), uncached."""
        import datasets

        from jobs.stages.segment import UNIT_FEATURES
        from jobs.stages.translate import translate_units

        n = len(texts)
        units = datasets.Dataset.from_dict(
            {
                "article_id": ["eval"] * n,
                "part": ["body"] * n,
                "paragraph": list(range(n)),
                "sentence": [0] * n,
                "text": list(texts),
            },
            features=UNIT_FEATURES,
        )
        return translate_units(units, self.backend, self.role).texts

    def summarize(self, documents: list[list[str]]) -> list[str]:
        """Documents (lists of paragraphs) through the job's map-reduce summarizer, uncached."""
        from jobs.stages.summarize import summarize_texts

        results, _ = summarize_texts(documents, self.backend)
        return [r.text for r in results]

    def close(self) -> None:
        """Free the model's memory before the next one loads, as the job does between languages."""
        self.backend.close()


def translation_model(config, lang: str) -> JobModel:
    """The configured translation model for lang, as the job would run it."""
    return JobModel(config, config.models[lang], lang, translation=True)


def summary_model(config) -> JobModel:
    return JobModel(config, config.summary_model, "summary", translation=False)


def run_eval(
    config,
    *,
    flores_dir: Path | None = None,
    src: Path | None = None,
    refs: dict[str, Path] | None = None,
    metadata: Path | None = None,
    summaries: Sequence[Path] = (),
    limit: int | None = None,
    documents: bool = True,
    translate: bool = True,
) -> dict[str, Any]:
    """Evaluate the config's translation models (per language) and its summarizer; return the report.

    By default each language is scored on FLORES-200 devtest in flores_dir; src/refs/metadata
    replace those files (one reference file per language).
    """
    from jobs.stages.segment import split_sentences

    flores_dir = flores_dir or default_eval_dir() / FLORES_DIR
    report: dict[str, Any] = {
        "schema": EVAL_SCHEMA,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config_file": str(config.config_file),
        "limit": limit,
        "translation": {},
        "summarization": {},
        "versions": package_versions(("sacrebleu", "rouge-score")),
    }
    # Every reference file is found before any model loads.
    plan = check_eval_data(config, flores_dir, src, refs, metadata, summaries, translate)
    for lang, (src_path, ref_path, meta_path) in plan.items():
        src_lines, ref_lines = read_lines(src_path, limit), read_lines(ref_path, limit)
        doc_ids = read_doc_ids(meta_path, limit) if documents and meta_path is not None else None
        model = translation_model(config, lang)
        try:
            result = evaluate_translation(src_lines, ref_lines, model.translate, lang, doc_ids, split=split_sentences)
            result["model"] = model.describe()
        finally:
            model.close()
        result["data"] = {
            "source": _file_info(src_path),
            "reference": _file_info(ref_path),
            "metadata": _file_info(meta_path) if doc_ids is not None else None,
        }
        report["translation"][lang] = result
    if summaries:
        model = summary_model(config)
        try:
            for path in summaries:
                result = evaluate_summaries(read_summary_set(path, limit), model.summarize)
                result["data"] = _file_info(path)
                result["model"] = model.describe()
                report["summarization"][path.stem] = result
        finally:
            model.close()
    return report


FLORES_SOURCE = (
    "the devtest/ folder of FLORES-200 (flores200_dataset.tar.gz, "
    "https://github.com/facebookresearch/flores/tree/main/flores200)"
)


def check_eval_data(config, flores_dir, src, refs, metadata, summaries, translate) -> dict[str, tuple]:
    """The reference files of each language to score; InputError (exit 3) naming what is missing and where to get it."""
    if not translate and not summaries:
        raise InputError(
            f"no summary reference data to score: no --summaries FILE and no *.jsonl in "
            f"{default_eval_dir() / 'summarization'} (${EVAL_DATA_ENV}/summarization). Pass --summaries "
            f"FILE: JSONL with an article (article/document/text) and its reference summary "
            f"(highlights/summary/reference) per line, e.g. CNN/DailyMail or XSum test rows"
        )
    plan = {}
    for lang in config.models if translate else {}:
        try:
            plan[lang] = _translation_files(flores_dir, lang, config.source_lang, src, refs, metadata)
        except FileNotFoundError as exc:
            raise InputError(f"{exc}; the files are in {FLORES_SOURCE}") from None
    return plan


def _translation_files(flores_dir, lang, source_lang, src, refs, metadata) -> tuple[Path, Path, Path | None]:
    if refs and lang in refs:
        return src or flores_files(flores_dir, lang, source_lang)[0], refs[lang], metadata
    flores_src, flores_ref, flores_meta = flores_files(flores_dir, lang, source_lang)
    for path in (flores_src, flores_ref):
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} not found: pass --flores DIR (FLORES-200 devtest files) or set {EVAL_DATA_ENV}"
            )
    return src or flores_src, flores_ref, metadata or (flores_meta if flores_meta.is_file() else None)


def _file_info(path: Path | None) -> dict[str, Any] | None:
    return None if path is None else {"path": str(path), "sha256": sha256_of(path)}
