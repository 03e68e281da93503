"""The neighbourhood page in a real headless Chromium, driven by Selenium.

Checks: it loads with no console errors and no network request (Chromium's proxy points
at a closed loopback port, and the performance log lists every request), the network
holds the expected nodes and edges, hostile titles run nothing even when their tooltips
show, a 241-node page ends laid out and still, and screenshots land in test-artifacts/.

Needs the Debian packages chromium and chromium-driver. Without them these tests skip,
except when $CI is set: there they fail, so CI cannot go green without a browser.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import Counter
from pathlib import Path

import pytest

from alignkg.render import render_page
from alignkg.render.pyvis_page import LEAF_SIZE
from alignkg.store.embedded import EmbeddedStore
from test_render import PAYLOADS, add_hostile_papers, large_subgraph

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("ALIGNKG_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("ALIGNKG_CHROMEDRIVER", "/usr/bin/chromedriver"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LOAD_TIMEOUT = 90  # seconds; stabilizing 241 nodes takes a few on a CI runner
UNREACHABLE_PROXY = "127.0.0.1:9"  # the discard port: nothing listens, every fetch fails


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} not found: apt-get install chromium chromium-driver"
    return None


class Page:
    """One headless Chromium, reused across tests: load a page, read what happened."""

    def __init__(self, driver) -> None:
        self.driver = driver

    def load(self, path: Path) -> Page:
        self.console()  # drain what earlier pages logged
        self.requests()
        self.driver.get(path.resolve().as_uri())
        deadline = time.monotonic() + LOAD_TIMEOUT
        while not self.js("return !!(window.alignkg && window.alignkg.stabilized)"):
            assert time.monotonic() < deadline, f"{path.name}: not laid out in {LOAD_TIMEOUT}s"
            time.sleep(0.1)
        return self

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def console(self) -> list[dict]:
        return self.driver.get_log("browser")

    def requests(self) -> list[str]:
        """URLs of every request the page made since the last call."""
        messages = (json.loads(e["message"])["message"] for e in self.driver.get_log("performance"))
        return [
            m["params"]["request"]["url"]
            for m in messages
            if m["method"] == "Network.requestWillBeSent"
        ]

    def counts(self) -> tuple[int, int]:
        return tuple(self.js("return [window.alignkg.nodes.length, window.alignkg.edges.length]"))

    def pwned(self) -> bool:
        return self.js("return window.__pwned !== undefined || document.images.length > 0")

    def _hover(self, canvas_point_js: str, *args) -> str:
        """Move the mouse to a point of the graph; the tooltip's text once it shows."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.support.ui import WebDriverWait

        header = self.driver.find_element("css selector", "header")
        ActionChains(self.driver).move_to_element(header).perform()  # hide any tooltip
        x, y = self.js(
            "var p = (" + canvas_point_js + ");"
            "var d = window.alignkg.network.canvasToDOM(p); return [d.x, d.y];",
            *args,
        )
        canvas = self.driver.find_element("css selector", "#network canvas")
        dx = round(x - canvas.size["width"] / 2)
        dy = round(y - canvas.size["height"] / 2)
        ActionChains(self.driver).move_to_element_with_offset(canvas, dx, dy).perform()
        shown = (
            "var t = document.querySelector('div.vis-tooltip');"
            "return t && t.style.visibility === 'visible' ? t.textContent : null;"
        )
        return WebDriverWait(self.driver, 5).until(lambda _: self.js(shown))

    def hover_node(self, node_id: str) -> str:
        return self._hover(
            "window.alignkg.network.getPositions([arguments[0]])[arguments[0]]", node_id
        )

    def hover_edge(self, edge_id: str) -> str:
        # The middle of the drawn edge (vis-network's own curve, whatever its smoothing).
        return self._hover(
            "window.alignkg.network.body.edges[arguments[0]].edgeType.getPoint(0.5)", edge_id
        )

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        assert self.driver.save_screenshot(str(path))
        return path


@pytest.fixture(scope="module")
def page():
    missing = _missing()
    if missing:
        if _in_ci():
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root in a container
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,900",
        f"--proxy-server={UNREACHABLE_PROXY}",
        "--proxy-bypass-list=<-loopback>",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield Page(driver)
    finally:
        driver.quit()


