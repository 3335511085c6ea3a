"""Code generation: a graph as readable Python source, one assignment per node, and compiled.

Two bodies come from the same loop over the nodes: one with the math module for Python floats
(fast: no NumPy call overhead) and one with NumPy for arrays, complex numbers and anything else.
``compile`` puts both in one function that tries the math body for floats and falls back to NumPy
where the math module raises (outside a domain: NumPy gives nan/inf and a warning instead).
Recorded guards become checks that raise ``TraceGuardError``.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from ..core.record import PRIMITIVES
from ..errors import TraceGuardError
from .arguments import batch_shape, flatten_args, output_groups
from .inplace import inplace_lines, same_float_arrays
from .ir import CONST, INPUT, OP, GraphIR
from .listing import note_text


BACKENDS = ("numpy", "math")


def _literal(value: Any) -> str:
    if type(value) is Fraction:
        value = value.numerator / value.denominator
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            return f"float('{value}')"
        return f"({value!r})" if value < 0 else repr(value)
    if isinstance(value, complex):
        return f"complex({value.real!r}, {value.imag!r})"
    raise TypeError(f"cannot generate code for the constant {value!r} ({type(value).__name__})")


def _is_literal(text: str) -> bool:
    try:
        float(text.strip("()").replace("float(", "").strip("'"))
        return True
    except ValueError:
        return False


def _expression(prim: Any, args: list[str], backend: str, int_last: bool = False) -> str:
    """One operation as code; ``int_last``: its last argument is an exact int constant."""
    if backend == "numpy" and args and all(_is_literal(a) for a in args):
        args = [f"np.float64({args[0]})", *args[1:]]  # constants only: NumPy's 1/0 = inf, not an error
    if backend == "math":
        if prim.scalar_source is not None:
            return prim.scalar_source.format(*args)
        return f"hd_{prim.name}({', '.join(args)})"
    if int_last and prim.source_int is not None:
        return prim.source_int.format(*args)
    return prim.source.format(*args)


def _int_last(graph: GraphIR, args: tuple[int, ...]) -> bool:
    last = graph.nodes[args[-1]]
    return last.kind == CONST and type(last.const) is int


def _names(graph: GraphIR) -> dict[int, str]:
    """Python names: inputs by their argument (``x``, ``x[0]``), operations v1, v2, ..."""
    names: dict[int, str] = {}
    count = 0
    for i, node in enumerate(graph.nodes):
        if node.kind == INPUT:
            names[i] = node.name
        elif node.kind == CONST:
            names[i] = _literal(node.const)
        else:
            count += 1
            names[i] = f"v{count}"
    return names


def body_lines(graph: GraphIR, backend: str) -> list[str]:
    """One assignment per operation (with a comment where it is an adjoint), then guard checks."""
    return [line for _, line in numbered_lines(graph, backend)]


def numbered_lines(graph: GraphIR, backend: str) -> list[tuple[int, str]]:
    """``body_lines`` with the node each line belongs to."""
    names = _names(graph)
    wengert = graph.wengert_names() if graph.notes else {}
    checks: dict[int, list[int]] = {}
    for k, guard in enumerate(graph.guards):
        checks.setdefault(max(guard.lhs, guard.rhs), []).append(k)
    lines = []
    for i, node in enumerate(graph.nodes):
        if node.kind == OP:
            code = _expression(node.prim, [names[a] for a in node.args], backend, _int_last(graph, node.args))
            line = f"{names[i]} = {code}"
            note = note_text(graph, i, wengert) if i in graph.notes else ""
            lines.append((i, f"{line}  # {note}" if note else line))
        for k in checks.get(i, ()):
            guard = graph.guards[k]
            test = f"{names[guard.lhs]} {guard.op} {names[guard.rhs]}"
            lines.append((i, f"hd_guard({k}, {test}, {guard.outcome}, {names[guard.lhs]}, {names[guard.rhs]})"))
    return lines


def _return_line(graph: GraphIR, names: dict[int, str], stack: str = "hd_stack") -> str:
    outs = [_literal(float(graph.nodes[o].const)) if graph.nodes[o].kind == CONST
            and type(graph.nodes[o].const) in (int, Fraction) else names[o] for o in graph.outputs]
    groups = [value if size is None else f"{stack}([{', '.join(value)}])"
              for size, value in output_groups(graph, outs)]
    if graph.out_container in ("scalar", "array"):
        return f"return {groups[0]}"
    return f"return [{', '.join(groups)}]" if graph.out_container == "list" else f"return ({', '.join(groups)},)"


def source(graph: GraphIR, backend: str = "numpy", name: str | None = None, stack: str = "np.array") -> str:
    """The graph as a Python function (``backend`` "numpy": arrays and floats; "math": floats).

    >>> import hybriddiff as hd
    >>> print(hd.trace(lambda x: hd.sin(x) * x, 1.0).grad().source())
    def grad_f(x):
        v1 = np.sin(x)
        v2 = np.cos(x)
        v3 = v2 * x
        v4 = v1 + v3  # adjoint of v0 (x)
        return v4
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    name = name or graph.name
    lines = [f"def {name}({', '.join(graph.arg_names)}):"]
    lines += [f"    {line}" for line in body_lines(graph, backend)]
    lines.append(f"    {_return_line(graph, _names(graph), stack)}")
    return "\n".join(lines) + "\n"


