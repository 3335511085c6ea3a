"""Forward and reverse mode against plain floats: the seed function and extended Rosenbrock."""
from __future__ import annotations

import math

import numpy as np

import hybriddiff as hd
from hybriddiff.studies.families import rosenbrock

from .timing import side_by_side, table


def seed_plain(x):
    return math.exp(x * x - x) / x


def seed_hd(x):
    return hd.exp(x * x - x) / x


def seed_reverse() -> float:
    x = hd.Variable(2.0)
    seed_hd(x).backward()
    return x.grad


def seed_calls() -> dict:
    """The seed derivative as hybriddiff computes it: plain f, the raw boxes, the public operators
    (issue 15: within 1.3x of the raw boxes), in the order W1 and ``core`` show them."""
    grad_forward, grad_reverse = hd.grad(seed_hd, mode="forward"), hd.grad(seed_hd)
    return {
        "plain float f (math.exp)": lambda: seed_plain(2.0),
        "forward: f(Dual(2.0, 1.0)).tangent": lambda: seed_hd(hd.Dual(2.0, 1.0)).tangent,
        "reverse: Variable, f, backward()": seed_reverse,
        "hd.grad(f, mode='forward')(2.0)": lambda: grad_forward(2.0),
        "hd.derivative(f, 2.0, method='forward')": lambda: hd.derivative(seed_hd, 2.0, method="forward"),
        "hd.grad(f)(2.0)": lambda: grad_reverse(2.0),
        "hd.derivative(f, 2.0, method='reverse')": lambda: hd.derivative(seed_hd, 2.0, method="reverse")}


def seed_workload() -> str:
    t = side_by_side(seed_calls())
    plain, forward, rev, op_forward, d_forward, op_reverse, d_reverse = t.values()
    return (table([(plain, plain, None), (forward, plain, 15), (rev, plain, 50), (op_forward, plain, 15),
                   (d_forward, plain, 15), (op_reverse, plain, 45), (d_reverse, plain, 45)]) + "\n\n"
            + table([(op_forward, forward, 1.3), (d_forward, forward, 1.3), (op_reverse, rev, 1.3),
                     (d_reverse, rev, 1.3)]))


def rosenbrock_workload(n: int = 1000) -> str:
    xs = [0.5 + 0.001 * i for i in range(n)]

    def gradient():
        x = [hd.Variable(v) for v in xs]
        rosenbrock(x).backward()
        return x[0].grad
    point, grad_f = np.array(xs), hd.grad(rosenbrock)
    t = side_by_side({f"plain float loop f, n={n}": lambda: rosenbrock(xs),
                      f"f on Variables (same number type), n={n}": lambda: rosenbrock([hd.Variable(v) for v in xs]),
                      f"reverse gradient (f + backward), n={n}": gradient,
                      f"hd.grad(f)(x), x a float array, n={n}": lambda: grad_f(point)}, repeats=7)
    plain, f_var, grad, op = t.values()
    return (table([(plain, plain, None), (f_var, plain, None), (grad, plain, 50), (op, plain, 45)]) + "\n\n"
            + table([(grad, f_var, 3), (op, f_var, 2.5)]))
