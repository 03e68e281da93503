"""Readers of the three corpus formats, and what bad input gives."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from alignkg.ingest import CorpusError, default_corpus, detect_format, read_corpus
from alignkg.ingest.ids import arxiv_id
from alignkg.keys import slug

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
    assert papers[0].id.startswith("preference-ranking-optimization-for-human-alignment-")
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
    assert papers[0].id == "2305.18290" and papers[1].id.startswith("no-id-paper-")
    assert len(papers) == 2
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


# --- paper identity (issue 10.1) -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2305.18290", "2305.18290"),
        ("2305.18290v3", "2305.18290"),
        ("arXiv:2305.18290v1", "2305.18290"),
        ("https://arxiv.org/abs/2305.18290", "2305.18290"),
        ("http://arxiv.org/pdf/2305.18290v2.pdf", "2305.18290"),
        ("10.48550/arXiv.2305.18290", "2305.18290"),
        ("https://doi.org/10.48550/arXiv.2305.18290", "2305.18290"),
        ("0704.0001", "0704.0001"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("math.GT/0309136v2", "math.GT/0309136"),
        ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("10.1145/3442188.3445922", None),
        ("https://doi.org/10.1145/3442188.3445922", None),
        ("12305.18290", None),
        ("2305.182901", None),
        ("2313.18290", None),
        ("doi:10.1/abc", None),
        ("S2:123", None),
    ],
)
def test_arxiv_ids_are_matched_whole(text, expected):
    assert arxiv_id(text) == expected


def jsonl(tmp_path, records, name="p.jsonl"):
    return write(tmp_path, name, "".join(json.dumps(r) + "\n" for r in records))


def test_ids_prefer_arxiv_then_own_id_then_title(tmp_path):
    same = {"title": "One Title", "abstract": "One abstract."}
    path = jsonl(
        tmp_path,
        [
            {**same, "id": "doi:10.1/abc"},
            {**same, "id": "S2:123"},
            {**same, "id": "S2:456", "url": "https://arxiv.org/abs/2401.00001v2"},
            {**same, "doi": "10.1145/3442188.3445922"},
            {**same, "id": "10.1145/3442188.3445922"},
        ],
    )
    ids = [p.id for p in read_corpus(path)]
    assert ids[:3] == ["id:doi:10.1/abc", "id:S2:123", "2401.00001"]
    assert ids[3].startswith("one-title-") and ids[4] == "id:10.1145/3442188.3445922"


def test_a_numeric_json_id_keeps_its_digits(tmp_path):
    path = write(
        tmp_path,
        "n.jsonl",
        '{"id": 2305.18290, "title": "A", "abstract": "B."}\n'
        '{"id": 2305.1829, "title": "C", "abstract": "D."}\n'
        '{"id": 12345678901234567890123456789, "title": "E", "abstract": "F."}\n',
    )
    assert [p.id for p in read_corpus(path)] == [
        "2305.18290",
        "2305.1829",
        "id:12345678901234567890123456789",
    ]


def test_ten_thousand_titles_with_a_long_common_prefix_stay_ten_thousand(tmp_path):
    prefix = "Towards a Comprehensive and Principled Understanding of Preference Optimization " * 2
    records = [{"title": f"{prefix}Part {i}", "abstract": "We study DPO."} for i in range(10_000)]
    papers = list(read_corpus(jsonl(tmp_path, records)))
    assert len(papers) == 10_000 and len({p.id for p in papers}) == 10_000
    assert papers[9_999].id.startswith(slug(prefix, max_length=None) + "-part-9999-")


def test_non_latin_titles_keep_distinct_ids_and_invisible_titles_are_skipped(tmp_path):
    records = [
        {"title": "\u5bf9\u9f50\u7814\u7a76", "abstract": "\u6458\u8981\u4e00"},
        {"title": "\u5927\u6a21\u578b\u5bf9\u9f50", "abstract": "\u6458\u8981\u4e8c"},
        {"title": "\u200b\u200c\u200d\u2060", "abstract": "Invisible title."},
    ]
    warnings = []
    papers = list(read_corpus(jsonl(tmp_path, records), warn=warnings.append))
    assert len(papers) == 2 and len({p.id for p in papers}) == 2
    assert all(p.id and p.id != "x" for p in papers)
    assert warnings == [
        f"{tmp_path / 'p.jsonl'}:3: a paper needs a non-empty 'title' and 'abstract';"
        " record skipped"
    ]


def test_duplicates_are_counted_and_listed_when_verbose(tmp_path):
    records = [{"id": "2305.18290", "title": "A", "abstract": "B."}] * 3
    path = jsonl(tmp_path, records)
    warnings = []
    assert len(list(read_corpus(path, warn=warnings.append))) == 1
    assert warnings == [
        f"{path}: 2 duplicate records merged into earlier ones with the same paper id"
        " (--verbose lists them)"
    ]
    warnings.clear()
    list(read_corpus(path, warn=warnings.append, verbose=True))
    assert warnings[0] == f"{path}:2: same paper id '2305.18290' as line 1; merged into it"
    assert len(warnings) == 3


# --- streams (issue 10.2) ------------------------------------------------------------


def test_a_pipe_loses_no_byte(tmp_path):
    records = [{"title": f"Paper {i}", "abstract": "We propose DPO. " * 40} for i in range(55)]
    text = "".join(json.dumps(r) + "\n" for r in records)
    read, write_end = os.pipe()
    with ThreadPoolExecutor(1) as pool:
        done = pool.submit(lambda: list(read_corpus(f"/dev/fd/{read}")))
        with os.fdopen(write_end, "w") as w:
            w.write(text)
        assert len(done.result(timeout=60)) == 55
    os.close(read)


def test_an_arxiv_file_with_a_long_first_line_is_detected(tmp_path):
    record = {
        "id": "2310.12345",
        "submitter": "X",
        "authors": ", ".join(f"Author {i}" for i in range(2_000)),
        "title": "T",
        "abstract": "A.",
        "update_date": "2023-10-20",
    }
    path = write(tmp_path, "a.jsonl", "\n\n" + json.dumps(record) + "\n")
    assert detect_format(path) == "arxiv"
    [paper] = read_corpus(path)
    assert paper.date == "2023-10-20" and len(paper.authors) == 2_000


def test_line_numbers_count_every_kind_of_newline(tmp_path):
    path = tmp_path / "n.jsonl"
    path.write_bytes(b'\r\n\r\n{"title": "A", "abstract": "B."}\r{"title": 1}\r\n')
    warnings = []
    list(read_corpus(path, warn=warnings.append))
    assert warnings == [f"{path}:4: 'title' must be a string; record skipped"]
