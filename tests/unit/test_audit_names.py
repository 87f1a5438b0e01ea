"""Every action and object code written to the audit log anywhere in app/ has a Chinese name (issue 8 §8).

The source is read with `ast`: each call of `audit.record(...)` (and of the helpers that build its code: the
pipeline's `_audit`, the engine's `_log`) gives its `action=` and `entity=` expressions. A literal is checked as it
is; an f-string or a variable is resolved to the values it can take — the literals its function compares it with,
the keys of the module's dict it is looked up in, or the arguments its callers pass — and the few that come from a
registry (the permits' transitions, the admin tables) are taken from that registry. An expression the scan cannot
resolve fails the test: add its names, and teach the scan where its values come from."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.core import audit_names

pytestmark = pytest.mark.unit

APP = Path(__file__).resolve().parents[2] / "app"


def _modules() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text(), str(p)) for p in APP.rglob("*.py")}


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _function_of(node, parents):
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return node
    return None


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _is_record(call: ast.Call) -> bool:
    f = call.func
    return isinstance(f, ast.Attribute) and f.attr == "record" and isinstance(f.value, ast.Name) and f.value.id == "audit"


def _registry_values(expr: str) -> set[str] | None:
    """Values that come from a registry rather than from the code around them."""
    if expr == "kind.entity":
        from app.permits.kinds import KINDS

        return {k.entity for k in KINDS.values()} if isinstance(KINDS, dict) else {k.entity for k in KINDS}
    if expr == "tname":  # admin_guard: any table handed to the admin panel
        from app.admin_mount import shown_tables

        return {t._meta.tablename for t in shown_tables()}
    return None


class Resolver:
    def __init__(self, modules):
        self.modules = modules
        self.parents = {p: _parents(t) for p, t in modules.items()}

    def values(self, node, path, func, depth=0) -> set[str]:
        if depth > 4:
            raise LookupError(ast.unparse(node))
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        reg = _registry_values(ast.unparse(node))
        if reg is not None:
            return reg
        if isinstance(node, ast.JoinedStr):
            out = {""}
            for part in node.values:
                vals = {part.value} if isinstance(part, ast.Constant) else self.values(part.value, path, func, depth + 1)
                out = {a + b for a in out for b in vals}
            return out
        if isinstance(node, ast.Name) and func is not None:
            return self.name_values(node.id, path, func, depth)
        raise LookupError(f"{path.relative_to(APP.parent)}: {ast.unparse(node)}")

    def name_values(self, name, path, func, depth) -> set[str]:
        params = [a.arg for a in func.args.args + func.args.kwonlyargs]
        found: set[str] = set()
        for node in ast.walk(func):  # the literals the function compares it with, or the dict it is looked up in
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) and node.left.id == name:
                for op, right in zip(node.ops, node.comparators):
                    if isinstance(op, ast.Eq) and isinstance(right, ast.Constant):
                        found.add(right.value)
                    elif isinstance(op, (ast.In, ast.NotIn)):
                        found |= self.collection(right, path)
        if found:
            return found
        if name in params:  # what the callers pass: in its module, and in the modules that import it by name
            pos = params.index(name)
            callers = {path} | self.importers(path, func.name)
            for p, tree in self.modules.items():
                for call in ast.walk(tree):
                    if isinstance(call, ast.Call) and _callee(call) == func.name and p in callers:
                        arg = next((k.value for k in call.keywords if k.arg == name), None)
                        if arg is None and pos < len(call.args):
                            arg = call.args[pos]
                        if arg is not None:
                            found |= self.values(arg, p, _function_of(call, self.parents[p]), depth + 1)
            if found:
                return found
        raise LookupError(f"{path.relative_to(APP.parent)}: {name} in {func.name}()")

    def importers(self, path, name: str) -> set:
        """The modules that `from <path's module> import <name>` (a helper like app/hr_exit's log_handover)."""
        dotted = ".".join(path.relative_to(APP.parent).with_suffix("").parts)
        return {p for p, tree in self.modules.items() for n in ast.walk(tree)
                if isinstance(n, ast.ImportFrom) and n.module == dotted and any(a.name == name for a in n.names)}

    def collection(self, node, path) -> set[str]:
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return {e.value for e in node.elts if isinstance(e, ast.Constant)}
        if isinstance(node, ast.Name):  # a module-level dict or tuple literal
            for stmt in self.modules[path].body:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
                if any(isinstance(t, ast.Name) and t.id == node.id for t in targets) and stmt.value is not None:
                    if isinstance(stmt.value, ast.Dict):
                        return {k.value for k in stmt.value.keys if isinstance(k, ast.Constant)}
                    return self.collection(stmt.value, path)
        return set()


def _written_codes() -> tuple[set[str], set[str], list[str]]:
    modules = _modules()
    r = Resolver(modules)
    actions, entities, unresolved = set(), set(), []
    for path, tree in modules.items():
        if path.name == "audit.py" and path.parent.name == "core":
            continue
        parents = r.parents[path]
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or not _is_record(call):
                continue
            func = _function_of(call, parents)
            for kw in call.keywords:
                if kw.arg not in ("action", "entity"):
                    continue
                try:
                    vals = r.values(kw.value, path, func)
                except LookupError as e:
                    unresolved.append(str(e))
                    continue
                (actions if kw.arg == "action" else entities).update(vals)
    return actions, entities, unresolved


def _permit_transition_codes() -> set[str]:
    from app.permits.rules import TRANSITIONS

    return {t.code for ts in TRANSITIONS.values() for t in ts}


def test_every_written_action_and_entity_has_a_chinese_name():
    actions, entities, unresolved = _written_codes()
    # permits.<code> comes from the request: its values are the declared transitions
    unresolved = [u for u in unresolved if "code in act()" not in u]
    actions |= {f"permits.{c}" for c in _permit_transition_codes()}
    # care.<action> comes from the move's action: its values are the declared actions (app/care/states.ACTION_NAMES)
    from app.care.states import ACTION_NAMES

    unresolved = [u for u in unresolved if "app/care/core.py: action in move()" not in u]
    actions |= {f"care.{a}" for a in ACTION_NAMES}
    assert not unresolved, f"audit codes the scan cannot resolve: {unresolved}"
    assert len(actions) > 60 and "pipeline.mortgage.bank_submit" in actions and "workflow.同意" in actions
    assert "admin.update" in actions and "auth.login" in actions and "export" in actions
    missing_actions = sorted(a for a in actions if a not in audit_names.ACTIONS)
    missing_entities = sorted(e for e in entities if audit_names.entity_name(e) == e)
    assert not missing_actions, f"actions without a Chinese name (app/core/audit_names.py ACTIONS): {missing_actions}"
    assert not missing_entities, f"objects without a Chinese name (app/core/audit_names.py ENTITIES): {missing_entities}"


def test_unknown_codes_show_as_themselves():
    assert audit_names.action_name("something.new") == "something.new"
    assert audit_names.entity_name("no_such_table") == "no_such_table"
    assert audit_names.action_name("workflow.会签") == "审批会签"  # a new engine action still reads in Chinese


def test_diff_is_field_by_field_with_labels_and_masked_ids():
    rows = audit_names.diff("employee", {"mobile": "13812345678", "name": "张三"}, {"mobile": "13900001234", "name": "张三"})
    assert rows[0] == {"key": "mobile", "label": "手机号", "before": "138****5678", "after": "139****1234", "changed": True}
    assert rows[1]["label"] == "姓名" and rows[1]["changed"] is False
    rows = audit_names.diff("pl_buyer", None, {"id_number": "110101199003078515", "status": "已签约"})
    assert rows[0]["after"] == "110101********8515" and rows[1]["label"] == "状态"
    assert audit_names.diff_summary("wf_request", {"status": "待审批"}, {"status": "已通过", "step": "总经理审批"}) == \
        "状态：待审批 → 已通过；审批节点：总经理审批"
    assert audit_names.diff("x", None, None) == []
    assert audit_names.diff("x", "[1, 2]", None)[0]["before"] == "1、2"