def assert_clean_load(page: Page) -> None:
    severe = [e for e in page.console() if e["level"] == "SEVERE"]
    assert not severe, severe
    remote = [u for u in page.requests() if not u.startswith(("file:", "data:"))]
    assert not remote, remote


def assert_screenshot(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


# --- the harness itself can see a fetch -----------------------------------------------


def test_a_remote_fetch_would_be_caught(page, tmp_path):
    html = tmp_path / "leaky.html"
    html.write_text(
        '<img src="https://cdn.example.com/x.png"><script>window.alignkg = {stabilized: true};'
        "</script>",
        encoding="utf-8",
    )
    page.load(html)
    time.sleep(0.5)
    assert "https://cdn.example.com/x.png" in page.requests()


# --- the page ---------------------------------------------------------------------------


def test_dpo_page_from_the_command_line(page, embedded_store, tmp_path):
    from typer.testing import CliRunner

    from alignkg.cli import app

    out = tmp_path / "dpo.html"
    data_dir = str(embedded_store.path.parent)
    result = CliRunner().invoke(
        app, ["render", "DPO", "-d", "2", "-o", str(out), "--data-dir", data_dir]
    )
    assert result.exit_code == 0, result.output
    page.load(out)
    assert_clean_load(page)
    sub = embedded_store.neighborhood("method/dpo", depth=2)
    assert page.counts() == (len(sub.nodes), len(sub.relations))
    legend = page.driver.find_element("css selector", "#legend")
    assert legend.is_displayed()
    text = " ".join(legend.text.split())
    assert "DPO (focus)" in text
    for kind, count in Counter(n.kind for n in sub.nodes).items():
        assert f"{kind} {count}" in text
    for type_, count in Counter(r.type.value for r in sub.relations).items():
        assert f"{type_} {count}" in text
    assert not page.driver.find_element("css selector", "#loading").is_displayed()

    tip = page.hover_node("method/dpo")
    assert "DPO" in tip and "Direct Preference Optimization" in tip  # the alias
    tip = page.hover_edge("method/f-dpo|OUTPERFORMS|method/ppo")
    assert "f-DPO beats PPO on <b>MT-Bench</b>." in tip  # evidence, as text
    assert "Beyond Reverse KL" in tip  # the supporting paper
    assert_clean_load(page)
    assert_screenshot(page.screenshot("dpo-neighbourhood.png"))


def test_truncated_page_says_so(page, embedded_store, tmp_path):
    sub = embedded_store.neighborhood("method/dpo", depth=2, node_cap=4)
    out = tmp_path / "cut.html"
    out.write_text(render_page(sub), encoding="utf-8")
    page.load(out)
    assert_clean_load(page)
    assert page.counts() == (4, len(sub.relations))
    note = page.driver.find_element("css selector", "#truncation-note")
    assert note.is_displayed() and "Cut at 4 nodes" in note.text


# --- escaping -----------------------------------------------------------------------------


@pytest.fixture
def hostile_page(tmp_path, sample_graph) -> tuple[Path, EmbeddedStore]:
    from alignkg.cli.render import write_neighborhood_html

    store = EmbeddedStore(tmp_path / "hostile")
    store.save(add_hostile_papers(sample_graph))
    out = tmp_path / "hostile.html"
    write_neighborhood_html(store, store.resolve("DPO"), 2, out)
    return out, store


def test_hostile_titles_run_nothing(page, hostile_page):
    path, _ = hostile_page
    page.load(path)
    assert_clean_load(page)
    assert not page.pwned()
    for i, payload in enumerate(PAYLOADS):
        assert payload in page.hover_node(f"paper/hostile-{i}")  # shown as text
        assert not page.pwned()
    tip = page.hover_node("paper/dromedary")
    assert "Self-Alignment <script>alert(1)</script>" in tip
    tip = page.hover_node("method/bad")
    assert PAYLOADS[1] in tip and PAYLOADS[0] in tip  # name and alias
    tip = page.hover_edge("paper/hostile-1|USES|method/dpo")
    assert PAYLOADS[1] in tip  # the evidence sentence and the paper title
    assert not page.pwned()
    assert_clean_load(page)
    assert_screenshot(page.screenshot("hostile-titles.png"))


def test_hostile_focus_name_is_text(page, hostile_page, tmp_path):
    _, store = hostile_page
    out = tmp_path / "bad.html"
    bad = store.resolve(PAYLOADS[1])
    out.write_text(render_page(store.neighborhood(bad.id)), encoding="utf-8")
    page.load(out)
    assert_clean_load(page)
    assert not page.pwned()
    assert page.driver.title.startswith(PAYLOADS[1])
    assert PAYLOADS[1] in page.driver.find_element("css selector", "h1").text
    assert f"{PAYLOADS[1]} (focus)" in page.driver.find_element("css selector", "#legend").text


# --- a large neighbourhood ----------------------------------------------------------------


def test_large_neighbourhood_is_laid_out_and_still(page, tmp_path):
    sub = large_subgraph()
    out = tmp_path / "large.html"
    out.write_text(render_page(sub), encoding="utf-8")
    page.load(out)
    assert_clean_load(page)
    assert page.counts() == (241, len(sub.relations))

    before = page.js("return window.alignkg.network.getPositions()")
    time.sleep(0.5)
    assert page.js("return window.alignkg.network.getPositions()") == before  # physics off

    # Readable: no two nodes on top of each other, and all of them in view.
    points = [(p["x"], p["y"]) for p in before.values()]
    closest = min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1 :])
    assert closest > 3 * LEAF_SIZE
    outside = page.js(
        "var box = document.getElementById('network').getBoundingClientRect();"
        "var net = window.alignkg.network, pos = net.getPositions(), n = 0;"
        "for (var id in pos) { var p = net.canvasToDOM(pos[id]);"
        "  if (p.x < 0 || p.y < 0 || p.x > box.width || p.y > box.height) n++; }"
        "return n;"
    )
    assert outside == 0
    # The labels drawn at the first view (the focus, its neighbours, hubs) meet no other.
    labels, _ = page.js(_DRAWN_BOXES)
    assert len(labels) > 10
    assert [pair for pair in _overlaps(labels, []) if pair] == []
    assert_screenshot(page.screenshot("large-neighbourhood.png"))


