"""Every finding the validator can make has a public source in contract/sources.py.

The test reads the validator's own code: each call that records a finding (`ctx.error`,
`ctx.warn`, `ctx.unknown`, `ctx.add`) has its message resolved to the literal text it is
built from (f-strings, `+`, `.format` on a module constant, a variable assigned in the same
function, a module-level table of messages), and one entry of SOURCES must be part of that
text. A new rule without its source fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from playground.contract import validate
from playground.contract.sources import POLICY, SOURCES, source_for

MODULES = sorted(Path(validate.__file__).parent.glob("validate*.py"))
RECORDERS = {"error": 1, "warn": 1, "unknown": 1, "add": 2}
# Findings whose text comes from a library's own error message rather than from this code:
# the JSON Schema meta-validation problems (jsonschema's wording, under the API's
# `input_schema` path).
LIBRARY_MESSAGES = {("validate_tools.py", "check_schema")}


class Module:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text())
        self.constants: dict[str, list[str]] = {}
        for node in self.tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                    node.targets[0], ast.Name):
                self.constants[node.targets[0].id] = self.literal_parts(node.value, None)

    def literal_parts(self, node, function) -> list[str]:
        """Alternatives of the literal text an expression builds (one string each)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.JoinedStr):
            return ["".join(v.value if isinstance(v, ast.Constant) else self.named(v.value)
                            for v in node.values)]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return [a + b for a in self.literal_parts(node.left, function)
                    for b in self.literal_parts(node.right, function)]
        if isinstance(node, ast.IfExp):
            return self.literal_parts(node.body, function) + self.literal_parts(node.orelse, function)
        if isinstance(node, ast.Dict):
            return [p for v in node.values for p in self.literal_parts(v, function)]
        if isinstance(node, ast.Subscript):
            return self.literal_parts(node.value, function)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "format", "items", "values"):
            return self.literal_parts(node.func.value, function)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            helper = self.function(node.func.id)
            if helper is not None:  # a helper that builds the message: its literal texts
                return [" ".join(c.value for c in ast.walk(helper)
                                 if isinstance(c, ast.Constant) and isinstance(c.value, str))]
        if isinstance(node, ast.Name):
            if function is not None:
                local = self.local_parts(node.id, function)
                if local:
                    return local
            return self.constants.get(node.id, [])
        return []

    def named(self, node) -> str:
        """A module constant quoted inside an f-string; other values are left out."""
        if isinstance(node, ast.Name) and self.constants.get(node.id):
            return self.constants[node.id][0]
        return ""

    def local_parts(self, name: str, function) -> list[str]:
        parts: list[str] = []
        for node in ast.walk(function):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id == name:
                        parts += self.literal_parts(node.value, None)
            if isinstance(node, ast.For) and isinstance(node.target, ast.Tuple) and any(
                    isinstance(t, ast.Name) and t.id == name for t in node.target.elts):
                parts += self.literal_parts(node.iter, None)
        return parts

    def function(self, name: str):
        return next((n for n in ast.walk(self.tree)
                     if isinstance(n, ast.FunctionDef) and n.name == name), None)

    def sites(self):
        """(function name, line, message alternatives, severity) per recording call."""
        for function in [n for n in ast.walk(self.tree) if isinstance(n, ast.FunctionDef)]:
            for node in ast.walk(function):
                if not isinstance(node, ast.Call):
                    continue
                if (isinstance(node.func, ast.Name) and node.func.id == "Finding" and len(node.args) > 3
                        and not isinstance(node.args[2], ast.Name)):  # not a helper's parameter
                    # a finding built directly (the work-bound warning)
                    severity = node.args[3].value if isinstance(node.args[3], ast.Constant) else "?"
                    yield (function.name, node.lineno, self.literal_parts(node.args[2], function),
                           "warn" if severity == "warning" else "error")
                    continue
                if not (isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
                        and node.func.value.id in ("ctx", "self") and node.func.attr in RECORDERS
                        and len(node.args) > RECORDERS[node.func.attr]):
                    continue
                if (node.func.value.id == "self" and function.name in ("error", "warn", "unknown")
                        and not isinstance(node.args[1], ast.JoinedStr)):
                    continue  # Ctx's own plumbing passes the caller's message on
                message = node.args[RECORDERS[node.func.attr]]
                yield function.name, node.lineno, self.literal_parts(message, function), node.func.attr


SITES = [(path.name, *site) for path in MODULES for site in Module(path).sites()]


def test_it_finds_every_recording_call():
    assert len(SITES) >= 100


@pytest.mark.parametrize("module,function,line,messages,recorder", SITES,
                         ids=[f"{s[0]}:{s[2]}" for s in SITES])
def test_each_finding_has_a_public_source(module, function, line, messages, recorder):
    if (module, function) in LIBRARY_MESSAGES and not any(m.strip() for m in messages):
        return
    assert messages and all(m.strip() for m in messages), (
        f"{module}:{line}: the message of this finding could not be read as literal text")
    for message in messages:
        source = source_for(message)
        assert source is not None, (
            f"{module}:{line}: no entry in contract/sources.py for {message!r}: find the public "
            "report or document that shows the API giving this verdict and add it")
        if source.kind == "validator":
            assert recorder in ("warn", "unknown") or "too deep" in message, (
                f"{module}:{line}: a finding about this validator itself can only be a warning")


@pytest.mark.parametrize("source", SOURCES, ids=[s.text[:40] for s in SOURCES])
def test_each_source_names_a_public_url_and_is_used(source):
    assert source.kind in ("report", "docs", "sdk", "validator")
    if source.kind == "validator":
        assert source.url == POLICY
    else:
        assert source.url.startswith("https://"), source
    if source.kind == "report":
        assert "github.com/" in source.url and ("/issues/" in source.url or "/pull/" in source.url
                                               or "/blob/" in source.url), source
    assert any(source_for(m) is source or source.text in m
               for site in SITES for m in site[3]), f"no finding uses {source.text!r}"


def test_a_finding_gets_its_most_specific_source():
    assert source_for("Input should be a valid integer").text == "Input should be a valid"
    assert source_for("Input should be 'summarized' or 'omitted'").kind == "sdk"
    assert source_for("something the validator never says") is None
