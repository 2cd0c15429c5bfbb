"""Record the answers a learner's checks replay (``make course`` runs this after building the notebooks).

A learner's install holds the visible checks and no answer key (:mod:`coursekit.checks.answers`).
Here, where the key is (``grader.key``), every solution notebook of ``solutions/en`` runs from top to
bottom in record mode: each visible check calls the key and every call is kept, the typical-mistake
versions a diagnosis compares with included (recorded eagerly); the hidden checks record nothing.
The calls are written per key module to ``src/coursekit/checks/recorded/<module>.json``
(:mod:`coursekit.checks.recorded`): deterministic, so a second run gives identical bytes.

    python tools/record_answers.py [--solutions DIR] [--out DIR] [--check]

``--check`` writes nothing and exits 1 when the files on disk differ from a fresh recording.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for _path in (REPO, REPO / "src"):   # the checkout's kit, and its grader with the answer key
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))


def run_notebook(path: Path) -> None:
    """Run a solution notebook's code cells in a fresh namespace, as its kernel would (quietly)."""
    import matplotlib.pyplot as plt
    nb = json.loads(path.read_text(encoding="utf-8"))
    namespace = {"__name__": "__main__"}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, f"{path.name}", "exec"), namespace)  # noqa: S102 - the course's own solutions
        plt.close("all")


def record(solutions: Path) -> dict:
    """``{key module: file text}`` of the calls every visible check of ``solutions/*.ipynb`` makes."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    from coursekit.checks import answers, core, recorded
    answers.use("record")
    core.trust_references()   # the tests verify the references; here only what a learner's check asks is kept
    try:
        for path in sorted(Path(solutions).glob("ch*.ipynb")):
            run_notebook(path)
        calls = answers.record()
    finally:
        answers.use(None)
        core.trust_references(False)
    return {module: recorded.text(entries, coarse) for module, (entries, coarse) in calls.items()}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--solutions", type=Path, default=REPO / "solutions" / "en")
    p.add_argument("--out", type=Path, default=None, help="default: the kit's coursekit/checks/recorded")
    p.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    from coursekit.checks import recorded
    out = args.out or recorded.FOLDER
    files = record(args.solutions)
    stale = sorted(set(q.name for q in out.glob("*.json")) - {f"{m}.json" for m in files}) if out.is_dir() else []
    differ = [m for m, text in files.items() if not (out / f"{m}.json").is_file()
              or (out / f"{m}.json").read_text(encoding="utf-8") != text]
    if args.check:
        for name in differ + stale:
            print(f"out of step: {out / name}", file=sys.stderr)
        return 1 if differ or stale else 0
    out.mkdir(parents=True, exist_ok=True)
    for module in differ:
        (out / f"{module}.json").write_text(files[module], encoding="utf-8")
    for name in stale:
        (out / name).unlink()
    if not args.quiet:
        print(f"recorded answers: {len(files)} key module(s), {len(differ) + len(stale)} file(s) changed",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