# --- readable: what the page draws does not overlap -------------------------------------

_DRAWN_BOXES = """
var net = window.alignkg.network, labels = [], shapes = [];
window.alignkg.nodes.getIds().forEach(function (id) {
  var n = net.body.nodes[id], r = n.options.size;
  shapes.push([id, n.x - r, n.y - r, n.x + r, n.y + r]);
  if (n.options.label && n.labelModule.visible()) {
    var s = n.labelModule.size;
    labels.push([id, s.left, s.top, s.left + s.width, s.top + s.height]);
  }
});
window.alignkg.edges.getIds().forEach(function (id) {
  var e = net.body.edges[id];
  if (e.options.label && e.labelModule.visible()) {
    var s = e.labelModule.size;
    labels.push([id, s.left, s.top, s.left + s.width, s.top + s.height]);
  }
});
return [labels, shapes];
"""


def _overlaps(labels: list, shapes: list) -> list[tuple[str, str]]:
    def meets(a, b) -> bool:
        return a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]

    pairs = [(a[0], b[0]) for i, a in enumerate(labels) for b in labels[i + 1 :] if meets(a, b)]
    pairs += [(a[0], s[0]) for a in labels for s in shapes if a[0] != s[0] and meets(a, s)]
    return pairs


def test_small_page_labels_overlap_nothing(page, embedded_store, tmp_path):
    """Every label the browser draws on the DPO page (nodes and edges), measured from
    vis-network's own label boxes: none meets another label or another node's shape,
    and every node is named at depth 1 and 2 (a label that cannot fit is left to the
    tooltip: the 4-hop page names all but one)."""
    from alignkg.cli.common import supporting_papers

    for depth, cap in ((1, 250), (2, 250), (4, 20)):
        sub = embedded_store.neighborhood("method/dpo", depth=depth, node_cap=cap)
        out = tmp_path / f"dpo-{depth}-{cap}.html"
        out.write_text(render_page(sub, supporting_papers(embedded_store, sub)), "utf-8")
        page.load(out)
        assert_clean_load(page)
        labels, shapes = page.js(_DRAWN_BOXES)
        assert _overlaps(labels, shapes) == [], (depth, cap)
        named = {box[0] for box in labels} & {n.id for n in sub.nodes}
        assert len(named) >= len(sub.nodes) - (depth > 2), (depth, cap, len(sub.nodes))
    assert_screenshot(page.screenshot("dpo-labels.png"))
