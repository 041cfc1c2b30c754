"""One validated config object for a run: the model registry file plus command-line flags."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

# The JOBS_* knobs live in jobs/environment.py; their names stay importable from here.
from jobs.environment import PROGRAM_ENV as PROGRAM_ENV
from jobs.environment import Environment as Environment
from jobs.environment import environment as environment
from jobs.environment import program_command as program_command
from jobs.environment import program_name as program_name
from jobs.errors import ConfigError, config_problem, validation_lines
from jobs.input_settings import InputSettings

DEFAULT_CONFIG = Path("configs") / "models.yaml"
_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
_LANG = re.compile(r"^[a-z]{2,3}([_-][A-Za-z]{2,4})?$")
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")  # BCP 47, as records and feeds carry it
SHORTLIST = re.compile(r"^(none|script(:[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*)?)$")
# QA flags that make an article `needs_review` unless the registry's `review_flags` says otherwise.
REVIEW_FLAGS = ["empty_output", "wrong_script", "untranslated", "repetition", "numbers_missing"]


class GenerationSettings(BaseModel):
    """Arguments passed to `generate()`; unset ones fall back to the job's own choice."""

    model_config = ConfigDict(extra="forbid")

    num_beams: int = Field(1, ge=1, le=16)
    max_new_tokens: int | None = Field(None, ge=1)
    min_new_tokens: int | None = Field(None, ge=0)
    no_repeat_ngram_size: int | None = Field(None, ge=0)
    length_penalty: float | None = None


class ModelQuirks(BaseModel):
    """What the job must know about a model beyond its name (see configs/models.yaml)."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    licence: str | None = None
    target_token: str | None = None
    lang_code: str | None = None
    max_input_tokens: int | None = Field(None, ge=8)
    # Output vocabulary: `script` keeps the tokens written in the target language's scripts
    # (jobs.backends.shortlist); the job stores it as `script:LANG_TAG`. None/none: all tokens.
    shortlist: str | None = Field(None, pattern=SHORTLIST.pattern)


class ModelSpec(ModelQuirks):
    """A model and its quirks, as one registry entry or one `--model` override says."""

    model: str

    @property
    def is_local(self) -> bool:
        """A local folder, as opposed to a hub id: anything that looks like a path."""
        m = self.model
        return m.startswith((".", "/", "~")) or Path(m).expanduser().exists() or m.count("/") > 1

    @property
    def path(self) -> Path:
        return Path(self.model).expanduser()

    @property
    def repo_id(self) -> str:
        return self.model.split("@", 1)[0]

    @property
    def revision(self) -> str | None:
        """The pinned hub revision after `@`, if any."""
        if self.is_local or "@" not in self.model:
            return None
        return self.model.split("@", 1)[1] or None


class LanguageEntry(ModelQuirks):
    """A target language in the registry; the source language has no model."""

    name: str
    model: str | None = None
    lang_tag: str | None = Field(None, pattern=_LANG_TAG.pattern)  # BCP 47 tag of outputs (default: the key)
    feed_title: str | None = None  # the language's feed title (default: "<publication title> (<name>)")

    def spec(self) -> ModelSpec | None:
        if self.model is None:
            return None
        return ModelSpec(**self.model_dump(exclude={"name", "lang_tag", "feed_title"}))


class Defaults(InputSettings):
    model_config = ConfigDict(extra="forbid")

    batch_tokens: int | None = Field(None, ge=64)  # None: sized to the device (backends.auto_batch_tokens)
    device: str = "auto"
    max_article_words: int = Field(20_000, ge=1)
    min_article_words: int = Field(0, ge=0)  # shorter articles (teasers, stubs) are listed problems; 0: off
    translation: GenerationSettings = GenerationSettings()
    summary: GenerationSettings = GenerationSettings(num_beams=2, max_new_tokens=142, min_new_tokens=30)
    # The map-reduce levels of a long article below its last (read only by the next level, never
    # published); None: every level at `summary`'s settings.
    summary_intermediate: GenerationSettings | None = GenerationSettings(
        num_beams=1, max_new_tokens=96, min_new_tokens=20
    )


class Retention(BaseModel):
    """How many bundles each language keeps (`retention:` in the registry; --keep, --keep-days)."""

    model_config = ConfigDict(extra="forbid")

    keep: int = Field(24, ge=1)  # the newest N bundles per language (a day of hourly runs)
    keep_days: float | None = Field(None, gt=0, allow_inf_nan=False)  # and none older than this, when set
    cache_unused_days: float | None = Field(30, gt=0, allow_inf_nan=False)  # cache entries no run used for this long go
    cache_max_mb: float | None = Field(2048, gt=0)  # and the least recently used while over this size


class Publication(BaseModel):
    """Who publishes the feeds (`publication:` in the registry): their title, author and address."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field("News", min_length=1)  # feeds are titled "<title> (<language name>)"
    author: str = Field("jobs", min_length=1)  # the feeds' author; an entry's byline wins where known
    base_url: str | None = Field(None, pattern=r"^https?://\S+$")  # where OUT is served: absolute self links


