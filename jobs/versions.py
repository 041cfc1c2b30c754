"""Versions of the packages that made an output, for bundle manifests and eval reports."""

from __future__ import annotations

import platform
from collections.abc import Iterable
from importlib import metadata

VERSIONED_PACKAGES = (
    "jobs",
    "torch",
    "transformers",
    "tokenizers",
    "datasets",
    "sentencepiece",
    "pysbd",
    "ctranslate2",
    "ray",
)


def package_version(name: str) -> str:
    """The installed version of one distribution, or 'not installed'."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def package_versions(extra: Iterable[str] = ()) -> dict[str, str]:
    """Python and the job's packages (plus `extra` ones, after them), read from the installed metadata."""
    versions = {"python": platform.python_version()}
    for name in (*VERSIONED_PACKAGES, *extra):
        versions[name] = package_version(name)
    return versions
