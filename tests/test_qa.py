"""QA flags: each rule with hand-made outputs, firing and not firing; per-article checks; --fail-on-qa."""

from __future__ import annotations

import re

import pytest

from jobs.quality import flags, rules
from jobs.quality.eval import default_eval_dir, document_spans, read_doc_ids, read_lines
from jobs.quality.language import script_of
from tests.conftest import REPO

SRC = "The government said on Tuesday that 1,500 people were evacuated from the city."
RU = "Правительство заявило во вторник, что 1 500 человек были эвакуированы из города."
KK = "Үкімет сейсенбіде қаладан 1500 адам эвакуацияланғанын мәлімдеді."
ZH = "政府周二表示，1500人从该市撤离。"

# (case, source, output, lang, flags expected) — each flag fires in one row and stays quiet in its neighbour.
UNIT_CASES = [
    ("good ru", SRC, RU, "ru", []),
    ("good kk", SRC, KK, "kk", []),
    ("good zh", SRC, ZH, "zh", []),
    ("empty", SRC, "", "ru", ["empty_output"]),
    ("blank", SRC, "  \n", "zh", ["empty_output"]),
    ("empty source, empty output", "", "", "ru", []),
    ("ru in Chinese", SRC, ZH, "ru", ["wrong_script", "length_ratio"]),
    ("zh in Cyrillic", SRC, RU, "zh", ["wrong_script"]),
    ("kk output in Russian", SRC, RU, "kk", ["wrong_script"]),
    ("kk short Cyrillic without Kazakh letters", "Hello world", "Привет мир", "kk", []),
    ("names kept in Latin", "NASA and ESA launch JWST", "NASA и ESA запускают JWST", "ru", []),
    ("latin gibberish for ru", "He went home early", "Xzqv blorp wibble", "ru", ["wrong_script"]),
    ("copied verbatim", SRC, SRC, "ru", ["untranslated"]),
    ("copied verbatim, zh", SRC, SRC, "zh", ["untranslated"]),
    ("copied short sentence", "Breaking news", "Breaking news", "kk", ["untranslated"]),
    ("a name may stay", "Apple Watch", "Apple Watch", "ru", []),
    (
        "half copied",
        "The talks ended without any agreement",
        "Переговоры the talks ended without any agreement",
        "ru",
        ["untranslated"],
    ),
    (
        "word loop",
        SRC,
        "Правительство заявило во вторник, что 1 500 человек человек человек человек эвакуированы.",
        "ru",
        ["repetition"],
    ),
    ("phrase loop", SRC, RU + " из города из города из города", "ru", ["repetition"]),
    ("zh character loop", SRC, "政府周二表示，1500人从该市撤离。撤离撤离撤离", "zh", ["repetition"]),
    ("syllable loop", "The choir sang", "Хор пел лалалалалалала", "ru", ["repetition"]),
    ("source repeats itself", "Go, go, go, go!", "Вперёд, вперёд, вперёд, вперёд!", "ru", []),
    ("number changed", SRC, RU.replace("1 500", "1 600"), "ru", ["numbers_missing"]),
    ("number in words", SRC, ZH.replace("1500", "一千五百"), "zh", ["numbers_missing"]),
    ("thousands, narrow no-break space", SRC, RU.replace("1 500", "1\u202f500"), "ru", []),
    ("thousands, dot", "It cost 2,000 euros.", "Es kostete 2.000 Euro.", "de", []),
    ("decimal comma", "Growth was 3.5 percent.", "Рост составил 3,5 процента.", "ru", []),
    ("zh counts in 万", "About 1.5 million people voted.", "约150万人投票。", "zh", []),
    ("clock time, 24 h", "It ended at 10:08 p.m. on Monday.", "Всё закончилось в понедельник в 22:08.", "ru", []),
    ("clock time, Chinese", "The fire was out by 11:35 pm.", "大火于晚上 11 点 35 分被扑灭。", "zh", []),
    (
        "too short",
        "The talks between the two delegations ended late on Tuesday evening.",
        "Переговоры закончились.",
        "ru",
        ["length_ratio"],
    ),
    ("numbers lost too", SRC, "Правительство заявило.", "ru", ["numbers_missing", "length_ratio"]),
    ("too long", "He left.", "Он ушёл. " * 12, "ru", ["repetition"]),  # short source: no ratio, but a loop
    ("length limit", SRC, RU, "ru", ["length_limit"]),
]


def unit_flags(source: str, output: str, lang: str, hit_limit: bool = False) -> list[str]:
    """The names of the sentence-level flags check_units gives one unit."""
    return [flag for flag, _ in flags.unit_findings(source, output, lang, hit_limit=hit_limit)]


