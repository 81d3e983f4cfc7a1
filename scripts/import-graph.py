#!/usr/bin/env python3
"""The file-level import graph of each crate's `src/`: prints every module's `use crate::…`
edges, and fails if modules import each other in a loop or reach back up to `lib.rs`.

A module is a file under `src/` (`foo.rs` and `foo/…` are `foo`'s subtree). `use super::*` in a
child of `foo` is `foo` itself, not an edge. Run from the workspace root: `scripts/import-graph.py`.
"""
import pathlib
import re
import sys

CRATES = ["casting-core", "casting-store-memory", "casting-store-postgres", "casting-auth0",
          "casting-http", "examples/server"]
USE = re.compile(r"\buse crate::(\{[^;]*\}|[^;]*);", re.S)


def module_of(src: pathlib.Path, file: pathlib.Path) -> str:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "main"):
        parts.pop()
    return "::".join(parts) or "lib"


def targets(text: str) -> set[str]:
    """First path segments named by `use crate::…` (lower-case ones are modules; an upper-case
    one is an item of lib.rs)."""
    found = set()
    for match in USE.finditer(text):
        body = match.group(1).strip()
        if body.startswith("{"):
            items = re.split(r",(?![^{]*\})", body[1:-1])
        else:
            items = [body]
        for item in items:
            head = item.strip().split("::")[0].strip()
            if head:
                found.add(head)
    return found


def main() -> int:
    failed = False
    for crate in CRATES:
        src = pathlib.Path(crate) / "src"
        if not src.is_dir():
            continue
        graph: dict[str, set[str]] = {}
        for file in sorted(src.rglob("*.rs")):
            text = file.read_text()
            # Test modules may reach anywhere; they are not part of the module graph.
            text = text.split("#[cfg(test)]")[0]
            module = module_of(src, file)
            top = module.split("::")[0]
            edges = set()
            for head in targets(text):
                if head[0].isupper() or head.endswith("!"):
                    if module != "lib":
                        print(f"{crate}: {module} reaches up to lib.rs for `{head}`")
                        failed = True
                    continue
                if head != top:
                    edges.add(head)
            graph.setdefault(top, set()).update(edges)
        # Cycles between top-level modules.
        seen, stack = set(), []

        def visit(node: str) -> None:
            nonlocal failed
            if node in stack:
                cycle = stack[stack.index(node):] + [node]
                print(f"{crate}: module loop {' -> '.join(cycle)}")
                failed = True
                return
            if node in seen:
                return
            seen.add(node)
            stack.append(node)
            for nxt in sorted(graph.get(node, ())):
                visit(nxt)
            stack.pop()

        for node in sorted(graph):
            visit(node)
        for node in sorted(graph):
            if graph[node]:
                print(f"{crate}: {node} -> {', '.join(sorted(graph[node]))}")
    print("import graph: loops or reach-backs found" if failed else "import graph: no loops, nothing reaches back to lib.rs")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
