"""Editorial control of one language's translation: its glossary, its corrections, its repair setting.

`load_editorial` reads what editors keep (configs/glossary/<lang>.tsv beside the registry file,
OUT/.editorial/<lang>.jsonl) and the repair setting (configs/editorial.yaml); jobs.stages.translate applies them
(corrections before any model, glossary placeholders around generation, repair after the QA
check), and `report` is the manifest's `editorial` entry. docs/editorial.md has the workflow.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from jobs.config import GenerationSettings, JobConfig
from jobs.stages.corrections import Memory, load_memory
from jobs.stages.glossary import Glossary, glossary_path, load_glossary
from jobs.stages.repair import RepairSettings, RepairStats, load_repair_settings


@dataclass
class Editorial:
    """What steers one language's outputs beyond the model; empty, it changes nothing."""

    lang: str
    glossary: Glossary = field(default_factory=lambda: Glossary(""))
    memory: Memory = field(default_factory=lambda: Memory(""))
    repair: RepairSettings = field(default_factory=lambda: RepairSettings(enabled=False))
    translation: GenerationSettings = field(default_factory=GenerationSettings)
    repair_stats: RepairStats = field(default_factory=RepairStats)
    glossary_file: str | None = None  # as the manifest names it (relative to the registry's folder)

    def repair_generation(self) -> GenerationSettings | None:
        """The second decoding setting, or None when repair is off."""
        return self.repair.generation(self.translation)

    def report(self) -> dict[str, Any]:
        """The manifest's `editorial` entry for this language's run (counts per record are added
        from the records by jobs.outputs.editorial)."""
        terms = self.glossary.digest()
        return {
            "glossary": {
                "file": self.glossary_file,
                "terms": len(terms),
                "sha256": hashlib.sha256(json.dumps(terms, ensure_ascii=False).encode("utf-8")).hexdigest()
                if terms
                else None,
            },
            "corrections": self.memory.report(),
            "repair": self.repair_stats.report(),
        }


def load_editorial(config: JobConfig, lang: str) -> Editorial:
    """A language's glossary, corrections and repair setting for a run (ConfigError for a bad glossary)."""
    path = glossary_path(config.config_file, lang)
    glossary = load_glossary(path, lang)
    return Editorial(
        lang=lang,
        glossary=glossary,
        memory=load_memory(config.out, lang),
        repair=load_repair_settings(config.config_file),
        translation=config.translation,
        glossary_file=f"glossary/{lang}.tsv" if glossary else None,
    )


def check_editorial(config: JobConfig) -> None:
    """Read the editorial settings and every selected language's glossary once before the run: a
    bad line is a ConfigError naming the file and line, before the lock is taken or anything read."""
    load_repair_settings(config.config_file)
    for lang in config.models:
        load_glossary(glossary_path(config.config_file, lang), lang)
