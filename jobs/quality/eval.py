"""`jobs eval`: score the configured models against public references.

Translation: a line-aligned reference set (default FLORES-200 devtest, read from files) is
translated twice. The sentence path translates each line on its own. The document path joins
consecutive lines of one source URL into one paragraph and sends it through the job's own
splitting (jobs.stages.segment.split_sentences), unit translation (jobs.stages.translate.translate_units) and
reassembly, then puts the output back on the reference lines; both are scored with sacrebleu
BLEU and chrF, so a change to splitting or reassembly that loses text shows up as a gap.
Summaries: ROUGE-1/2/L F1 (rouge-score) of the job's summarizer on article + reference JSONL.

Heavy imports (torch, transformers, datasets, sacrebleu, rouge-score) happen inside functions.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jobs.quality.qa import base_lang

EVAL_SCHEMA = "jobs.eval/v1"
FLORES_CODES = {"en": "eng_Latn", "ru": "rus_Cyrl", "kk": "kaz_Cyrl", "zh": "zho_Hans"}
FLORES_DIR = "flores200-devtest"
FLORES_SPLIT = "devtest"
EVAL_DATA_ENV = "JOBS_EVAL_DATA"
# sacrebleu's tokenizer per target language: Chinese has no spaces, so BLEU needs its own.
BLEU_TOKENIZE = {"zh": "zh", "ja": "ja-mecab", "ko": "ko-mecab"}
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")
_ARTICLE_KEYS = ("article", "document", "text")
_REFERENCE_KEYS = ("highlights", "summary", "reference")
NO_SPACE_LANGS = {"zh", "ja", "th", "lo", "my", "km", "yue"}  # as jobs.stages.translate.joiner

TranslateFn = Callable[[list[str]], list[str]]


# --------------------------------------------------------------------------- reference data


def default_eval_dir() -> Path:
    """Where the reference data lives: $JOBS_EVAL_DATA, else shared/eval beside or above the repository."""
    if os.environ.get(EVAL_DATA_ENV):
        return Path(os.environ[EVAL_DATA_ENV])
    repo = Path(__file__).resolve().parents[2]
    for candidate in (Path("shared") / "eval", repo / "shared" / "eval", repo.parent / "shared" / "eval"):
        if candidate.is_dir():
            return candidate
    return Path("shared") / "eval"


def read_lines(path: Path, limit: int | None = None) -> list[str]:
    """A line-aligned text file, one segment per line (trailing newline characters removed)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line.rstrip("\r") for line in lines]
    return lines[:limit] if limit else lines


def read_doc_ids(metadata: Path, limit: int | None = None, column: str = "URL") -> list[str]:
    """The document (source URL) of every line, from a FLORES metadata TSV with a header row."""
    with metadata.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    if rows and column not in rows[0]:
        raise ValueError(f"{metadata} has no {column!r} column (columns: {', '.join(rows[0])})")
    ids = [row[column] for row in rows]
    return ids[:limit] if limit else ids


def flores_files(flores_dir: Path, lang: str, source_lang: str = "en") -> tuple[Path, Path, Path]:
    """(source, reference, metadata) paths of FLORES-200 for a target language."""
    codes = []
    for code in (source_lang, lang):
        if base_lang(code) not in FLORES_CODES:
            raise ValueError(f"no FLORES-200 file known for {code!r}; pass --src and --ref files instead")
        codes.append(FLORES_CODES[base_lang(code)])
    src, ref = (flores_dir / f"{code}.{FLORES_SPLIT}" for code in codes)
    return src, ref, flores_dir / f"metadata_{FLORES_SPLIT}.tsv"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- scoring


def score_lines(hypotheses: Sequence[str], references: Sequence[str], lang: str) -> dict[str, Any]:
    """Corpus BLEU and chrF of aligned segments, with sacrebleu's signatures (zh BLEU: tokenize='zh')."""
    from sacrebleu.metrics import BLEU, CHRF

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} outputs for {len(references)} references")
    bleu = BLEU(tokenize=BLEU_TOKENIZE.get(base_lang(lang), "13a"))
    chrf = CHRF()
    if not references:
        return {"bleu": None, "chrf": None, "segments": 0,
                "signature": {"bleu": str(bleu.get_signature()), "chrf": str(chrf.get_signature())}}
    return {
        "bleu": round(bleu.corpus_score(list(hypotheses), [list(references)]).score, 2),
        "chrf": round(chrf.corpus_score(list(hypotheses), [list(references)]).score, 2),
        "segments": len(references),
        "signature": {"bleu": str(bleu.get_signature()), "chrf": str(chrf.get_signature())},
    }


