"""How a bundle names files and models: never by an absolute path of the machine that made it.

A bundle is published elsewhere; `/home/ops/models/opus-mt-en-ru` says nothing there and tells
readers how the machine is laid out. Files are named relative to the working folder (or by
name when they lie outside it) and local model folders as `local:<folder name>@sha256:<hash>`.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath

LOCAL_PREFIX = "local:"


def public_path(path: str | os.PathLike[str] | None) -> str | None:
    """A file as a bundle names it: as given when relative, relative to the working folder when
    inside it, else by its name alone. URLs and other non-paths pass through unchanged."""
    if path is None:
        return None
    text = os.fspath(path)
    if not os.path.isabs(text):
        return text
    try:
        return Path(text).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return PurePath(text).name


def public_model(label: str | None) -> str | None:
    """MODEL@REVISION as records carry it: a hub id as it is, a local folder (its revision is a
    content hash, `sha256:...`) as `local:<folder name>@sha256:...`."""
    if not label or "@" not in label:
        return label
    model, revision = label.rsplit("@", 1)
    if revision.startswith("sha256:"):
        return f"{public_model_id(model, local=True)}@{revision}"
    return label


def public_model_id(model: str, *, local: bool) -> str:
    """A model's id without its revision: a local folder as `local:<folder name>`."""
    if not local or model.startswith(LOCAL_PREFIX):
        return model
    return LOCAL_PREFIX + (PurePath(model.rstrip("/\\")).name or model)
