"""Count the import circles inside a package: ``python tools/import_cycles.py [package]``.

Every import counts, also those inside functions (a lazy import is still a dependency).
A circle is a strongly connected group of two or more modules; each is printed with its
modules, and the exit status is 1 when there is any.  Uses grimp, the graph library
behind import-linter.

Examples
--------
::

    $ .venv/bin/python tools/import_cycles.py arrearsrisk
    arrearsrisk: 58 modules, 214 imports, 0 import circles
"""

from __future__ import annotations

import sys

import grimp


def circles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        # iterative depth-first search, so deep graphs do not hit the recursion limit
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start) & modules)))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                kids = graph.find_modules_directly_imported_by(child) & modules
                work.append((child, iter(sorted(kids))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def main(package: str = "arrearsrisk") -> int:
    graph = grimp.build_graph(package, cache_dir=None)
    modules = set(graph.modules)
    edges = sum(len(graph.find_modules_directly_imported_by(m) & modules) for m in modules)
    found = circles(graph, modules)
    print(f"{package}: {len(modules)} modules, {edges} imports, {len(found)} import circles")
    for group in found:
        print("  circle: " + " -> ".join(group))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
