"""The lexicon of the field's well-known entities.

Two files under data/: lexicon.json, curated by hand (the alignment field's names, the
words that are no entity, the model families), and lexicon-sources.json, built by
scripts/build-lexicon from Papers with Code and Hugging Face lists (lexicon/sources/).
A hand entry wins over a built one that shares one of its forms, and takes its links.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from alignkg.keys import match_key
from alignkg.records import EntityType

HAND = "lexicon.json"
BUILT = "lexicon-sources.json"


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    name: str
    type: EntityType
    aliases: tuple[str, ...]
    links: tuple[str, ...] = ()  # where the entity is described (a Papers with Code page)
    source: str = "hand"  # "hand", or the source list it was built from
    cased: bool = False  # every form matches only as spelled ("Visual Genome")

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def curated(self) -> bool:
        return self.source == "hand"

    def case_sensitive(self, form: str) -> bool:
        """Whether `form` matches only as spelled: one-word names with a capital ("PRO"
        is not "pro", "Falcon" not "falcon"), and entries marked cased ("Visual Genome");
        other forms in any case ("direct preference optimization", "accuracy")."""
        return self.cased or (" " not in form and not form.islower())


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[LexiconEntry, ...]
    not_entities: frozenset[str]  # names of no entity: generic acronyms (LLM), platforms (GitHub)
    model_families: tuple[str, ...]  # name stems of model families (GPT, LLaMA, Qwen, ...)
    # match key -> the entry, and the spellings it matches only as spelled (None: any case)
    _by_key: dict[str, tuple[LexiconEntry, frozenset[str] | None]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _form_keys: dict[int, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        spellings: dict[str, tuple[LexiconEntry, set[str] | None]] = {}
        for entry in self.entries:
            self._form_keys[id(entry)] = tuple(match_key(form) for form in entry.forms)
            for form in entry.forms:
                owner, cased = spellings.setdefault(match_key(form), (entry, set()))
                if owner is not entry:
                    continue
                if cased is not None and entry.case_sensitive(form):
                    cased.add(_spelling(form))
                else:
                    spellings[match_key(form)] = (entry, None)
        for key, (entry, cased) in spellings.items():
            self._by_key[key] = (entry, frozenset(cased) if cased is not None else None)

    def lookup(self, form: str) -> LexiconEntry | None:
        """The entry `form` names, in any case unless all its spellings are case-sensitive
        ("MAP" is not "mAP", "OPT" in a formula is not the model)."""
        found = self._by_key.get(match_key(form))
        if found is None:
            return None
        entry, cased = found
        return entry if cased is None or _spelling(form) in cased else None

    def form_keys(self, entry: LexiconEntry) -> tuple[str, ...]:
        """The match keys of one of this lexicon's entries' forms, made once."""
        return self._form_keys[id(entry)]

    def is_generic(self, form: str) -> bool:
        return form in self.not_entities or form.rstrip("s") in self.not_entities


def _spelling(form: str) -> str:
    """A form as spelled, but for spaces and hyphens ("Llama-2" and "Llama 2")."""
    return "".join(ch for ch in form if ch not in " -")


def _entry(raw: dict, source: str) -> LexiconEntry:
    return LexiconEntry(
        raw["name"],
        EntityType(raw["type"]),
        tuple(raw.get("aliases", ())),
        tuple(raw.get("links", ())),
        raw.get("source", source),
        bool(raw.get("cased", False)),
    )


def merge_entries(hand: list[LexiconEntry], built: list[LexiconEntry]) -> list[LexiconEntry]:
    """Hand entries first; a built entry sharing a form with one is left out, its links
    going to the hand entry when both say the same type."""
    owner = {match_key(form): i for i, e in enumerate(hand) for form in e.forms}
    extra_links: dict[int, set[str]] = {}
    kept = []
    for entry in built:
        hits = {owner[k] for k in (match_key(f) for f in entry.forms) if k in owner}
        if not hits:
            kept.append(entry)
            continue
        for i in hits:
            if hand[i].type is entry.type and match_key(hand[i].name) in {
                match_key(f) for f in entry.forms
            }:
                extra_links.setdefault(i, set()).update(entry.links)
    merged = [
        LexiconEntry(
            e.name,
            e.type,
            e.aliases,
            tuple(sorted({*e.links, *extra_links.get(i, ())})),
            e.source,
            e.cased,
        )
        for i, e in enumerate(hand)
    ]
    return merged + kept


def _read(name: str) -> dict:
    return json.loads((files("alignkg") / "data" / name).read_text(encoding="utf-8"))


@cache
def load_lexicon() -> Lexicon:
    hand = _read(HAND)
    built = _read(BUILT)
    entries = merge_entries(
        [_entry(e, "hand") for e in hand["entities"]],
        [_entry(e, "built") for e in built["entities"]],
    )
    return Lexicon(
        entries=tuple(entries),
        not_entities=frozenset(hand["not_entities"]),
        model_families=tuple(hand["model_families"]),
    )
