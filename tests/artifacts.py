"""Where tests leave what a person should look at (screenshots, rendered plots)."""
from __future__ import annotations

from pathlib import Path


def fresh_artifacts(name: str) -> Path:
    """test-artifacts/<name>/, emptied first, so that what is there comes from this run."""
    import shutil
    path = Path(__file__).resolve().parents[1] / "test-artifacts" / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    print(f"\n{name} screenshots: {path}")
    return path
