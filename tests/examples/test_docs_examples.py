"""Every literalinclude in docs/ points at an example here, with both of its markers."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INCLUDE = re.compile(r"```\{literalinclude\} (\S+)\n(.*?)```", re.S)


def test_literalincludes_resolve() -> None:
    seen = set()
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for target, options in INCLUDE.findall(page.read_text()):
            path = (page.parent / target).resolve()
            text = path.read_text()
            for marker in re.findall(r':(?:start-after|start-at|end-before): "(.*?)"', options):
                assert text.count(marker) == 1, f"{page.name}: {marker!r} in {target}"
            seen.add(path.name)
    examples = {p.name for p in Path(__file__).parent.glob("test_*.py")} - {Path(__file__).name}
    assert examples <= seen, f"examples not shown in docs: {sorted(examples - seen)}"