def paragraph_flags(sources, outputs, lang: str) -> list[dict]:
    """check_units on one article of one body paragraph, one unit per source sentence."""
    n = len(sources)
    units = {
        "article_id": ["a"] * n,
        "part": ["body"] * n,
        "paragraph": [0] * n,
        "sentence": list(range(n)),
        "text": list(sources),
    }
    return flags.check_units(units, list(outputs), [False] * n, lang).get("a", [])


@pytest.mark.parametrize(("case", "source", "output", "lang", "expected"), UNIT_CASES, ids=[c[0] for c in UNIT_CASES])
def test_unit_findings(case, source, output, lang, expected):
    assert unit_flags(source, output, lang, hit_limit=case == "length limit") == expected


def test_length_ratio_uses_the_band_of_the_language_pair():
    source = "A" * 10 + " " + "b" * 30
    assert not rules.rule_length_ratio(source, "в" * 60, "ru")  # 1.5x: fine for Russian
    assert rules.rule_length_ratio(source, "в" * 90, "ru")  # 2.25x
    assert rules.rule_length_ratio(source, "中" * 60, "zh")  # 1.5x: far too long for Chinese
    assert not rules.rule_length_ratio(source, "中" * 12, "zh")  # 0.3x: typical for Chinese
    assert not rules.rule_length_ratio("Short one", "x", "ru")  # under 20 characters: not judged


@pytest.mark.parametrize(
    ("source", "output", "fires"),
    [
        (["One.", "Two.", "Three."], ["Один.", "Два.", "Три."], False),
        (["One. Two.", "Three."], ["Один.", "Три."], True),  # a sentence dropped inside a unit
        (["Mr. Smith left.", "The U.S. Army came."], ["Г-н Смит ушёл.", "Армия США пришла."], False),
        (["He left."], ["Он ушёл. Он ушёл. Он ушёл."], True),  # two extra sentences
        (["He left."], ["Он ушёл. Совсем."], False),  # one extra is how translators split
        (["He left. She came."], ["他走了。她来了。"], False),
        (["He left. She came."], ["他走了，她来了。"], True),
        (["He left. She came."], [""], False),  # empty_output already says it
    ],
)
def test_sentence_count_per_paragraph(source, output, fires):
    lang = "zh" if any(script_of(c) == "Han" for o in output for c in o) else "ru"
    found = [f["flag"] for f in paragraph_flags(source, output, lang) if f["flag"] == "sentence_count"]
    assert found == (["sentence_count"] if fires else [])


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("1,000 1 000 1.000 1\u202f000 1\u00a0000", ["1000"] * 5),
        ("3.5 and 3,5", ["35", "35"]),
        ("in 2019 500 people", ["2019", "500"]),
        ("１２ and 1,234.56", ["12", "123456"]),
        ("10:00 and 10:30", ["10", "1030"]),
    ],
)
def test_number_keys_ignore_separators(text, keys):
    assert rules.number_keys(text) == keys


def test_summary_gets_only_generation_flags():
    article = "The team played in the final on Sunday. Fans came from all over the country to watch it."
    assert flags.check_summary("A fine summary.", article=article) == []
    assert [f["flag"] for f in flags.check_summary("", article=article)] == ["empty_output"]
    looping = flags.check_summary("the team won the team won the team won", hit_limit=True, article=article)
    assert [(f["flag"], f["part"], f["stage"]) for f in looping] == [
        ("repetition", "summary", "summarize"),
        ("length_limit", "summary", "summarize"),
    ]
    assert {f["flag"] for f in looping} <= set(rules.SUMMARY_FLAGS)
    # Source-language units get no translation checks: an English summary is not "untranslated".
    assert unit_flags(article, "The team played in the final on Sunday.", "en") == []


def test_check_units_locates_every_flag():
    units = {
        "article_id": ["a", "a", "a", "a", "b"],
        "part": ["title", "summary", "body", "body", "title"],
        "paragraph": [0, 0, 0, 0, 0],
        "sentence": [0, 0, 0, 1, 0],
        "text": ["Big news today", "It was big. Very big.", SRC, "He left.", "Other news here"],
    }
    outputs = ["Большие новости сегодня", "Это было важно.", RU.replace("1 500", "1 600"), "", "Другие новости"]
    found = flags.check_units(units, outputs, [False, False, False, False, True], "ru")
    assert found["a"] == [
        {"flag": "sentence_count", "part": "summary", "paragraph": 0, "stage": "translate", "detail": "2 -> 1"},
        {
            "flag": "numbers_missing",
            "part": "body",
            "paragraph": 0,
            "sentence": 0,
            "stage": "translate",
            "detail": "1,500",
        },
        {"flag": "empty_output", "part": "body", "paragraph": 0, "sentence": 1, "stage": "translate"},
    ]
    assert found["b"] == [
        {"flag": "length_limit", "part": "title", "paragraph": 0, "sentence": 0, "stage": "translate"}
    ]


