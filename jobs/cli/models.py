"""`jobs models list|pull`: the registry, and downloads for offline runs."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from jobs.cli.app import fail, models_app
from jobs.cli.options import ConfigOption, LangOption
from jobs.errors import ConfigError, ExitCode, JobError, ModelNotAvailable


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
    config: ConfigOption = None,
) -> None:
    """Download models into the Hugging Face cache, so that cron can run with HF_HUB_OFFLINE=1.

    With no option: every configured language and the summarizer. With --lang and --summary:
    exactly those (`models pull --lang ru` fetches the Russian model only).
    """
    from jobs.config import load_registry, select_langs
    from jobs.models.hub import hub_offline, hub_unreachable, pull_model

    try:
        registry, _ = load_registry(config)
        codes = select_langs(registry, lang, {}) if lang or not summary else []
        specs = [(code, registry.languages[code].spec()) for code in codes]
    except JobError as exc:
        raise fail(exc) from None
    if summary or not lang:
        specs.append(("summary", registry.summary))
    if hub_offline():
        raise fail(ConfigError("HF_HUB_OFFLINE=1 is set; unset it to download models"))
    unreachable = hub_unreachable() if any(spec and not spec.is_local for _, spec in specs) else None
    if unreachable:
        raise fail(ModelNotAvailable(f"{unreachable}; check the network or proxy settings (HTTPS_PROXY)"))
    if sys.stderr.isatty():  # download bars for the user waiting on gigabytes
        from huggingface_hub.utils import enable_progress_bars

        enable_progress_bars()
    for role, spec in specs:
        if spec is None:
            continue
        typer.echo(f"{role}: pulling {spec.model} ...")
        try:
            folder = pull_model(spec)
        except Exception as exc:  # network and hub errors come in many types; report and go on
            typer.echo(f"error: {role}: could not download {spec.model}: {exc}", err=True)
            raise typer.Exit(int(ExitCode.MISSING_MODEL)) from None
        typer.echo(f"{role}: {spec.model} -> {folder}")