class Registry(BaseModel):
    """The contents of configs/models.yaml."""

    model_config = ConfigDict(extra="forbid")

    source_lang: str = "en"
    summary: ModelSpec
    languages: dict[str, LanguageEntry]
    defaults: Defaults = Defaults()
    review_flags: list[str] = REVIEW_FLAGS  # QA flags that make a record's review `needs_review`
    publication: Publication = Publication()

    def lang_tag(self, lang: str) -> str:
        entry = self.languages.get(lang)
        return (entry.lang_tag if entry else None) or lang

    def feed_title(self, lang: str) -> str:
        entry = self.languages.get(lang)
        if entry is not None and entry.feed_title:
            return entry.feed_title
        return f"{self.publication.title} ({entry.name if entry else lang})"

    retention: Retention = Retention()


class JobConfig(InputSettings):
    """Everything a run needs, validated once; the stages read nothing else."""

    model_config = ConfigDict(extra="forbid")

    config_file: Path
    inputs: list[str]  # files, folders or http(s) URLs
    out: Path
    langs: list[str]
    source_lang: str
    models: dict[str, ModelSpec]  # one per selected target language, the source language excluded
    lang_tags: dict[str, str] = {}  # BCP 47 tag per selected language (default: the language key)
    feed_titles: dict[str, str] = {}  # per selected language
    publication: Publication = Publication()
    review_flags: list[str] = REVIEW_FLAGS
    summary_model: ModelSpec
    device: str
    batch_tokens: int | None = Field(None, ge=64)
    translation: GenerationSettings
    summary: GenerationSettings
    summary_intermediate: GenerationSettings | None = None  # levels below the last (None: as `summary`)
    max_article_words: int = Field(20_000, ge=1)
    min_article_words: int = Field(0, ge=0)
    backend: Literal["auto", "torch", "ctranslate2"] = "auto"  # auto: jobs.backends.resolve_backend
    engine: Literal["local", "ray"] = "local"
    ray_address: str | None = None  # None: start a local Ray
    ray_actors: int = Field(2, ge=1)  # actors per model (each loads the model once)
    ray_gpus_per_actor: float = Field(0, ge=0)
    dtype: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    quantize: Literal["none", "int8"] = "none"
    cache: Path | None = None  # default: OUT/.cache/jobs.sqlite3
    offline: bool = False  # no network for URL and feed inputs
    encoding: str | None = None  # for text files that are not UTF-8
    max_urls: int = Field(100, ge=0)  # pages fetched per run, at most
    force: bool = False  # ignore cached outputs (and refresh them)
    skip_unchanged: bool = False  # publish nothing for a language whose content did not change
    summarize: bool = True  # --no-summary: translate only; records carry `summary: null`

    @field_validator("inputs")
    @classmethod
    def _check_inputs(cls, value: list[str]) -> list[str]:
        if any(not item.strip() for item in value):  # "" would read the working folder recursively
            raise ValueError('an input path is empty (--input ""); name a file, folder or URL')
        return value

    @field_validator("out", "cache", mode="before")
    @classmethod
    def _check_not_empty(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and not value.strip():  # Path("") would mean the working folder
            raise ValueError(f'is empty (--{info.field_name} ""); name a folder or file')
        return value

    keep: int = Field(24, ge=1)  # bundles kept per language after a publish (retention)
    keep_days: float | None = Field(None, gt=0, allow_inf_nan=False)  # and none older than this many days
    cache_retention: Retention = Retention()  # the registry's: its cache_* fields (stages.cache_retention)

    @field_validator("device")
    @classmethod
    def _check_device(cls, value: str) -> str:
        if not _DEVICE.match(value):
            raise ValueError(f"device must be auto, cpu, cuda, cuda:N or mps, not {value!r}")
        return value


def find_config_file(config_file: Path | None) -> Path:
    """The registry file: --config, else ./configs/models.yaml, else the one beside the package."""
    if config_file is not None:
        if not config_file.is_file():
            what = (
                "is a folder"
                if config_file.is_dir()
                else "is not a regular file"
                if config_file.exists()
                else "does not exist"
            )
            raise ConfigError(
                f"config file {config_file} {what}; pass --config with a YAML file like configs/models.yaml"
            )
        return config_file
    for candidate in (DEFAULT_CONFIG, Path(__file__).resolve().parents[1] / DEFAULT_CONFIG):
        if candidate.is_file():
            return candidate
    raise ConfigError(f"no {DEFAULT_CONFIG} here or beside the jobs package; pass --config FILE")


def load_registry(config_file: Path | None = None) -> tuple[Registry, Path]:
    """Read and validate the model registry; errors name the file and the bad key."""
    path = find_config_file(config_file)
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(config_problem(path, exc)) from None
    try:
        return Registry.model_validate(raw or {}), path
    except ValidationError as exc:
        raise ConfigError(f"invalid config {path}:\n{validation_lines(exc)}") from exc


def parse_model_overrides(values: list[str]) -> dict[str, str]:
    """`--model LANG=ID_OR_DIR` flags as a dict; a malformed one is a usage error."""
    overrides: dict[str, str] = {}
    for value in values:
        lang, sep, model = value.partition("=")
        lang = lang.strip()
        if not sep or not model.strip() or not _LANG.match(lang):
            raise ConfigError(f"--model takes LANG=ID_OR_DIR (e.g. ru=Helsinki-NLP/opus-mt-en-ru), not {value!r}")
        overrides[lang] = model.strip()
    return overrides


def split_langs(values: list[str]) -> list[str]:
    """`--lang` values as languages: `ru,kk` is `ru` and `kk`; blanks dropped."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def select_langs(registry: Registry, langs: list[str], overrides: dict[str, str]) -> list[str]:
    """Expand `all`, keep the order given, drop repeats; unknown languages are usage errors. A
    value may list several languages with commas (`--lang ru,kk` as `--lang ru --lang kk`)."""
    known = list(registry.languages)
    langs = split_langs(langs)
    wanted = known if not langs or "all" in langs else langs
    selected: list[str] = []
    for lang in wanted:
        if lang not in registry.languages and lang not in overrides:
            if lang.lower() in registry.languages:
                fix = f"language codes are lower case: --lang {lang.lower()}"
            elif _LANG.match(lang):
                fix = f"add it to the config or pass --lang {lang} --model {lang}=HUB_ID_OR_FOLDER"
            else:
                fix = "pass one of those with --lang"
            raise ConfigError(f"unknown language {lang!r}: configured are {', '.join(known)}; {fix}")
        if lang not in selected:
            selected.append(lang)
    return selected


def language_models(
    registry: Registry, langs: list[str], overrides: dict[str, str], path: Path
) -> dict[str, ModelSpec]:
    """The model of every selected target language: the registry's, or the `--model` override."""
    models: dict[str, ModelSpec] = {}
    for lang in langs:
        if lang == registry.source_lang:
            continue
        entry = registry.languages.get(lang)
        spec = entry.spec() if entry else None
        if lang in overrides:
            # The registry's quirks describe its own model; an override keeps only the ones that
            # still apply to any model for this language (the Marian target token is checked
            # against the new tokenizer when it loads).
            kept = {"target_token": spec.target_token, "shortlist": spec.shortlist} if spec else {}
            spec = ModelSpec(model=overrides[lang], **kept)
        if spec is None:
            raise ConfigError(f"language {lang!r} has no model in {path}; pass --model {lang}=MODEL")
        if spec.shortlist == "script":  # the scripts of this language's tag (jobs.backends.shortlist)
            spec = spec.model_copy(update={"shortlist": f"script:{registry.lang_tag(lang)}"})
        elif spec.shortlist == "none":
            spec = spec.model_copy(update={"shortlist": None})
        models[lang] = spec
    return models


def build_config(
    *,
    config_file: Path | None = None,
    langs: list[str] | None = None,
    model_overrides: list[str] | None = None,
    summary_model: str | None = None,
    **options: Any,
) -> JobConfig:
    """Merge the registry file and the flags into one validated `JobConfig`.

    `options` are `JobConfig` fields by name (inputs, out, device, batch_tokens, backend, ...);
    one left out or given as None takes the registry's default, else the field's own.
    """
    registry, path = load_registry(config_file)
    overrides = parse_model_overrides(model_overrides or [])
    selected = select_langs(registry, langs or [], overrides)
    defaults = registry.defaults
    values: dict[str, Any] = {
        "inputs": ["seeds"],
        "out": Path("outputs"),
        "device": defaults.device,
        "batch_tokens": defaults.batch_tokens,
        "translation": defaults.translation,
        "summary": defaults.summary,
        **defaults.model_dump(include={"max_article_words", "min_article_words", *InputSettings.model_fields}),
        "summary_intermediate": defaults.summary_intermediate,
        "keep": registry.retention.keep,
        "keep_days": registry.retention.keep_days,
        "cache_retention": registry.retention,
    }
    values.update({name: value for name, value in options.items() if value is not None and value != []})
    values["inputs"] = [str(i) for i in values["inputs"]]
    try:
        return JobConfig(
            config_file=path,
            langs=selected,
            source_lang=registry.source_lang,
            models=language_models(registry, selected, overrides, path),
            lang_tags={lang: registry.lang_tag(lang) for lang in selected},
            feed_titles={lang: registry.feed_title(lang) for lang in selected},
            publication=registry.publication,
            review_flags=registry.review_flags,
            summary_model=registry.summary if summary_model is None else ModelSpec(model=summary_model),
            **values,
        )
    except ValidationError as exc:
        raise ConfigError(f"invalid options:\n{validation_lines(exc)}") from exc
