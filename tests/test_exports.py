"""exports/ is what scripts/regenerate-exports makes of the bundled corpus today."""

from __future__ import annotations

from pathlib import Path

import pytest

PUBLISHED = Path(__file__).resolve().parents[1] / "exports"


@pytest.mark.slow  # regenerates exports/ in a subprocess
def test_published_pages_are_up_to_date(regenerated_exports):
    fresh = regenerated_exports / "pages"
    names = sorted(p.name for p in fresh.iterdir())
    assert names == ["dpo.html", "ppo.html", "rlhf.html"]
    assert sorted(p.name for p in (PUBLISHED / "pages").iterdir()) == names
    stale = [n for n in names if (PUBLISHED / "pages" / n).read_bytes() != (fresh / n).read_bytes()]
    assert not stale, f"exports/pages is stale ({', '.join(stale)}): run scripts/regenerate-exports"
