"""Forward and reverse mode against plain floats: the seed function and extended Rosenbrock."""
from __future__ import annotations

import math

import hybriddiff as hd
from hybriddiff.studies.families import rosenbrock

from .timing import measure, table


def seed_plain(x):
    return math.exp(x * x - x) / x


def seed_hd(x):
    return hd.exp(x * x - x) / x


def seed_workload() -> str:
    plain = measure("plain float f (math.exp)", lambda: seed_plain(2.0))
    forward = measure("forward: f(Dual(2.0, 1.0)).tangent", lambda: seed_hd(hd.Dual(2.0, 1.0)).tangent)

    def reverse():
        x = hd.Variable(2.0)
        seed_hd(x).backward()
        return x.grad
    rev = measure("reverse: Variable, f, backward()", reverse)
    return table([(plain, plain, None), (forward, plain, 15), (rev, plain, 50)])


def rosenbrock_workload(n: int = 1000) -> str:
    xs = [0.5 + 0.001 * i for i in range(n)]
    plain = measure(f"plain float loop f, n={n}", lambda: rosenbrock(xs), repeats=5)

    def f_on_variables():
        return rosenbrock([hd.Variable(v) for v in xs])

    def gradient():
        x = [hd.Variable(v) for v in xs]
        rosenbrock(x).backward()
        return x[0].grad
    f_var = measure(f"f on Variables (same number type), n={n}", f_on_variables, repeats=5)
    grad = measure(f"reverse gradient (f + backward), n={n}", gradient, repeats=5)
    return (table([(plain, plain, None), (f_var, plain, None), (grad, plain, 50)]) + "\n\n"
            + table([(grad, f_var, 3)]))
