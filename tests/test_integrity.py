"""Every model's files checked before a run takes its lock: torch-free, all problems at once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jobs.config import ModelSpec
from jobs.errors import ModelNotAvailable
from jobs.models import integrity
from jobs.models.integrity import check_models


def copy(tiny_models: dict[str, Path], name: str, target: Path) -> Path:
    return Path(shutil.copytree(tiny_models[name], target / name))


def test_every_tiny_family_passes_without_importing_torch(tiny_models) -> None:
    roles = {"summary": "summary", "ru": "ru", "kk": "kk", "zh": "zh", "ky": "kk_nllb"}
    specs = {role: ModelSpec(model=str(tiny_models[name])) for role, name in roles.items()}
    code = (
        "import sys; from jobs.config import ModelSpec; from jobs.models.integrity import check_models; "
        f"check_models({{k: ModelSpec(model=v) for k, v in { ({k: s.model for k, s in specs.items()})!r}.items()}}); "
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda f: (f / "config.json").write_text("{}", encoding="utf-8"), "has no model_type"),
        (lambda f: (f / "tokenizer_config.json").write_bytes(b"\xff\xfe{"), "tokenizer_config.json is not valid JSON"),
        (lambda f: (f / "vocab.json").unlink() or [p.unlink() for p in f.glob("*.spm")], "has no tokenizer files"),
        (lambda f: (f / "model.safetensors").rename(f / "weights.bak"), "has no weights"),
    ],
)
def test_each_kind_of_damage_is_named(damage, words, tiny_models, tmp_path) -> None:
    folder = copy(tiny_models, "ru", tmp_path)
    damage(folder)
    with pytest.raises(ModelNotAvailable, match=words) as raised:
        check_models({"ru": ModelSpec(model=str(folder))})
    assert "(for ru)" in str(raised.value) and str(folder) in str(raised.value)


def test_a_large_tokenizer_json_cut_off_is_found_without_parsing_it(tiny_models, tmp_path, monkeypatch) -> None:
    folder = copy(tiny_models, "kk_nllb", tmp_path)  # NLLB: tokenizer.json
    monkeypatch.setattr(integrity, "LARGE_JSON", 100)
    check_models({"zh": ModelSpec(model=str(folder))})  # whole: passes
    data = (folder / "tokenizer.json").read_bytes()
    (folder / "tokenizer.json").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelNotAvailable, match="tokenizer.json is not valid JSON .*cut off"):
        check_models({"zh": ModelSpec(model=str(folder))})
