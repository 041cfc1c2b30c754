"""`jobs models list|pull`: the registry, and downloads for offline runs."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from jobs.cli.app import fail, models_app
from jobs.cli.options import ConfigOption, LangOption
from jobs.errors import ConfigError, JobError, ModelNotAvailable


@models_app.command("list")
def models_list(config: ConfigOption = None) -> None:
    """Show each language's model, its licence, its size, and whether it is in the local cache.

    Sizes are measured on disk for cached models; for the others the hub is asked (unless
    HF_HUB_OFFLINE=1 or it cannot be reached) what `models pull` would download.
    """
    from jobs.config import load_registry
    from jobs.models.hub import cached_snapshot, hub_offline, hub_unreachable

    try:
        registry, path = load_registry(config)
    except JobError as exc:
        raise fail(exc) from None
    rows = [("summary", "English summaries", registry.summary)]
    rows += [(lang, entry.name, entry.spec()) for lang, entry in registry.languages.items()]
    uncached = any(spec and not spec.is_local and cached_snapshot(spec) is None for _, _, spec in rows)
    ask_hub = uncached and not hub_offline() and hub_unreachable() is None
    typer.echo(f"registry: {path}")
    typer.echo(f"{'lang':<8} {'model':<34} {'licence':<12} {'size':>14}  cached")
    for lang, _name, spec in rows:
        if spec is None:
            typer.echo(f"{lang:<8} {'(source language: no model)':<34} {'-':<12} {'-':>14}  -")
            continue
        if spec.is_local:
            cached = "local folder" if spec.path.is_dir() else "MISSING folder"
        else:
            snapshot = cached_snapshot(spec)
            cached = f"yes ({snapshot.name[:10]})" if snapshot else "no"
        typer.echo(f"{lang:<8} {spec.model:<34} {spec.licence or '?':<12} {_size(spec, ask_hub):>14}  {cached}")


def _size(spec, ask_hub: bool) -> str:
    from jobs.models.hub import human_size, model_size

    try:
        found = model_size(spec, ask_hub=ask_hub)
    except Exception:  # the hub's answer is a nicety here: a failed one leaves the size unknown
        found = None
    if found is None:
        return "?"
    size, source = found
    return human_size(size) if source == "on disk" else f"{human_size(size)} dl"


@models_app.command("pull")
def models_pull(
    lang: LangOption = [],
    summary: Annotated[bool, typer.Option("--summary", help="Pull the summarizer (with --lang: as well).")] = False,
    model: Annotated[
        list[str],
        typer.Option(
            "--model",
            metavar="HUB_ID[@REV]",
            help="Pull this hub model (at this revision), e.g. one given to `run --model ru=ID`; repeatable.",
            show_default=False,
        ),
    ] = [],
    config: ConfigOption = None,
) -> None:
    """Download models into the Hugging Face cache, so that cron can run with HF_HUB_OFFLINE=1.

    With no option: every configured language and the summarizer. With --lang, --summary and
    --model: exactly those (`models pull --lang ru` fetches the Russian model only,
    `models pull --model Helsinki-NLP/opus-mt-en-de@main` that model at that revision).
    """
    from jobs.config import load_registry, select_langs
    from jobs.models.hub import hub_offline, hub_unreachable

    named = _named_models(model)
    try:
        registry, _ = load_registry(config)
        codes = select_langs(registry, lang, {}) if lang or not (summary or named) else []
        specs = [(code, registry.languages[code].spec()) for code in codes]
    except JobError as exc:
        raise fail(exc) from None
    if summary or not (lang or named):
        specs.append(("summary", registry.summary))
    specs += [("model", spec) for spec in named]
    if hub_offline():
        raise fail(ConfigError("HF_HUB_OFFLINE=1 is set; unset it to download models"))
    unreachable = hub_unreachable() if any(spec and not spec.is_local for _, spec in specs) else None
    if unreachable:
        raise fail(ModelNotAvailable(unreachable))
    if sys.stderr.isatty():  # download bars for the user waiting on gigabytes
        from huggingface_hub.utils import enable_progress_bars

        enable_progress_bars()
    for role, spec in specs:
        if spec is not None:
            _pull_one(role, spec)


def _named_models(values: list[str]) -> list:
    """`models pull --model` values as hub model specs; a folder or a LANG=ID is a usage error."""
    from jobs.config import ModelSpec

    named = [ModelSpec(model=value.strip()) for value in values]
    for spec in named:
        if not spec.model or spec.is_local or "=" in spec.model:
            raise fail(
                ConfigError(
                    f"models pull --model {spec.model!r}: give a hub id (OWNER/NAME, optionally @REVISION); "
                    "a local folder needs no pulling"
                    + (", and LANG= belongs to `run --model`" if "=" in spec.model else "")
                )
            )
    return named


def _pull_one(role: str, spec) -> None:
    """Download one model, saying where it went; a hub or network error is one line, then stop."""
    from jobs.models.hub import network_hint, pull_model

    typer.echo(f"{role}: pulling {spec.model} ...")
    try:
        folder = pull_model(spec)
    except Exception as exc:  # network and hub errors come in many types: one line, then stop
        import textwrap

        from huggingface_hub import constants

        why = textwrap.shorten(" ".join(str(exc).split()), 300)
        raise fail(
            ModelNotAvailable(
                f"{role}: could not download {spec.model}: {type(exc).__name__}: {why}; check the id and "
                f"revision on {constants.ENDPOINT}, and {network_hint(constants.ENDPOINT).removeprefix('check ')}"
            )
        ) from None
    typer.echo(f"{role}: {spec.model} -> {folder}")