def test_flag_entries_fit_the_record_schema():
    import jsonschema

    from jobs.outputs.records import record_schema

    item = record_schema()["properties"]["qa"]["properties"]["flags"]["items"]
    entries = flags.check_units(
        {"article_id": ["a"], "part": ["body"], "paragraph": [2], "sentence": [1], "text": [SRC]}, [""], [True], "kk"
    )["a"] + flags.check_summary("", hit_limit=True, article="Text.")
    for entry in entries:
        jsonschema.validate(entry, item)


def test_counts_fail_on_and_flag_names():
    records = [{"qa": {"flags": [{"flag": "repetition"}, {"flag": "repetition"}]}}, {"qa": {"flags": []}}]
    counts = flags.count_flags(records)
    assert list(counts) == list(rules.FLAGS) and counts["repetition"] == 2 and counts["empty_output"] == 0
    assert flags.parse_flag_list("repetition, empty_output") == ["repetition", "empty_output"]
    assert flags.parse_flag_list("all") == list(rules.FLAGS)
    assert flags.parse_flag_list("") == []
    with pytest.raises(ValueError, match="unknown QA flag.*bogus"):
        flags.parse_flag_list("repetition,bogus")
    by_lang = {"ru": counts, "zh": flags.count_flags([])}
    assert flags.failing_flags(by_lang, ["repetition", "wrong_script"]) == {"ru": {"repetition": 2}}
    assert flags.failing_flags(by_lang, ["empty_output"]) == {}


def test_every_flag_is_explained_in_code_and_docs():
    described = rules.describe_flags()
    assert list(described) == list(rules.FLAGS)
    for name, text in described.items():
        assert text.startswith(f"{name}") and len(text) > 60
    docs = (REPO / "docs" / "quality.md").read_text(encoding="utf-8")
    for name in rules.FLAGS:
        assert re.search(rf"`{name}`", docs), f"docs/quality.md does not explain {name}"


def test_qa_imports_nothing_heavy():
    import subprocess
    import sys

    code = "import sys, jobs.quality.flags, jobs.quality.language; print(sorted(m for m in ('torch','datasets','transformers','yaml','pydantic') if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stderr


FLORES = default_eval_dir() / "flores200-devtest"


@pytest.mark.skipif(not (FLORES / "eng_Latn.devtest").is_file(), reason=f"FLORES-200 devtest not found in {FLORES}")
@pytest.mark.parametrize(("lang", "code"), [("ru", "rus_Cyrl"), ("kk", "kaz_Cyrl"), ("zh", "zho_Hans")])
def test_human_references_are_rarely_flagged(lang, code):
    """Calibration: the thresholds must leave professional translations (FLORES-200) almost unflagged."""
    source = read_lines(FLORES / "eng_Latn.devtest")
    reference = read_lines(FLORES / f"{code}.devtest")
    spans = document_spans(read_doc_ids(FLORES / "metadata_devtest.tsv"))
    document = [str(n) for n, (a, b) in enumerate(spans) for _ in range(a, b)]
    units = {
        "article_id": document,
        "part": ["body"] * len(source),
        "paragraph": [0] * len(source),
        "sentence": list(range(len(source))),
        "text": source,
    }
    found = flags.check_units(units, reference, [False] * len(source), lang)
    counts = flags.count_flags({"qa": {"flags": entries}} for entries in found.values())
    assert counts["numbers_missing"] <= 0.025 * len(source), counts  # mostly numbers the reference spells out
    assert counts["sentence_count"] <= 0.06 * len(spans), counts  # zh references often merge sentences
    for flag in ("empty_output", "untranslated", "repetition", "length_ratio"):
        assert counts[flag] == 0, counts
    assert counts["wrong_script"] <= 1, counts  # one kaz_Cyrl line of FLORES is English


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ivan Petrov said the talks went well.", False),
        ("Иван Петров сказал, что переговоры прошли хорошо.", False),
        ("He saidâ€™s the talks â€” went wellâ€¦", True),  # UTF-8 read as cp1252
        ("РРІР°РЅ РџРµС‚СЂРѕРІ вЂ” РЅРѕРІРѕСЃС‚Рё", True),  # UTF-8 read as cp1251
        ("CafÃ© au lait", True),  # one hit in a short text
    ],
)
def test_mojibake_flag_fires_on_double_decoded_text_only(text, expected):
    from jobs.quality.flags import check_source, unit_findings

    assert bool(check_source(text, [])) is expected
    assert (("mojibake", None) in unit_findings("source", text, "ru")) is expected
    if expected:
        assert check_source("A title", ["fine", text]) == [
            {"flag": "mojibake", "part": "body", "paragraph": 1, "stage": "read"}
        ]
