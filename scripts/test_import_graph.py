"""Tests of scripts/import-graph.py: `python3 -m unittest discover -s scripts -p 'test_*.py'`."""
import importlib.util
import pathlib
import tempfile
import unittest

SPEC = importlib.util.spec_from_file_location(
    "import_graph", pathlib.Path(__file__).with_name("import-graph.py"))
graph = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(graph)


def crate(files: dict[str, str]) -> tuple[dict, dict, list[str]]:
    """The graph of a crate made of `files` (paths under src/ → contents)."""
    with tempfile.TemporaryDirectory() as root:
        src = pathlib.Path(root) / "src"
        for path, text in files.items():
            (src / path).parent.mkdir(parents=True, exist_ok=True)
            (src / path).write_text(text)
        return graph.graph_of(src, "t")


class ImportGraph(unittest.TestCase):
    def test_a_reexported_function_is_an_edge_to_the_module_defining_it(self):
        top, _, problems = crate({
            "lib.rs": "mod pool;\nmod schema;\npub use schema::{MIGRATOR, migrate};\n",
            "schema.rs": "pub async fn migrate() {}\n",
            "pool.rs": "async fn connect() { crate::migrate().await }\n",
        })
        self.assertEqual(problems, [])
        self.assertEqual(top["pool"], {"schema"})
        self.assertNotIn("migrate", top["pool"])

    def test_a_loop_through_a_reexport_is_found(self):
        top, _, _ = crate({
            "lib.rs": "mod a;\nmod b;\npub use b::Thing;\n",
            "a.rs": "use crate::Thing;\npub struct Other;\n",
            "b.rs": "use crate::a::Other;\npub struct Thing;\n",
        })
        self.assertEqual(graph.find_loops(top), [["a", "b", "a"]])

    def test_an_item_defined_in_lib_rs_is_a_reach_back(self):
        _, _, problems = crate({
            "lib.rs": "mod a;\npub fn helper() {}\n",
            "a.rs": "fn f() { crate::helper() }\n",
        })
        self.assertEqual(problems, ["t: a reaches up to lib.rs for `helper`"])

    def test_comments_and_strings_are_no_edges_and_macros_live_at_the_root(self):
        top, _, problems = crate({
            "lib.rs": "mod a;\nmod b;\n",
            "a.rs": "/// [x](crate::b::X)\nconst S: &str = \"crate::b\";\ncrate::m!();\n",
            "b.rs": "#[macro_export]\nmacro_rules! m { () => {} }\n",
        })
        self.assertEqual((top["a"], problems), (set(), []))


if __name__ == "__main__":
    unittest.main()
