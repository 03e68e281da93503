"""The naming patterns of extract/names.py, and the shortcuts that make them fast: each
must find what the plain regex finds."""

from __future__ import annotations

import re

import pytest

from alignkg.extract import names
from alignkg.extract.lexicon import load_lexicon

SENTENCES = [
    "We propose f-DPO, LN-DPO, rDPO, TDPO and βDPO, and compare them with DPO-max and PPO.",
    "Unlike DPO-based or non-DPO methods, our ab-DPO-free variant (see *DPO) ...",
    "The parent twice in one word: DPODPO, DPO-DPO, xDPO-DPO, PPOPPO and RLHF-RLHF.",
    "Edges: _DPO, DPO_x, -DPO, DPO-, DPO--x, 7B-DPO, ABCDEF-DPO and ABCDEFDPO.",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_variants_read_around_an_occurrence_match_the_parents_own_regex(text):
    """`_variant_at` reads a window in two halves with regexes shared by all parents; it
    must give what the parent's own regex (`_variant_regex`) gives on that window."""
    compared = 0
    for parent in ("DPO", "PPO", "RLHF"):
        at = text.find(parent)
        while at >= 0:
            hi = names._WORD_REST.match(text, at + len(parent)).end()
            for lo in range(max(0, at - 6), at + 1):
                m = names._variant_regex(parent).search(text, lo, hi)
                expected = None
                if m is not None and m.start() <= at < m.end():
                    expected = m.start(), m.end(), names._variant(m["pre"], m["dash"], m["post"])
                assert names._variant_at(text, parent, at, lo, hi) == expected, (parent, at, lo)
                compared += 1
            at = text.find(parent, at + 1)
    assert compared > 20


def test_variant_names_in_a_sentence():
    text = SENTENCES[0]
    found = {text[s:e] for s, e, _ in names.method_variants(text, ["DPO", "PPO"])}
    assert found == {"f-DPO", "LN-DPO", "rDPO", "TDPO", "βDPO", "DPO-max"}


def test_coined_names_of_every_shape_in_one_pass():
    text = "CycleAlign, rDPO, MNPO, SALMON and Alt-MoE beat Human-feedback and the-best (III)."
    found = [text[s:e] for s, e, _ in names.coined_names(text)]
    assert found == ["CycleAlign", "rDPO", "MNPO", "SALMON", "Alt-MoE", "III"]


def test_quick_searches_keep_every_name():
    """The patterns that first look for a word every match holds ("Bench", "-7B", "://")
    still find their names, and nothing in texts without that word."""
    text = "On MT-Bench and TruthfulQA, Foo-Chat-13B (https://github.com/x/y) beats Llama-2-70b."
    assert [text[s:e] for s, e, _ in names.benchmark_names(text)] == ["MT-Bench", "TruthfulQA"]
    assert [text[s:e] for s, e, _ in names.sized_models(text)] == ["Foo-Chat-13B", "Llama-2-70b"]
    assert [text[s:e] for s, e in names.url_spans(text)] == ["https://github.com/x/y)"]
    families = load_lexicon().model_families
    assert [text[s:e] for s, e, _ in names.model_names(text, families)] == ["Llama-2-70b"]
    plain = "A benchmark of questions and answers, a 13 billion parameter model, github."
    assert not list(names.benchmark_names(plain)) and not list(names.sized_models(plain))
    assert names.url_spans(plain) == []


def test_model_names_start_at_a_word_edge():
    families = load_lexicon().model_families
    text = "ChatGPT-4, xGPT-4, GPT-4o, *GPT-4 and -GPT-4; GPT-3.5-turbo."
    found = [text[s:e] for s, e, _ in names.model_names(text, families)]
    assert found == ["GPT-4o", "GPT-3.5-turbo"]


def test_matches_where_a_quick_search_finds_what_finditer_finds():
    """Tried only where the quick search matches, overlapping places too ("abab" in
    "ababab" stands at 0 and 2), a regex finds what finditer finds."""
    regex, quick = re.compile(r"\bab(?:ab)*c|abab"), re.compile(r"ab")
    for text in ("ababab", "xabababc abc", "ab-abc", "cab abab abababc"):
        expected = [m.span() for m in regex.finditer(text)]
        assert [m.span() for m in names.matches_where(regex, quick, text)] == expected, text
    text = "We study the Dromedary model and a SPIN method; the Partial Occlusion technique."
    found = [text[s:e] for s, e, _ in names.described_names(text)]
    assert found == ["Dromedary", "SPIN"]