def _guard(graph: GraphIR) -> Callable[..., None]:
    def hd_guard(k: int, holds: Any, outcome: bool, lhs: Any, rhs: Any) -> None:
        ok = bool(np.all(np.asarray(holds) == outcome)) if isinstance(holds, np.ndarray) else holds == outcome
        if not ok:
            guard = graph.guards[k]
            raise TraceGuardError(
                f"the compiled {graph.name} was traced where a branch (guard {k}: {guard.op}) went "
                f"{outcome}; here {lhs!r} {guard.op} {rhs!r} does not: trace again at this point")
    return hd_guard


def _stack(items: list[Any]) -> Any:
    return np.array(items) if not any(isinstance(i, np.ndarray) for i in items) else np.stack(
        np.broadcast_arrays(*items))


def _numpy_call(fn: Callable[..., Any], args: tuple, graph: GraphIR) -> Any:
    """Python numbers become NumPy scalars (so 1/0 gives inf, not an exception), and back; a
    constant output takes the batch's shape, as graph evaluation gives it."""
    args = tuple(np.float64(a) if type(a) in (int, float) else a for a in args)
    out = _python(fn(*args))
    shape = batch_shape(flatten_args(graph, args))
    if not shape:
        return out
    if isinstance(out, (tuple, list)):
        return type(out)(_batch(o, shape) for o in out)
    return _batch(out, shape)


def _batch(value: Any, shape: tuple) -> Any:
    return np.full(shape, float(value)) if isinstance(value, (int, float)) else value


def _python(out: Any) -> Any:
    if isinstance(out, np.generic):
        return out.item()
    if isinstance(out, (tuple, list)):
        return type(out)(_python(o) for o in out)
    return out


CHUNK = 20_000  # operations per generated function in big graphs (CPython compiles huge functions slowly)


