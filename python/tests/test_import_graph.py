"""The Python package has no import cycle (imports inside functions included)."""

import ast
import os

PACKAGE = os.path.join(os.path.dirname(__file__), "..", "..", "jupyterlab_char_attention")


def _imports(path):
    tree = ast.parse(open(path, encoding="utf-8").read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("jupyterlab_char_attention."):
            found.add(node.module.split(".")[1])
    return found


def test_no_module_imports_itself_through_others():
    modules = {name[:-3]: _imports(os.path.join(PACKAGE, name))
               for name in os.listdir(PACKAGE) if name.endswith(".py")}
    graph = {m: {d for d in deps if d in modules and d != m} for m, deps in modules.items() if m != "__init__"}
    assert "keras" not in graph["explain"], "explain.py imports keras.py"
    state = {}

    def visit(module, path):
        if state.get(module) == "done":
            return
        assert state.get(module) != "active", "import cycle: " + " -> ".join(path + [module])
        state[module] = "active"
        for dep in sorted(graph.get(module, ())):
            visit(dep, path + [module])
        state[module] = "done"

    for module in sorted(graph):
        visit(module, [])
