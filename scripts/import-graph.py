#!/usr/bin/env python3
"""The module import graph of each crate's `src/`: prints every module's edges, and fails if
modules depend on each other in a loop or reach back up to `lib.rs`.

A module is a file under `src/` (`foo.rs` and `foo/…` are `foo`'s subtree). An edge is any path
through `crate::` in code: `use crate::…` (groups included), and paths written inline
(`crate::config::BODY_LIMIT`, `$crate::errors::ApiError` in a macro). Comments and string
literals are not code: a doc link `[x](crate::X)` is no edge. `super::` in a child of `foo` is
`foo` itself. A name `lib.rs` re-exports (`crate::migrate`, from `pub use schema::migrate`) is
an edge to the module that defines it; any other path whose head is no module reaches back up to
`lib.rs`. Loops are looked for twice: between the top-level modules, and between the children of
each folder (`wire::payload` and `wire::json`, say).

Run from the workspace root: `scripts/import-graph.py`. Its own test:
`python3 -m unittest discover -s scripts -p 'test_*.py'`.
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


# `pub use a::b;`, `pub use a::{b, c as d};` in lib.rs: the names lib.rs re-exports.
REEXPORT = re.compile(r"\bpub\s+use\s+([a-z_]\w*)::(\{[^;]*\}|[A-Za-z_]\w*(?:\s+as\s+\w+)?)\s*;")


def reexports(code: str) -> dict[str, str]:
    """The names `lib.rs` re-exports from its own modules, each with the module it comes from
    (`pub use schema::{migrate, MIGRATOR}` gives `migrate` and `MIGRATOR` from `schema`)."""
    names = {}
    for match in REEXPORT.finditer(code):
        module, body = match.group(1), match.group(2)
        items = body[1:-1].split(",") if body.startswith("{") else [body]
        for item in items:
            words = item.split()
            if words and words[0] not in ("self", "*"):
                name = words[-1] if len(words) == 3 and words[1] == "as" else words[0]
                names[name.split("::")[-1]] = module
    return names


def graph_of(src: pathlib.Path, crate: str = "") -> tuple[dict, dict, list[str]]:
    """The import graph of one crate's `src/`: the top-level modules' edges, each folder's
    children's edges, and the problems found (reach-backs to lib.rs, paths to no module)."""
    top_graph: dict[str, set[str]] = {}
    # folder -> child -> siblings it depends on
    folder_graphs: dict[str, dict[str, set[str]]] = {}
    problems: list[str] = []
    lib = src / "lib.rs"
    names = reexports(strip(lib.read_text())) if lib.exists() else {}

    # `#[macro_export]` macros live at the crate root wherever they are written.
    macros = {m.group(1) for file in src.rglob("*.rs")
              for m in re.finditer(r"macro_rules!\s*(\w+)", strip(file.read_text()))}

    def is_module(name: str) -> bool:
        return (src / f"{name}.rs").exists() or (src / name).is_dir()

    for file in sorted(src.rglob("*.rs")):
        # Test modules may reach anywhere; they are not part of the module graph.
        code = strip(file.read_text()).split("#[cfg(test)]")[0]
        module = module_of(src, file)
        top = module[0]
        top_graph.setdefault(top, set())
        for segments in paths(code):
            head = segments[0]
            if not is_module(head):
                if module == ["lib"] or head.rstrip("!") in macros:
                    continue
                if head in names:
                    # Through a re-export: an import of the module that defines it.
                    segments = (names[head],) + segments
                    head = names[head]
                else:
                    problems.append(f"{crate}: {'::'.join(module)} reaches up to lib.rs for `{head}`")
                    continue
            if head != top:
                top_graph[top].add(head)
            elif len(module) >= 2 and len(segments) >= 2 and segments[1][0].islower():
                # Within one folder: the child it names, if it is another child.
                child, target = module[1], segments[1]
                siblings = folder_graphs.setdefault(top, {})
                siblings.setdefault(child, set())
                if target != child and ((src / top / f"{target}.rs").exists() or (src / top / target).is_dir()):
                    siblings[child].add(target)
    return top_graph, folder_graphs, problems


def main() -> int:
    failed = False
    for crate in CRATES:
        src = pathlib.Path(crate) / "src"
        if not src.is_dir():
            continue
        top_graph, folder_graphs, problems = graph_of(src, crate)
        for problem in problems:
            print(problem)
            failed = True
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