def joiner(lang: str) -> str:
    """What goes between sentences of one paragraph in lang (the same rule as jobs.stages.translate)."""
    return "" if base_lang(lang) in NO_SPACE_LANGS else " "


# --------------------------------------------------------------------------- documents and alignment


def document_spans(doc_ids: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) line ranges of consecutive lines that share a document id."""
    spans: list[tuple[int, int]] = []
    for index, doc in enumerate(doc_ids):
        if spans and doc_ids[index - 1] == doc:
            spans[-1] = (spans[-1][0], index + 1)
        else:
            spans.append((index, index + 1))
    return spans


@dataclass
class Alignment:
    """A document's sentences (as the job splits it) mapped back to its lines."""

    sentences: list[str]
    owner: list[int]  # per sentence: the line (index within the document) it starts in
    merged_lines: int  # lines that share a sentence with another line: not separable
    split_lines: int  # lines the splitter cut into two or more sentences (still exactly aligned)


def align_document(lines: Sequence[str], split: Callable[[str], list[str]]) -> Alignment:
    """Split the document's lines joined as one paragraph; give each sentence to the line it starts in.

    A sentence that runs into the next line (the splitter merged two lines) stays whole with the
    line it starts in, and every line it touches is counted as merged.
    """
    stripped = [line.strip() for line in lines]
    paragraph = " ".join(stripped)
    starts, offset = [], 0
    for line in stripped:
        starts.append(offset)
        offset += len(line) + 1
    sentences = split(paragraph)
    owner: list[int] = []
    merged: set[int] = set()
    cursor = 0
    for sentence in sentences:
        found = paragraph.find(sentence, cursor)
        position = found if found >= 0 else cursor  # the splitter changed the text: keep the order
        first = max(0, bisect.bisect_right(starts, position) - 1)
        last = max(0, bisect.bisect_left(starts, position + len(sentence)) - 1)
        if last > first:
            merged.update(range(first, last + 1))
        owner.append(first)
        if found >= 0:
            cursor = found + len(sentence)
    per_line = [owner.count(i) for i in range(len(stripped))]
    return Alignment(sentences, owner, len(merged), sum(1 for i, n in enumerate(per_line) if n > 1 and i not in merged))


def reassemble(alignment: Alignment, outputs: Sequence[str], lines: int, lang: str) -> list[str]:
    """One output per line: the translations of the sentences that start in it, joined as the job joins them."""
    per_line: list[list[str]] = [[] for _ in range(lines)]
    for line, text in zip(alignment.owner, outputs):
        per_line[line].append(text)
    glue = joiner(lang)
    return [glue.join(t for t in texts if t) for texts in per_line]


# --------------------------------------------------------------------------- translation eval


def evaluate_translation(src_lines: Sequence[str], ref_lines: Sequence[str], translate_fn: TranslateFn, lang: str,
                         doc_ids: Sequence[str] | None = None, *, split: Callable[[str], list[str]] | None = None) -> dict[str, Any]:
    """Score translate_fn on aligned lines: sentence by sentence, and (with doc_ids) as documents.

    translate_fn takes a list of source texts and returns one output per text. The document
    path's outputs are put back on the reference lines and scored on the same lines, and both
    paths are also scored with each document as one segment, where alignment cannot matter.
    """
    if len(src_lines) != len(ref_lines):
        raise ValueError(f"{len(src_lines)} source lines but {len(ref_lines)} reference lines")
    started = time.perf_counter()
    hypotheses = _call(translate_fn, list(src_lines))
    result: dict[str, Any] = {"lang": lang, "lines": len(src_lines), "sentence": score_lines(hypotheses, ref_lines, lang)}
    result["signature"] = result["sentence"]["signature"]
    result["seconds"] = {"sentence": round(time.perf_counter() - started, 2)}
    result["outputs"] = {"sentence": hypotheses}
    if doc_ids is None:
        return result
    if len(doc_ids) != len(src_lines):
        raise ValueError(f"{len(doc_ids)} document ids for {len(src_lines)} lines")
    started = time.perf_counter()
    result["document"], result["outputs"]["document"] = _document_path(
        src_lines, ref_lines, hypotheses, translate_fn, lang, doc_ids, split)
    result["seconds"]["document"] = round(time.perf_counter() - started, 2)
    return result


