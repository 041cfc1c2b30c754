"""Hub access: finding, checking, identifying and pulling models (hub ids, optionally @revision, or local folders).

Checks here run before any output is written, and without importing torch, so that a missing
model fails a cron run at once with a message that says how to fix it.
"""

from __future__ import annotations

import hashlib
import os
import shlex
from collections.abc import Sequence
from pathlib import Path

from jobs.config import ModelSpec, environment
from jobs.errors import ModelNotAvailable
from jobs.fsutil import atomic_write

_TRUE = {"1", "on", "yes", "true"}
_SMALL_FILES = ["*.json", "*.model", "*.spm", "*.txt"]
_SKIPPED = ["onnx/*", "*.onnx", "*.msgpack", "*.h5", "*.ot"]  # other frameworks' copies of the weights


def hub_offline() -> bool:
    """HF_HUB_OFFLINE as huggingface_hub reads it, read afresh (its own constant is import-time)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE


REACHABILITY_TIMEOUT_S = 5.0  # connect and read; a black-holed proxy fails the check in seconds


def pull_hint(*specs: ModelSpec) -> str:
    """The one command that fetches exactly these hub models, each at its pinned revision
    (`models pull --model ID[@REV]`, whether the registry or a --model flag named it)."""
    from jobs.config import program_command

    return program_command("models pull " + " ".join(f"--model {shlex.quote(spec.model)}" for spec in specs))


def override_hint(role: str) -> str:
    """The flag that replaces the model of a role with a saved folder."""
    return "--summary-model FOLDER" if role == "summary" else f"--model {role}=FOLDER"


PROXY_VARIABLES = {"https": ("HTTPS_PROXY", "https_proxy"), "http": ("HTTP_PROXY", "http_proxy")}


def proxy_for(url: str) -> tuple[str, str] | None:
    """(proxy URL without credentials, the variable that set it) that httpx uses for `url`, or None.

    HTTPS_PROXY / HTTP_PROXY by scheme, then ALL_PROXY (upper or lower case); NO_PROXY is left to
    httpx (a proxy named here that NO_PROXY skips is still the one the variable sets)."""
    from urllib.parse import urlsplit

    scheme = urlsplit(url).scheme or "https"
    for name in (*PROXY_VARIABLES.get(scheme, ()), "ALL_PROXY", "all_proxy"):
        value = os.environ.get(name, "").strip()
        if value:
            parts = urlsplit(value if "://" in value else f"http://{value}")
            host = parts.hostname or value
            return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}", name
    return None


def network_hint(url: str) -> str:
    """What to check when `url` cannot be reached: the proxy by name when one is set, else the network."""
    proxy = proxy_for(url)
    if proxy is None:
        return "check the network (no HTTPS_PROXY, HTTP_PROXY or ALL_PROXY is set)"
    address, variable = proxy
    return f"check the proxy {address} (set in {variable}), or unset {variable} where the hub is reached directly"


def cached_snapshot(spec: ModelSpec) -> Path | None:
    """The local cache folder of a hub model's snapshot, or None when it is not cached."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(spec.repo_id, "config.json", revision=spec.revision)
    return Path(found).parent if isinstance(found, str) else None


def _folder_problem(spec: ModelSpec) -> str | None:
    if not spec.path.is_dir():
        near = _near_folder(spec.path)
        return f"model folder {spec.path} does not exist" + (f" (did you mean {near}?)" if near else "")
    if not (spec.path / "config.json").is_file():
        return f"model folder {spec.path} has no config.json, so it is not a saved Hugging Face model"
    return None


def _near_folder(path: Path) -> Path | None:
    """A folder beside a mistyped one whose name is close to it, if there is one."""
    import difflib

    try:
        names = [p.name for p in path.parent.iterdir() if p.is_dir()] if path.parent.is_dir() else []
    except OSError:
        return None
    found = difflib.get_close_matches(path.name, names, n=1, cutoff=0.75)
    return path.parent / found[0] if found else None


def hub_unreachable(timeout: float = REACHABILITY_TIMEOUT_S) -> str | None:
    """Why the hub cannot be reached (through the proxy downloads would use, named), or None when it can."""
    from huggingface_hub import constants, get_session

    try:
        get_session().head(constants.ENDPOINT, timeout=timeout, follow_redirects=False)
    except Exception as exc:  # httpx: connect, proxy, timeout and DNS errors alike
        proxy = proxy_for(constants.ENDPOINT)
        through = f" through the proxy {proxy[0]} (set in {proxy[1]})" if proxy else ""
        return (
            f"{constants.ENDPOINT} cannot be reached{through} "
            f"({type(exc).__name__}{': ' + str(exc) if str(exc) else ''}); {network_hint(constants.ENDPOINT)}"
        )
    return None