def _chunk_functions(graph: GraphIR, backend: str, prefix: str) -> tuple[list[str], list[int]]:
    """Big graphs: one function per CHUNK operations, passing values between them in a list ``e``.

    Returns the sources and, per input, its slot; every node's slot is its index.
    """
    names = _names(graph)
    chunk_of = {}
    ops = [i for i, node in enumerate(graph.nodes) if node.kind == OP]
    for k, i in enumerate(ops):
        chunk_of[i] = k // CHUNK
    used_later: set[int] = set(graph.outputs) | {g.lhs for g in graph.guards} | {g.rhs for g in graph.guards}
    for i in ops:
        for a in graph.nodes[i].args:
            if graph.nodes[a].kind != CONST and chunk_of.get(a, -1) != chunk_of[i]:
                used_later.add(a)
    per_chunk: dict[int, list[str]] = {}
    for i, line in numbered_lines(graph, backend):
        per_chunk.setdefault(chunk_of.get(i, 0), []).append(line)
    members_of: dict[int, list[int]] = {}
    for i in ops:
        members_of.setdefault(chunk_of[i], []).append(i)
    sources = []
    for c in sorted(per_chunk):
        members = members_of.get(c, [])
        needed = sorted({a for i in members for a in graph.nodes[i].args
                         if graph.nodes[a].kind != CONST and chunk_of.get(a, -1) != c})
        head = [f"{_local(names[a])} = e[{a}]" for a in needed]
        tail = [f"e[{i}] = {names[i]}" for i in members if i in used_later]
        body = [_rename_inputs(line, graph) for line in head + per_chunk[c] + tail]
        sources.append(f"def {prefix}{c}(e):\n" + "".join(f"    {line}\n" for line in body))
    return sources, list(graph.inputs)


def _local(name: str) -> str:
    return name.replace("[", "_").replace("]", "")


def _rename_inputs(line: str, graph: GraphIR) -> str:
    if "[" not in line:
        return line
    for i in graph.inputs:
        name = graph.nodes[i].name
        if "[" in name:
            line = line.replace(name, _local(name))
    return line


def _chunked_bodies(graph: GraphIR, namespace: dict[str, Any], name: str) -> str:
    """Define ``{name}_math`` and ``{name}_numpy`` in ``namespace``; each compiles its chunks on
    first use (a float call needs only the math body, an array call only the NumPy one)."""
    params = ", ".join(graph.arg_names)
    for body in ("math", "numpy"):
        namespace[f"{name}_{body}"] = _lazy_body(graph, namespace, name, body)
    return (f"# {graph.n_ops} operations: compiled on first use in chunks of {CHUNK}, "
            f"as {name}_math({params}) and {name}_numpy({params})\n")


def _lazy_body(graph: GraphIR, namespace: dict[str, Any], name: str, body: str) -> Callable[..., Any]:
    def first_call(*args: Any) -> Any:
        sources, inputs = _chunk_functions(graph, body, f"_{name}_{body}_")
        for src in sources:  # compiled one at a time: peak memory stays small
            exec(compile(src, f"<hybriddiff generated: {name}>", "exec"), namespace)  # our own graph
        calls = "".join(f"    _{name}_{body}_{c}(e)\n" for c in range(len(sources)))
        outs = {o: f"e[{o}]" if graph.nodes[o].kind != CONST else _literal(graph.nodes[o].const)
                for o in graph.outputs}
        loads = "".join(f"    e[{i}] = {graph.nodes[i].name}\n" for i in inputs)
        lists = "".join(f"    {line}\n" for line in _as_lists(graph)) if body == "math" else ""
        main = (f"def {name}_{body}({', '.join(graph.arg_names)}):\n{lists}    e = [None] * {len(graph.nodes)}\n"
                f"{loads}{calls}    {_return_line(graph, outs)}\n")
        exec(compile(main, f"<hybriddiff generated: {name}>", "exec"), namespace)
        return namespace[f"{name}_{body}"](*args)
    return first_call


def _as_lists(graph: GraphIR) -> list[str]:
    """Array arguments become lists of Python floats: the math body then runs at float speed."""
    return [f"{p} = {p}.tolist()" for p, size in zip(graph.arg_names, graph.arg_sizes) if size is not None]


def _math_function(graph: GraphIR, name: str) -> str:
    """``{name}_math``: the math body as its own function (graphs with array arguments)."""
    lines = [f"def {name}_math({', '.join(graph.arg_names)}):"]
    lines += [f"    {line}" for line in _as_lists(graph) + body_lines(graph, "math")]
    lines.append(f"    {_return_line(graph, _names(graph))}")
    return "\n".join(lines) + "\n"


