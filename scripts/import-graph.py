#!/usr/bin/env python3
"""The module import graph of each crate's `src/`: prints every module's edges, and fails if
modules depend on each other in a loop or reach back up to `lib.rs`.

A module is a file under `src/` (`foo.rs` and `foo/…` are `foo`'s subtree). An edge is any path
through `crate::` in code: `use crate::…` (groups included), and paths written inline
(`crate::config::BODY_LIMIT`, `$crate::errors::ApiError` in a macro). Comments and string
literals are not code: a doc link `[x](crate::X)` is no edge. `super::` in a child of `foo` is
`foo` itself. Loops are looked for twice: between the top-level modules, and between the
children of each folder (`wire::payload` and `wire::json`, say).

Run from the workspace root: `scripts/import-graph.py`.
"""
import pathlib
import re
import sys

CRATES = ["casting-core", "casting-store-memory", "casting-store-postgres", "casting-auth0",
          "casting-http", "examples/server", "examples/embedding"]
# A path through the crate root: `crate::a::b` or `$crate::a`, or a `use crate::{…}` group.
PATH = re.compile(r"(?<![\w$])\$?crate::(\{[^;]*?\}|[A-Za-z_][\w]*(?:::[A-Za-z_]\w*)*)", re.S)


def strip(text: str) -> str:
    """The code of a Rust file without comments, string and char literals (their contents
    become blanks, so offsets and lines stay)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            end = n if end < 0 else end + 1 + len(hashes)
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i:j + 1]))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]):
            m = re.match(r"'(\\.|[^\\'])'", text[i:i + 4])
            out.append(" " * len(m.group(0)))
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def module_of(src: pathlib.Path, file: pathlib.Path) -> list[str]:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "main"):
        parts.pop()
    return parts or ["lib"]


def paths(code: str) -> set[tuple[str, ...]]:
    """Every path named through `crate::`, as segments (groups expanded one level)."""
    found = set()
    for match in PATH.finditer(code):
        body = match.group(1).strip()
        if body.startswith("{"):
            items = re.split(r",(?![^{]*\})", body[1:-1])
        else:
            items = [body]
        for item in items:
            segments = tuple(s.strip() for s in item.strip().split("::") if s.strip())
            if segments:
                found.add(segments)
    return found


def find_loops(graph: dict[str, set[str]]) -> list[list[str]]:
    loops, seen, stack = [], set(), []

    def visit(node: str) -> None:
        if node in stack:
            loops.append(stack[stack.index(node):] + [node])
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
    return loops


def main() -> int:
    failed = False
    for crate in CRATES:
        src = pathlib.Path(crate) / "src"
        if not src.is_dir():
            continue
        top_graph: dict[str, set[str]] = {}
        # folder -> child -> siblings it depends on
        folder_graphs: dict[str, dict[str, set[str]]] = {}
        for file in sorted(src.rglob("*.rs")):
            # Test modules may reach anywhere; they are not part of the module graph.
            code = strip(file.read_text()).split("#[cfg(test)]")[0]
            module = module_of(src, file)
            top = module[0]
            top_graph.setdefault(top, set())
            for segments in paths(code):
                head = segments[0]
                if head[0].isupper() or head.endswith("!") or not head[0].isalpha():
                    if module != ["lib"]:
                        print(f"{crate}: {'::'.join(module)} reaches up to lib.rs for `{head}`")
                        failed = True
                    continue
                if head != top:
                    top_graph[top].add(head)
                elif len(module) >= 2 and len(segments) >= 2 and segments[1][0].islower():
                    # Within one folder: the child it names, if it is another child.
                    child, target = module[1], segments[1]
                    siblings = folder_graphs.setdefault(top, {})
                    siblings.setdefault(child, set())
                    if target != child and (src / top / f"{target}.rs").exists() or (src / top / target).is_dir():
                        if target != child:
                            siblings[child].add(target)
        for cycle in find_loops(top_graph):
            print(f"{crate}: module loop {' -> '.join(cycle)}")
            failed = True
        for folder, graph in sorted(folder_graphs.items()):
            for cycle in find_loops(graph):
                print(f"{crate}: module loop in {folder}/: {' -> '.join(cycle)}")
                failed = True
        for node in sorted(top_graph):
            if top_graph[node]:
                print(f"{crate}: {node} -> {', '.join(sorted(top_graph[node]))}")
        for folder, graph in sorted(folder_graphs.items()):
            for node in sorted(graph):
                if graph[node]:
                    print(f"{crate}: {folder}::{node} -> {', '.join(sorted(graph[node]))}")
    print("import graph: loops or reach-backs found" if failed else "import graph: no loops, nothing reaches back to lib.rs")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
