"""How fast a neighbourhood page becomes interactive in headless Chromium, and what it
looks like: alignkg's page (laid out in Python, physics off) against plain pyvis
(Network.show-style page of the same nodes and edges, laid out by vis-network's physics
in the browser), for neighbourhoods of about 20, 200 and 1,000 nodes of a real store.
Saves screenshots of alignkg's pages to bench/screenshots/.

    python bench/render_browser.py --data-dir DIR [--name DPO] [--timeout 120]

DIR: a store big enough for 1,000 nodes, e.g. `alignkg build
../shared/corpus/arxiv-ml-abstracts.jsonl --data-dir DIR && alignkg add --data-dir DIR`.
"Interactive" is the moment the page is drawn and still: for alignkg's page its first
draw (window.alignkg.readyAt), for plain pyvis the end of its stabilization (the page
hides its loading bar then), both from navigation start (performance.now()).
Needs the Debian packages chromium and chromium-driver, and selenium.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException as SeleniumTimeout
from selenium.webdriver.chrome.service import Service

from alignkg.cli.common import supporting_papers
from alignkg.render.pyvis_page import build_network, render_page
from alignkg.store import open_store

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
SIZES = (20, 200, 1000)


def driver(width: int = 1400, height: int = 900) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
    ):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_for(browser, script: str, timeout: float) -> float | None:
    """The script's value once it has one; None if not within `timeout` seconds (a page
    whose main thread is busy laying out cannot even answer: that counts as not ready)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = browser.execute_script(script)
        except SeleniumTimeout:
            value = None
        if value is not None:
            return float(value)
        time.sleep(0.05)
    return None


def alignkg_seconds(browser, path: Path, timeout: float) -> float | None:
    browser.get(path.as_uri())
    ms = wait_for(browser, "return window.alignkg && window.alignkg.readyAt || null", timeout)
    return None if ms is None else ms / 1000


def plain_pyvis_page(sub, papers, path: Path) -> None:
    """The same nodes and edges through pyvis's own template and default physics."""
    net = build_network(sub, papers)
    for node in net.nodes:
        node.pop("x", None)
        node.pop("y", None)
        node.pop("tip", None)
    for edge in net.edges:
        edge.pop("tip", None)
    net.cdn_resources = "in_line"
    net.toggle_physics(True)
    net.write_html(str(path), notebook=False)
    # Mark the end of stabilization, which pyvis's page waits for before hiding its bar.
    html = path.read_text(encoding="utf-8")
    hook = (
        "network.once('stabilizationIterationsDone', function () {"
        " window.benchDoneAt = performance.now(); });"
        "network.once('afterDrawing', function () { if (!network.physics.options.enabled)"
        " window.benchDoneAt = performance.now(); });"
    )
    path.write_text(html.replace("return network;", hook + "\nreturn network;"), "utf-8")


def pyvis_seconds(browser, path: Path, timeout: float) -> float | None:
    browser.get(path.as_uri())
    ms = wait_for(browser, "return window.benchDoneAt || null", timeout)
    return None if ms is None else ms / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--name", default="DPO")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    SCREENSHOTS.mkdir(exist_ok=True)
    store = open_store("embedded", args.data_dir)
    focus = store.resolve(args.name)
    assert focus is not None, f"no {args.name} in {args.data_dir}"
    browser = driver()
    header = f"{'nodes':>6} {'edges':>6} {'alignkg page':>14} {'plain pyvis':>12}"
    print(f"{header}  (seconds to interactive)")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for size in SIZES:
                sub = store.neighborhood(focus.id, depth=4, node_cap=size)
                papers = supporting_papers(store, sub)
                ours = Path(tmp) / f"alignkg-{size}.html"
                ours.write_text(render_page(sub, papers), encoding="utf-8")
                theirs = Path(tmp) / f"pyvis-{size}.html"
                plain_pyvis_page(sub, papers, theirs)
                mine = alignkg_seconds(browser, ours, args.timeout)
                time.sleep(0.3)
                browser.save_screenshot(str(SCREENSHOTS / f"{args.name.lower()}-{size}.png"))
                base = pyvis_seconds(browser, theirs, args.timeout)

                def fmt(value: float | None) -> str:
                    return f"{value:.2f}" if value is not None else f">{args.timeout:.0f}"

                ratio = f"{base / mine:.0f}x faster" if mine and base else ""
                print(
                    f"{len(sub.nodes):>6} {len(sub.relations):>6} {fmt(mine):>14} "
                    f"{fmt(base):>12}  {ratio}"
                )
    finally:
        browser.quit()
        store.close()
    print(f"screenshots: {SCREENSHOTS}/")


if __name__ == "__main__":
    main()