def _call(translate_fn: TranslateFn, texts: list[str]) -> list[str]:
    outputs = list(translate_fn(texts))
    if len(outputs) != len(texts):
        raise ValueError(f"translate_fn returned {len(outputs)} outputs for {len(texts)} texts")
    return outputs


def _document_path(src_lines, ref_lines, sentence_hyps, translate_fn, lang, doc_ids, split) -> tuple[dict[str, Any], list[str]]:
    """Documents through split -> translate -> reassemble; scores on the lines and per document, and the outputs."""
    if split is None:
        from jobs.stages.segment import split_sentences as split
    spans = document_spans(doc_ids)
    alignments = [align_document(src_lines[a:b], split) for a, b in spans]
    flat = [s for alignment in alignments for s in alignment.sentences]
    outputs = _call(translate_fn, flat)
    hyps: list[str] = []
    position = 0
    for (a, b), alignment in zip(spans, alignments):
        count = len(alignment.sentences)
        hyps += reassemble(alignment, outputs[position: position + count], b - a, lang)
        position += count
    glue = joiner(lang)

    def docs(lines: Sequence[str]) -> list[str]:
        return [glue.join(x.strip() for x in lines[a:b] if x.strip()) for a, b in spans]

    one_to_one = sum(len(al.sentences) == b - a and not al.merged_lines for (a, b), al in zip(spans, alignments))
    scores = {
        **score_lines(hyps, ref_lines, lang),
        "documents": len(spans),
        "sentences": len(flat),
        "documents_one_to_one": one_to_one,
        "lines_split": sum(al.split_lines for al in alignments),
        "lines_merged": sum(al.merged_lines for al in alignments),
        "identical_to_sentence_path": sum(h == s for h, s in zip(hyps, sentence_hyps)),
        "per_document": {
            "sentence_path": _scores_only(score_lines(docs(sentence_hyps), docs(list(ref_lines)), lang)),
            "document_path": _scores_only(score_lines(docs(hyps), docs(list(ref_lines)), lang)),
        },
    }
    return scores, hyps


def _scores_only(scores: dict[str, Any]) -> dict[str, Any]:
    return {"bleu": scores["bleu"], "chrf": scores["chrf"], "segments": scores["segments"]}


# --------------------------------------------------------------------------- the job's own models


