"""`jobs archive`: a whole archive through the model stages on Ray, in resumable shards."""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import Annotated

import typer

from jobs.cli.app import app, fail, interrupt, quiet
from jobs.cli.options import (
    BackendOption,
    BatchTokensOption,
    ConfigOption,
    DtypeOption,
    EncodingOption,
    InputsOption,
    KeepOption,
    LangOption,
    MinWordsOption,
    ModelOption,
    OutOption,
    QuantizeOption,
    RayActorsOption,
    RayAddressOption,
    RayGpusPerActorOption,
    SummarizeOption,
    SummaryModelOption,
)
from jobs.errors import ExitCode, JobError, environment_error

log = logging.getLogger("jobs")
ShardSizeOption = Annotated[
    int,
    typer.Option(
        "--shard-size",
        metavar="N",
        help="Articles (JSONL lines) per shard: the unit of work, of resumption, and of what a kill loses.",
    ),
]


@app.command()
def archive(
    inputs: InputsOption = [],
    langs: LangOption = [],
    out: OutOption = Path("outputs"),
    shard_size: ShardSizeOption = 1000,
    model_overrides: ModelOption = [],
    summary_model: SummaryModelOption = None,
    config_file: ConfigOption = None,
    batch_tokens: BatchTokensOption = None,
    backend: BackendOption = "auto",
    dtype: DtypeOption = "auto",
    quantize: QuantizeOption = "none",
    encoding: EncodingOption = None,
    min_article_words: MinWordsOption = None,
    ray_address: RayAddressOption = None,
    ray_actors: RayActorsOption = 2,
    ray_gpus_per_actor: RayGpusPerActorOption = 0,
    summarize: SummarizeOption = True,
    keep: KeepOption = None,
) -> None:
    """Translate an archive (local files) on Ray, shard by shard; a rerun does only unfinished shards.

    \b
    Examples:
      jobs archive -i archive/ --lang ru --shard-size 1000
      jobs archive -i archive/ --lang all --ray-address HEAD:6379 --ray-actors 8
    """
    options = dict(locals())
    shard_size = options.pop("shard_size")
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)
    report = _archive(options, shard_size)
    if not quiet():
        typer.echo(
            f"Archive run {report.run_id} took {report.seconds:.1f} s: {report.shards} shards "
            f"({report.shards_done_before} finished before, {report.shards_generated} generated now); "
            f"{report.articles} articles, {report.failed} problems listed in the manifests."
        )
        for lang, path in report.bundles.items():
            typer.echo(f"  {lang:<4} {path}")
    raise typer.Exit(int(report.exit_code))


def _archive(options: dict, shard_size: int):
    from jobs.archive import archive_job
    from jobs.config import build_config

    try:
        return archive_job(build_config(**options, engine="ray", offline=True), shard_size)
    except JobError as exc:
        raise fail(exc) from None
    except OSError as exc:
        problem = environment_error(exc)
        if problem is None:
            raise
        raise fail(problem) from None
    except KeyboardInterrupt:
        log.error("interrupted: finished shards are kept; run the same command again to do the rest")
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
