"""Scoring against public references: reference data, BLEU/chrF/ROUGE, and document alignment.

Translation: a line-aligned reference set (default FLORES-200 devtest, read from files) is
translated twice by a `translate_fn` (texts in, texts out). The sentence path translates each
line on its own. The document path joins consecutive lines of one source URL into one
paragraph, splits it with the `split` it is given (the job's own splitter), translates the
sentences and reassembles them, then puts the output back on the reference lines; both are
scored with sacrebleu BLEU and chrF, so a change to splitting or reassembly that loses text
shows up as a gap. Summaries: ROUGE-1/2/L F1 (rouge-score) of a `summarize_fn`.

The models and the job's stages are wired in by jobs.evaluation; sacrebleu and rouge-score are
imported inside the functions that use them.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobs.config import environment
from jobs.quality.language import base_lang, joiner
from jobs.versions import package_version

FLORES_CODES = {"en": "eng_Latn", "ru": "rus_Cyrl", "kk": "kaz_Cyrl", "zh": "zho_Hans"}
FLORES_DIR = "flores200-devtest"
FLORES_SPLIT = "devtest"
EVAL_DATA_ENV = "JOBS_EVAL_DATA"
# sacrebleu's tokenizer per target language: Chinese has no spaces, so BLEU needs its own.
BLEU_TOKENIZE = {"zh": "zh", "ja": "ja-mecab", "ko": "ko-mecab"}
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")
_ARTICLE_KEYS = ("article", "document", "text")
_REFERENCE_KEYS = ("highlights", "summary", "reference")

TranslateFn = Callable[[list[str]], list[str]]


# --------------------------------------------------------------------------- reference data


def default_eval_dir() -> Path:
    """Where the reference data lives: $JOBS_EVAL_DATA, else shared/eval beside or above the repository."""
    given = environment().eval_data
    if given is not None:
        return given
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
        return {
            "bleu": None,
            "chrf": None,
            "segments": 0,
            "signature": {"bleu": str(bleu.get_signature()), "chrf": str(chrf.get_signature())},
        }
    return {
        "bleu": round(bleu.corpus_score(list(hypotheses), [list(references)]).score, 2),
        "chrf": round(chrf.corpus_score(list(hypotheses), [list(references)]).score, 2),
        "segments": len(references),
        "signature": {"bleu": str(bleu.get_signature()), "chrf": str(chrf.get_signature())},
    }


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


def evaluate_translation(
    src_lines: Sequence[str],
    ref_lines: Sequence[str],
    translate_fn: TranslateFn,
    lang: str,
    doc_ids: Sequence[str] | None = None,
    *,
    split: Callable[[str], list[str]] | None = None,
) -> dict[str, Any]:
    """Score translate_fn on aligned lines: sentence by sentence, and (with doc_ids) as documents.

    translate_fn takes a list of source texts and returns one output per text. The document
    path's outputs are put back on the reference lines and scored on the same lines, and both
    paths are also scored with each document as one segment, where alignment cannot matter.
    """
    if len(src_lines) != len(ref_lines):
        raise ValueError(f"{len(src_lines)} source lines but {len(ref_lines)} reference lines")
    started = time.perf_counter()
    hypotheses = _call(translate_fn, list(src_lines))
    result: dict[str, Any] = {
        "lang": lang,
        "lines": len(src_lines),
        "sentence": score_lines(hypotheses, ref_lines, lang),
    }
    result["signature"] = result["sentence"]["signature"]
    result["seconds"] = {"sentence": round(time.perf_counter() - started, 2)}
    result["outputs"] = {"sentence": hypotheses}
    if doc_ids is None:
        return result
    if len(doc_ids) != len(src_lines):
        raise ValueError(f"{len(doc_ids)} document ids for {len(src_lines)} lines")
    started = time.perf_counter()
    result["document"], result["outputs"]["document"] = _document_path(
        src_lines, ref_lines, hypotheses, translate_fn, lang, doc_ids, split
    )
    result["seconds"]["document"] = round(time.perf_counter() - started, 2)
    return result


def _call(translate_fn: TranslateFn, texts: list[str]) -> list[str]:
    outputs = list(translate_fn(texts))
    if len(outputs) != len(texts):
        raise ValueError(f"translate_fn returned {len(outputs)} outputs for {len(texts)} texts")
    return outputs


def _document_path(
    src_lines, ref_lines, sentence_hyps, translate_fn, lang, doc_ids, split
) -> tuple[dict[str, Any], list[str]]:
    """Documents through split -> translate -> reassemble; scores on the lines and per document, and the outputs."""
    if split is None:
        raise ValueError("the document path needs split, the sentence splitter the job uses")
    spans = document_spans(doc_ids)
    alignments = [align_document(src_lines[a:b], split) for a, b in spans]
    flat = [s for alignment in alignments for s in alignment.sentences]
    outputs = _call(translate_fn, flat)
    hyps: list[str] = []
    position = 0
    for (a, b), alignment in zip(spans, alignments):
        count = len(alignment.sentences)
        hyps += reassemble(alignment, outputs[position : position + count], b - a, lang)
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
            raise ValueError(
                f"{path}:{number}: needs an article ({'/'.join(_ARTICLE_KEYS)}) and a reference "
                f"({'/'.join(_REFERENCE_KEYS)})"
            )
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
    return {
        **{name: round(100 * total / n, 2) for name, total in totals.items()},
        "documents": len(references),
        "scorer": f"rouge-score {package_version('rouge-score')}, F1, use_stemmer=True",
    }


def evaluate_summaries(
    rows: Sequence[dict[str, Any]], summarize_fn: Callable[[list[list[str]]], list[str]]
) -> dict[str, Any]:
    """Summarize every row's paragraphs and score against its reference."""
    started = time.perf_counter()
    summaries = list(summarize_fn([row["paragraphs"] for row in rows]))
    result = score_rouge(summaries, [row["reference"] for row in rows])
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["outputs"] = summaries
    return result