class JobModel:
    """One model of the job's config, driven by the job's own backend and code (texts in, texts out)."""

    def __init__(self, config, spec, role: str, *, translation: bool):
        from jobs.backends import make_backend

        self.role = role
        self.backend = make_backend(spec, role, config, translation=translation)

    def describe(self) -> dict[str, Any]:
        return {"label": self.backend.label, **self.backend.describe()}

    def translate(self, texts: list[str]) -> list[str]:
        """Texts through the job's unit translation (identical texts once, long ones split to fit), uncached."""
        import datasets

        from jobs.stages.segment import UNIT_FEATURES
        from jobs.stages.translate import translate_units

        n = len(texts)
        units = datasets.Dataset.from_dict(
            {"article_id": ["eval"] * n, "part": ["body"] * n, "paragraph": list(range(n)), "sentence": [0] * n,
             "text": list(texts)},
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


# --------------------------------------------------------------------------- summaries


def read_summary_set(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """JSONL rows as {id, paragraphs, reference}; the article is 'article', 'document' or 'text',
    the reference 'highlights', 'summary' or 'reference' ('\\n' separates paragraphs / highlights)."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        article = next((record[k] for k in _ARTICLE_KEYS if k in record), None)
        reference = next((record[k] for k in _REFERENCE_KEYS if k in record), None)
        if not isinstance(article, str) or not isinstance(reference, str):
            raise ValueError(f"{path}:{number}: needs an article ({'/'.join(_ARTICLE_KEYS)}) and a reference "
                             f"({'/'.join(_REFERENCE_KEYS)})")
        paragraphs = [p.strip() for p in article.split("\n") if p.strip()]
        rows.append({"id": str(record.get("id", number)), "paragraphs": paragraphs, "reference": reference})
    return rows[:limit] if limit else rows


def score_rouge(summaries: Sequence[str], references: Sequence[str]) -> dict[str, Any]:
    """Mean ROUGE-1/2/L F1 x 100 (rouge-score, Porter stemmer), as summarization papers report it."""
    from rouge_score import rouge_scorer

    if len(summaries) != len(references):
        raise ValueError(f"{len(summaries)} summaries for {len(references)} references")
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    totals = dict.fromkeys(ROUGE_TYPES, 0.0)
    for summary, reference in zip(summaries, references):
        scores = scorer.score(reference, summary)
        for name in ROUGE_TYPES:
            totals[name] += scores[name].fmeasure
    n = max(1, len(references))
    return {**{name: round(100 * total / n, 2) for name, total in totals.items()}, "documents": len(references),
            "scorer": f"rouge-score {_version('rouge-score')}, F1, use_stemmer=True"}


def evaluate_summaries(rows: Sequence[dict[str, Any]], summarize_fn: Callable[[list[list[str]]], list[str]]) -> dict[str, Any]:
    """Summarize every row's paragraphs and score against its reference."""
    started = time.perf_counter()
    summaries = list(summarize_fn([row["paragraphs"] for row in rows]))
    result = score_rouge(summaries, [row["reference"] for row in rows])
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["outputs"] = summaries
    return result


# --------------------------------------------------------------------------- the whole eval


def run_eval(config, *, flores_dir: Path | None = None, src: Path | None = None, refs: dict[str, Path] | None = None,
             metadata: Path | None = None, summaries: Sequence[Path] = (), limit: int | None = None,
             documents: bool = True, translate: bool = True) -> dict[str, Any]:
    """Evaluate the config's translation models (per language) and its summarizer; return the report.

    By default each language is scored on FLORES-200 devtest in flores_dir; src/refs/metadata
    replace those files (one reference file per language).
    """
    flores_dir = flores_dir or default_eval_dir() / FLORES_DIR
    report: dict[str, Any] = {
        "schema": EVAL_SCHEMA,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config_file": str(config.config_file),
        "limit": limit,
        "translation": {},
        "summarization": {},
        "versions": _versions(),
    }
    for lang in (config.models if translate else {}):
        src_path, ref_path, meta_path = _translation_files(flores_dir, lang, config.source_lang, src, refs, metadata)
        src_lines, ref_lines = read_lines(src_path, limit), read_lines(ref_path, limit)
        doc_ids = read_doc_ids(meta_path, limit) if documents and meta_path is not None else None
        model = translation_model(config, lang)
        try:
            result = evaluate_translation(src_lines, ref_lines, model.translate, lang, doc_ids)
            result["model"] = model.describe()
        finally:
            model.close()
        result["data"] = {"source": _file_info(src_path), "reference": _file_info(ref_path),
                          "metadata": _file_info(meta_path) if doc_ids is not None else None}
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


def _translation_files(flores_dir, lang, source_lang, src, refs, metadata) -> tuple[Path, Path, Path | None]:
    if refs and lang in refs:
        return src or flores_files(flores_dir, lang, source_lang)[0], refs[lang], metadata
    flores_src, flores_ref, flores_meta = flores_files(flores_dir, lang, source_lang)
    for path in (flores_src, flores_ref):
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: pass --flores DIR (FLORES-200 devtest files) or set {EVAL_DATA_ENV}")
    return src or flores_src, flores_ref, metadata or (flores_meta if flores_meta.is_file() else None)


def _file_info(path: Path | None) -> dict[str, Any] | None:
    return None if path is None else {"path": str(path), "sha256": sha256_of(path)}


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _versions() -> dict[str, str]:
    from jobs.pipeline import package_versions

    return {**package_versions(), "sacrebleu": _version("sacrebleu"), "rouge-score": _version("rouge-score")}


# --------------------------------------------------------------------------- reports


def format_table(report: dict[str, Any]) -> str:
    """The report as a plain-text table for the terminal."""
    lines = []
    if report["translation"]:
        lines.append(f"{'lang':<5} {'model':<40} {'lines':>5} {'BLEU':>6} {'chrF':>6} {'docBLEU':>7} {'docchrF':>7} {'Δ chrF':>7} {'merged':>6}")
        for lang, r in report["translation"].items():
            doc = r.get("document") or {}
            delta = _delta(doc.get("chrf"), r["sentence"]["chrf"])
            lines.append(
                f"{lang:<5} {_short(r.get('model', {}).get('label', '?'), 40):<40} {r['lines']:>5} {_num(r['sentence']['bleu']):>6} "
                f"{_num(r['sentence']['chrf']):>6} {_num(doc.get('bleu')):>7} {_num(doc.get('chrf')):>7} {delta:>7} "
                f"{doc.get('lines_merged', '-'):>6}"
            )
    if report["summarization"]:
        lines.append(f"{'summaries':<20} {'model':<40} {'docs':>5} {'R-1':>6} {'R-2':>6} {'R-L':>6}")
        for name, r in report["summarization"].items():
            lines.append(f"{_short(name, 20):<20} {_short(r.get('model', {}).get('label', '?'), 40):<40} {r['documents']:>5} "
                         f"{r['rouge1']:>6.2f} {r['rouge2']:>6.2f} {r['rougeL']:>6.2f}")
    return "\n".join(lines)


def render_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: tables, sacrebleu signatures, models and data checksums."""
    out = ["# jobs eval", "", f"Created {report['created_at']}; config `{report['config_file']}`"
           + (f"; first {report['limit']} lines/rows only" if report.get("limit") else "") + ".", ""]
    if report["translation"]:
        out += ["## Translation", "",
                "| lang | model | lines | BLEU | chrF | doc-path BLEU | doc-path chrF | Δ chrF | per-doc chrF (sent / doc path) | lines merged |",
                "|---|---|---:|---:|---:|---:|---:|---:|---|---:|"]
        for lang, r in report["translation"].items():
            doc = r.get("document") or {}
            per_doc = doc.get("per_document", {})
            pair = (f"{_num(per_doc['sentence_path']['chrf'])} / {_num(per_doc['document_path']['chrf'])}" if per_doc else "-")
            out.append(f"| {lang} | `{r.get('model', {}).get('label', '?')}` | {r['lines']} | {_num(r['sentence']['bleu'])} | "
                       f"{_num(r['sentence']['chrf'])} | {_num(doc.get('bleu'))} | {_num(doc.get('chrf'))} | "
                       f"{_delta(doc.get('chrf'), r['sentence']['chrf'])} | {pair} | {doc.get('lines_merged', '-')} |")
        out += ["", "sacrebleu signatures:", ""]
        for lang, r in report["translation"].items():
            sig = r["sentence"]["signature"]
            out.append(f"- {lang}: BLEU `{sig['bleu']}`; chrF `{sig['chrf']}`")
        out.append("")
    if report["summarization"]:
        out += ["## Summaries", "", "| data | model | documents | ROUGE-1 | ROUGE-2 | ROUGE-L |", "|---|---|---:|---:|---:|---:|"]
        for name, r in report["summarization"].items():
            out.append(f"| {name} | `{r.get('model', {}).get('label', '?')}` | {r['documents']} | {r['rouge1']:.2f} | "
                       f"{r['rouge2']:.2f} | {r['rougeL']:.2f} |")
        scorer = next(iter(report["summarization"].values()))["scorer"]
        out += ["", f"Scorer: {scorer}.", ""]
    out += ["## Versions", "", ", ".join(f"{k} {v}" for k, v in report["versions"].items()), ""]
    return "\n".join(out)


def write_reports(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write eval.json (everything, outputs included) and eval.md into out_dir; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "eval.json", out_dir / "eval.md"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(report), encoding="utf-8")
    return json_path, md_path


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _delta(value: float | None, base: float | None) -> str:
    return "-" if value is None or base is None else f"{value - base:+.2f}"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]
