"""How fast the command line answers: `alignkg --help` and `alignkg stats` on the bundled
store, each the median of 5 runs of a fresh process, against the bare interpreter and
an import of the heavy modules the CLI keeps off its entry point (measured in the same
run). Also lists which of those modules each command loads (none should).

    python bench/cli_latency.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("spacy", "neo4j", "rdflib", "pyvis", "networkx", "jinja2", "numpy")
TARGET = 0.5  # seconds


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median_seconds(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median wall-clock and median CPU (user + system) seconds of a fresh process: on a
    shared, loaded machine the CPU figure is the one that does not depend on the others."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu, started = _children_cpu(), time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        cpus.append(_children_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def heavy_modules_loaded(args: list[str], env: dict[str, str]) -> list[str]:
    probe = (
        "import sys\n"
        "from alignkg.cli import app\n"
        "try:\n"
        f"    app({args!r}, standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True
    ).stdout
    return out.split("\n")[-2].split() if out.strip() else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    alignkg = str(Path(sys.executable).with_name("alignkg"))
    with tempfile.TemporaryDirectory() as data_dir:
        env = os.environ | {"ALIGNKG_DATA_DIR": data_dir, "COLUMNS": "100"}
        subprocess.run([alignkg, "build"], env=env, check=True, capture_output=True)
        rows = [
            ("python -c pass (interpreter start)", [sys.executable, "-c", "pass"]),
            (
                "python -c 'import spacy, neo4j, rdflib, pyvis, networkx'",
                [sys.executable, "-c", "import spacy, neo4j, rdflib, pyvis, networkx"],
            ),
            ("alignkg --help", [alignkg, "--help"]),
            ("alignkg stats (bundled store)", [alignkg, "stats"]),
            ("alignkg neighborhood DPO", [alignkg, "neighborhood", "DPO"]),
        ]
        print(f"median of {runs} runs, seconds (target for --help and stats: < {TARGET})")
        print(f"  {'':<60} {'wall':>6} {'cpu':>6}")
        figures, cpu = {}, {}
        for label, argv in rows:
            figures[label], cpu[label] = median_seconds(argv, env, runs)
            print(f"  {label:<60} {figures[label]:6.3f} {cpu[label]:6.3f}")
        for args in (["--help"], ["stats"], ["neighborhood", "DPO"]):
            loaded = heavy_modules_loaded(args, env)
            print(f"  heavy modules loaded by alignkg {' '.join(args)}: {loaded or 'none'}")
        base = figures["python -c pass (interpreter start)"]
        heavy = figures["python -c 'import spacy, neo4j, rdflib, pyvis, networkx'"]
        print(f"  load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        for label in ("alignkg --help", "alignkg stats (bundled store)"):
            verdict = "ok" if figures[label] < TARGET else "OVER TARGET (wall)"
            print(
                f"  {label}: {figures[label] / base:.1f}x the bare interpreter, "
                f"{heavy / figures[label]:.1f}x faster than importing the heavy modules, "
                f"{verdict}"
            )


if __name__ == "__main__":
    main()
