"""Readers of the three corpus formats, and what bad input gives."""

from __future__ import annotations

import json

import pytest

from alignkg.ingest import CorpusError, default_corpus, detect_format, read_corpus

LISTING = """new

Daily Papers

Jan 7

Preference Ranking Optimization for Human Alignment

Large language models (LLMs) often contain misleading content. We propose PRO.

  \u2022 7 authors
\u00b7
Jun 30, 2023 4

A Paper From a Lab

We study things. It works.

Fudan-University Fudan University
\u00b7
Oct 9, 2025

A Record Without Metadata

It has an abstract. Nothing else.

Last Paper

We end here.

  \u2022 1 authors
\u00b7
Mar 1, 2024
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_corpus_has_its_55_papers():
    papers = list(read_corpus(default_corpus()))
    assert len(papers) == 55
    assert len({p.id for p in papers}) == 55
    by_title = {p.title: p for p in papers}
    pro = by_title["Preference Ranking Optimization for Human Alignment"]
    assert (pro.date, pro.author_count, pro.upvotes) == ("2023-06-30", 7, 4)
    assert by_title["Multiplayer Nash Preference Optimization"].organization == "Stanford NLP"


def test_listing_reader_fields(tmp_path):
    papers = list(read_corpus(write(tmp_path, "l.txt", LISTING)))
    assert [p.title for p in papers] == [
        "Preference Ranking Optimization for Human Alignment",
        "A Paper From a Lab",
        "A Record Without Metadata",
        "Last Paper",
    ]
    assert papers[0].id == "preference-ranking-optimization-for-human-alignment"
    assert papers[1].organization == "Fudan University" and papers[1].author_count is None
    assert papers[2].date is None and papers[2].abstract == "It has an abstract. Nothing else."
    assert papers[3].date == "2024-03-01"


def test_jsonl_reader_and_dedup(tmp_path):
    lines = [
        {
            "id": "2305.18290v2",
            "title": "DPO",
            "abstract": "We propose DPO.",
            "authors": ["A", "B"],
            "date": "2023-05-29",
            "url": "https://arxiv.org/abs/2305.18290",
        },
        {"title": "No  Id   Paper", "abstract": "Text."},
        {"id": "2305.18290", "title": "DPO again", "abstract": "Same paper, same id."},
    ]
    path = write(tmp_path, "p.jsonl", "\n".join(json.dumps(r) for r in lines) + "\n")
    assert detect_format(path) == "jsonl"
    papers = list(read_corpus(path))
    assert [p.id for p in papers] == ["2305.18290", "no-id-paper"]
    assert papers[0].authors == ("A", "B") and papers[0].author_count == 2
    assert papers[1].title == "No Id Paper"


def test_arxiv_reader(tmp_path):
    record = {
        "id": "2310.12345",
        "submitter": "X",
        "authors": "Ann Lee, Bo Chen and Cy Dee",
        "title": "A  Title\n  wrapped",
        "abstract": "  An abstract\n that wraps.\n",
        "update_date": "2023-10-20",
        "versions": [],
    }
    path = write(tmp_path, "a.jsonl", json.dumps(record) + "\n")
    assert detect_format(path) == "arxiv"
    [paper] = read_corpus(path)
    assert paper.id == "2310.12345" and paper.title == "A Title wrapped"
    assert paper.abstract == "An abstract that wraps."
    assert paper.authors == ("Ann Lee", "Bo Chen", "Cy Dee") and paper.date == "2023-10-20"
    assert paper.url == "https://arxiv.org/abs/2310.12345"


def test_format_can_be_forced(tmp_path):
    path = write(tmp_path, "x.data", json.dumps({"title": "T", "abstract": "A."}) + "\n")
    assert [p.title for p in read_corpus(path, format="jsonl")] == ["T"]
    with pytest.raises(CorpusError, match="unknown format 'yaml'"):
        list(read_corpus(path, format="yaml"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Caf\u00e9".encode("latin-1") + b"\n", "not valid UTF-8"),
    ],
)
def test_unreadable_files_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "corpus.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CorpusError, match=message) as err:
        list(read_corpus(path))
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_malformed_json_line_is_skipped_with_its_line_number(tmp_path):
    path = write(
        tmp_path,
        "p.jsonl",
        '{"title": "Good", "abstract": "Fine."}\n{"title": "Bad", "abstr\n'
        '{"title": "No abstract"}\n',
    )
    warnings = []
    papers = list(read_corpus(path, warn=warnings.append))
    assert [p.title for p in papers] == ["Good"]
    assert warnings[0].startswith(f"{path}:2: malformed JSON")
    assert warnings[1].startswith(f"{path}:3: a paper needs")
    with pytest.raises(CorpusError, match=rf"{path}:2: malformed JSON"):
        list(read_corpus(path, strict=True))


def test_truncated_listing_is_reported(tmp_path):
    text = LISTING + "\nCut Paper\n\nIts abstract was cut. Here.\n\n  \u2022 3 authors\n\u00b7\n"
    warnings = []
    papers = list(read_corpus(write(tmp_path, "l.txt", text), warn=warnings.append))
    assert len(papers) == 4
    assert "truncated record" in warnings[0]
    with pytest.raises(CorpusError, match="truncated record"):
        list(read_corpus(write(tmp_path, "l2.txt", text), strict=True))


def test_unusual_unicode_is_cleaned(tmp_path):
    record = {"title": "Zero\u200bWidth \u202eTitle", "abstract": "Cafe\u0301 (DPO) \U0001f600 ok."}
    [paper] = read_corpus(write(tmp_path, "u.jsonl", json.dumps(record) + "\n"))
    assert paper.title == "ZeroWidth Title"
    assert paper.abstract == "Caf\u00e9 (DPO) \U0001f600 ok."


def test_a_file_with_no_papers_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="no papers found"):
        list(read_corpus(write(tmp_path, "e.jsonl", '{"title": "x"}\n')))