def check_all_available(models: dict[str, ModelSpec | None], broken: Sequence[str] = ()) -> None:
    """Fail early, before anything is written, naming every model that cannot load in one message.

    `models` maps a role ("summary" or a language) to its model. Hub models that are not cached
    need the hub: with HF_HUB_OFFLINE=1 that is refused, otherwise the hub must answer within
    seconds (a hung proxy would otherwise stall loading for minutes). `broken`: what is wrong
    with models that are there but cannot load (jobs.models.integrity), named in the same message.
    """
    folders = {role: _folder_problem(spec) for role, spec in models.items() if spec is not None and spec.is_local}
    folders = {role: problem for role, problem in folders.items() if problem}
    uncached = {
        role: spec
        for role, spec in models.items()
        if spec is not None and not spec.is_local and cached_snapshot(spec) is None
    }
    why_not = None
    if uncached:
        why_not = "HF_HUB_OFFLINE=1 forbids downloading" if hub_offline() else hub_unreachable()
    if not folders and not why_not and not broken:
        return
    problems = [f"{role}: {problem}" for role, problem in folders.items()] + list(broken)
    if why_not:
        problems += [
            f"{role}: {_hub_name(spec)} is not in the local Hugging Face cache" for role, spec in uncached.items()
        ]
    fixes = []
    if why_not:
        fixes.append(
            f"run `{pull_hint(*uncached.values())}` on a machine with network access and the same HF_HOME, "
            "then run this job again, or pass saved model folders instead ("
            + ", ".join(override_hint(role) for role in uncached)
            + ")"
        )
    if folders:
        fixes.append(
            "give the folder save_pretrained() wrote the model into, with config.json in it ("
            + ", ".join(override_hint(role) for role in folders)
            + ")"
        )
    raise ModelNotAvailable(
        f"{len(problems)} model(s) cannot be loaded: "
        + "; ".join(problems)
        + (f"; {why_not}" if why_not else "")
        + (". Fix: " + "; ".join(fixes) + "." if fixes else ".")
    )


def check_available(spec: ModelSpec, role: str) -> None:
    """Fail early when one model cannot possibly load (see check_all_available)."""
    check_all_available({role: spec})


def _hub_name(spec: ModelSpec) -> str:
    return f"{spec.repo_id}@{spec.revision}" if spec.revision else spec.repo_id


def model_revision(spec: ModelSpec) -> str:
    """What exactly ran: the hub commit hash, or a content hash of a local folder."""
    if spec.is_local:
        return folder_content_hash(spec.path)
    snapshot = cached_snapshot(spec)
    if snapshot is not None:
        return snapshot.name
    return spec.revision or "main"


MEMO_ENTRIES = 256


def _memo_file() -> Path:
    return environment().user_cache / "folder-revisions.json"


def folder_content_hash(folder: Path) -> str:
    """sha256 over every file's relative path and bytes, as "sha256:" + 16 hex digits.

    Reading a model's weights takes seconds (1.2 GB for distilbart), so the result is kept in
    ~/.cache/jobs/folder-revisions.json under the folder's path and each file's size, mtime
    and inode; a file rewritten in any way changes that stamp and the folder is hashed again.
    """
    import json

    files = sorted(p for p in folder.rglob("*") if p.is_file())
    stamps = []
    for path in files:
        st = path.stat()
        stamps.append([path.relative_to(folder).as_posix(), st.st_size, st.st_mtime_ns, st.st_ino])
    key = hashlib.sha256(json.dumps([str(folder.resolve()), stamps]).encode()).hexdigest()
    memo_path = _memo_file()
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    if isinstance(memo, dict) and isinstance(memo.get(key), str):
        return memo[key]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    revision = "sha256:" + digest.hexdigest()[:16]
    memo = {k: v for k, v in (memo.items() if isinstance(memo, dict) else []) if k != key}
    memo = dict(list(memo.items())[-(MEMO_ENTRIES - 1) :])
    memo[key] = revision
    try:  # a memo that cannot be written only costs the next run the hashing
        memo_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(memo_path, json.dumps(memo))
    except OSError:
        pass
    return revision


def pull_model(spec: ModelSpec) -> Path:
    """Download a hub model's PyTorch weights and tokenizer into the HF cache (for offline runs)."""
    if spec.is_local:
        check_available(spec, "local")
        return spec.path
    from huggingface_hub import HfApi, snapshot_download

    files = HfApi().list_repo_files(spec.repo_id, revision=spec.revision)
    # Fetch one weights format only: safetensors where the repo has it, else the .bin files.
    weights = ["*.safetensors"] if any(f.endswith(".safetensors") for f in files) else ["*.bin"]
    folder = snapshot_download(
        spec.repo_id,
        revision=spec.revision,
        allow_patterns=_SMALL_FILES + weights,
        ignore_patterns=_SKIPPED,
    )
    return Path(folder)


def model_size(spec: ModelSpec, ask_hub: bool = False) -> tuple[int, str] | None:
    """(bytes, where the figure comes from) of a model: measured on disk when it is there (a local
    folder or the cached snapshot), else, with `ask_hub`, the files `pull_model` would fetch as the
    hub lists them; None when neither is possible."""
    folder = spec.path if spec.is_local else cached_snapshot(spec)
    if folder is not None and folder.is_dir():
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()), "on disk"
    if not ask_hub or spec.is_local:
        return None
    from fnmatch import fnmatch

    from huggingface_hub import HfApi

    info = HfApi().model_info(spec.repo_id, revision=spec.revision, files_metadata=True, timeout=10)
    files = {f.rfilename: f.size or 0 for f in info.siblings or []}
    weights = "*.safetensors" if any(name.endswith(".safetensors") for name in files) else "*.bin"
    wanted = [
        n
        for n in files
        if any(fnmatch(n, p) for p in [*_SMALL_FILES, weights]) and not any(fnmatch(n, p) for p in _SKIPPED)
    ]
    return sum(files[n] for n in wanted), "download"


def human_size(size: int) -> str:
    """1.2 GB, 301 MB, 12 kB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}" if size < 10 * scale else f"{size / scale:.0f} {unit}"
    return f"{size} B"


def model_location(spec: ModelSpec) -> str:
    """What from_pretrained is given: the local folder, or the hub id."""
    return str(spec.path) if spec.is_local else spec.repo_id