def _math_test(graph: GraphIR) -> str:
    """When the math body applies: float scalars, and 1-D float64 arrays of the traced length."""
    tests = [f"type({p}) is float" if size is None else
             f"type({p}) is np.ndarray and {p}.dtype == hd_f64 and {p}.shape == ({size},)"
             for p, size in zip(graph.arg_names, graph.arg_sizes)]
    return " and ".join(tests) or "True"


def _inplace_source(graph: GraphIR, name: str) -> str:
    """The buffer-reusing NumPy body (see ``inplace.py``), falling back to ``{name}_numpy``."""
    names = _names(graph)
    lines, where = inplace_lines(graph, names, lambda prim, args: _expression(prim, args, "numpy"))
    inputs = ", ".join(names[i] for i in graph.inputs)
    params = ", ".join(graph.arg_names)
    body = [f"def {name}_inplace({params}):",
            f"    if not hd_same({inputs}):",
            f"        return {name}_numpy({params})"]
    body += [f"    {line}" for line in lines]
    body.append(f"    {_return_line(graph, where)}")
    return "\n".join(body) + "\n"


def compile_graph(graph: GraphIR, backend: str = "numpy") -> Callable[..., Any]:
    """The graph as a Python function: floats take the math path, everything else NumPy.

    Big graphs are compiled in chunks of ``CHUNK`` operations (values pass through a list).

    >>> import hybriddiff as hd
    >>> df = hd.trace(lambda x: hd.exp(x * x - x) / x, 2.0).grad().compile()
    >>> round(df(2.0), 12)
    9.236320123663
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    name = graph.name if graph.name.isidentifier() else "f"
    params = ", ".join(graph.arg_names)
    call_args = f"({params}{',' if params else ''})"
    namespace: dict[str, Any] = {"np": np, "math": math, "hd_guard": _guard(graph), "hd_stack": _stack,
                                 "hd_numpy": _numpy_call, "hd_same": same_float_arrays, "hd_graph": graph}
    namespace.update({f"hd_{p.name}": p.scalar for p in PRIMITIVES.values() if p.scalar is not None})
    namespace["hd_f64"] = np.float64
    scalars_only = all(size is None for size in graph.arg_sizes)
    if graph.n_ops > CHUNK:
        bodies = _chunked_bodies(graph, namespace, name)
        math_call = f"return {name}_math({params})"
    else:
        bodies = source(graph, "numpy", f"{name}_numpy", "hd_stack") + "\n" + _inplace_source(graph, name)
        math_call = None
        if not scalars_only:  # the math body in its own function, where arrays become lists
            bodies += "\n" + _math_function(graph, name)
            math_call = f"return {name}_math({params})"
    inline = [] if math_call else body_lines(graph, "math") + [_return_line(graph, _names(graph))]
    lines = [f"def {name}({params}):"]
    if backend == "math":
        lines += [f"    {line}" for line in ([math_call] if math_call else inline)]
    else:
        lines += [f"    if {_math_test(graph)}:", "        try:"]
        lines += [f"            {line}" for line in ([math_call] if math_call else inline)]
        lines += ["        except (ArithmeticError, ValueError):",
                  "            pass  # outside the math module's domain: NumPy's nan/inf below"]
        body = f"{name}_numpy" if graph.n_ops > CHUNK else f"{name}_inplace"
        lines.append(f"    return hd_numpy({body}, {call_args}, hd_graph)")
    dispatcher = "\n".join(lines) + "\n"
    text = dispatcher if graph.n_ops > CHUNK else bodies + "\n" + dispatcher
    exec(compile(text, f"<hybriddiff generated: {name}>", "exec"), namespace)  # our own graph's source
    fn = namespace[name]
    fn.__doc__ = f"Generated by hybriddiff from the graph {graph.name} ({graph.n_ops} operations)."
    fn.source = bodies + "\n" + dispatcher
    return fn
