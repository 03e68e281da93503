"""The curated lexicon of the field's well-known entities (data/lexicon.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from alignkg.keys import match_key
from alignkg.records import EntityType


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    name: str
    type: EntityType
    aliases: tuple[str, ...]

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[LexiconEntry, ...]
    not_entities: frozenset[str]  # names of no entity: generic acronyms (LLM), platforms (GitHub)
    model_families: tuple[str, ...]  # name stems of model families (GPT, LLaMA, Qwen, ...)

    def __post_init__(self) -> None:
        by_key = {}
        for entry in self.entries:
            for form in entry.forms:
                by_key.setdefault(match_key(form), entry)
        object.__setattr__(self, "_by_key", by_key)

    def lookup(self, form: str) -> LexiconEntry | None:
        return self._by_key.get(match_key(form))

    def is_generic(self, form: str) -> bool:
        return form in self.not_entities or form.rstrip("s") in self.not_entities


@cache
def load_lexicon() -> Lexicon:
    raw = json.loads((files("alignkg") / "data" / "lexicon.json").read_text(encoding="utf-8"))
    return Lexicon(
        entries=tuple(
            LexiconEntry(e["name"], EntityType(e["type"]), tuple(e["aliases"]))
            for e in raw["entities"]
        ),
        not_entities=frozenset(raw["not_entities"]),
        model_families=tuple(raw["model_families"]),
    )
