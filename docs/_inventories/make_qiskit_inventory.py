"""Write ``qiskit.inv``: an intersphinx inventory of Qiskit's public API, built offline.

Sphinx's intersphinx normally downloads ``objects.inv`` from the Qiskit documentation at build
time. Builds here must work with no network (``sphinx-build -W`` runs in the test suite), so this
script writes the inventory from the installed ``qiskit`` instead: every public class, function
and method of the modules below, under its documented name (``qiskit.primitives.BaseSamplerV2``)
and under the module path Python reports for it (``qiskit.primitives.base.base_sampler...``),
which is what autodoc writes for base classes and annotations. Both point at the page of the
Qiskit API documentation. Run it again after a Qiskit upgrade:

    python docs/_inventories/make_qiskit_inventory.py
"""

from __future__ import annotations

import importlib
import inspect
import zlib
from pathlib import Path

import qiskit

BASE = "https://quantum.cloud.ibm.com/docs/api/qiskit/"
MODULES = ["qiskit", "qiskit.circuit", "qiskit.circuit.library", "qiskit.primitives",
           "qiskit.primitives.containers", "qiskit.quantum_info", "qiskit.transpiler",
           "qiskit.providers", "qiskit.result", "qiskit.qasm3", "qiskit.exceptions"]
OUT = Path(__file__).with_name("qiskit.inv")


def _entries() -> dict[str, tuple[str, str]]:
    """{name: (role, uri)} for every public object of ``MODULES``."""
    entries: dict[str, tuple[str, str]] = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        page = "index" if module_name == "qiskit" else module_name.removeprefix("qiskit.")
        entries[module_name] = ("py:module", page.replace(".", "_"))
        for name in getattr(module, "__all__", None) or dir(module):
            obj = getattr(module, name, None)
            if name.startswith("_") or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if not getattr(obj, "__module__", "").startswith("qiskit"):
                continue
            documented = f"{module_name}.{name}"
            if documented in entries:
                continue
            role = "py:class" if inspect.isclass(obj) else "py:function"
            aliases = {documented, f"{obj.__module__}.{obj.__qualname__}"}
            for alias in aliases:
                entries.setdefault(alias, (role, documented))
            if inspect.isclass(obj):
                for member, value in vars(obj).items():
                    if member.startswith("_") or not callable(value) and not isinstance(
                            value, property):
                        continue
                    member_role = "py:property" if isinstance(value, property) else "py:method"
                    for alias in aliases:
                        entries.setdefault(f"{alias}.{member}",
                                           (member_role, f"{documented}#{member.lower()}"))
    return entries


def main() -> None:
    lines = [f"{name} {role} 1 {uri} -" for name, (role, uri) in sorted(_entries().items())]
    header = ("# Sphinx inventory version 2\n# Project: Qiskit\n"
              f"# Version: {qiskit.__version__}\n"
              "# The remainder of this file is compressed using zlib.\n")
    body = zlib.compress(("\n".join(lines) + "\n").encode(), 9)
    OUT.write_bytes(header.encode() + body)
    print(f"{OUT}: {len(lines)} entries for qiskit {qiskit.__version__}")


if __name__ == "__main__":
    main()
