"""Ready-made functions for studies and reports: the seed's examples, Baydin's function, the
logistic map and extended Rosenbrock, written in the seed's plain-Python style so every method can
run them."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..core import primitives as P


def seed_f(x: Any) -> Any:
    """The seed's example 1: exp(x**2 - x) / x (3.694528049465325 and 9.236320123663312 at 2.0)."""
    return P.exp(x * x - x) / x


def seed_g(x1: Any, x2: Any) -> Any:
    """The seed's examples 2 and 3: x1 * exp(x2) - x1 (two arguments, as the seed writes it)."""
    return x1 * P.exp(x2) - x1


def seed_g_vector(x: Any) -> Any:
    """``seed_g`` of one 1-D argument (for the comparison, which takes one point)."""
    return seed_g(x[0], x[1])


def baydin(x: Any) -> Any:
    """Baydin et al. 2018: ln(x1) + x1 x2 - sin(x2) (11.652... at (2, 5), gradient (5.5, 1.716...)),
    of one 1-D argument."""
    return baydin_of(x[0], x[1])


def baydin_of(x1: Any, x2: Any) -> Any:
    """``baydin`` of two arguments, as the survey writes it (the report keeps the names x1, x2)."""
    return P.log(x1) + x1 * x2 - P.sin(x2)


def logistic_map(n: int) -> Callable[[Any], Any]:
    """l_1 = x, l_{k+1} = 4 l_k (1 - l_k): the function x -> l_n (Baydin et al. 2018, Table 1).

    >>> logistic_map(4)(0.3) == 4 * (4 * (4 * 0.3 * 0.7) * (1 - 4 * 0.3 * 0.7)) * (1 - 4 * (4 * 0.3 * 0.7) * (1 - 4 * 0.3 * 0.7))
    True
    """
    def l_n(x: Any) -> Any:
        value = x
        for _ in range(n - 1):
            value = 4 * value * (1 - value)
        return value
    l_n.__name__ = f"logistic_l{n}"
    return l_n


def newton_sqrt(n: int) -> Callable[[Any], Any]:
    """n Newton steps for sqrt(a) from y_0 = a: y_{k+1} = (y_k + a / y_k) / 2, as a function of a.

    >>> round(newton_sqrt(6)(2.0), 12)
    1.414213562373
    """
    def newton(a: Any) -> Any:
        y = a
        for _ in range(n):
            y = (y + a / y) / 2
        return y
    newton.__name__ = f"newton{n}"
    return newton


def sine_chain(steps: int) -> Callable[[Any], Any]:
    """x -> (sin(x) * 0.999 + 0.001) applied ``steps`` times: three graph nodes a step, for
    deep-graph tests and benchmarks.

    >>> round(sine_chain(2)(0.5), 6)
    0.46227
    """
    def chain(x: Any) -> Any:
        for _ in range(steps):
            x = P.sin(x) * 0.999 + 0.001
        return x
    chain.__name__ = f"sine_chain_{steps}"
    return chain


def rosenbrock(x: Any) -> Any:
    """Extended Rosenbrock, sum of 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, as a Python loop."""
    total = 0.0
    for i in range(len(x) - 1):
        a = x[i + 1] - x[i] * x[i]
        b = 1 - x[i]
        total = total + 100 * a * a + b * b
    return total


def rosenbrock_family(n: int) -> tuple[Callable[[Any], Any], np.ndarray]:
    """(extended Rosenbrock, a point of dimension n) for scaling studies."""
    return rosenbrock, np.linspace(-1.2, 1.0, n)


def default_suite() -> list[tuple[str, Callable[..., Any], Any]]:
    """The report's functions with no input: (name, function, point)."""
    return [
        ("seed example 1: exp(x**2 - x)/x", seed_f, 2.0),
        ("seed examples 2 and 3: x1 exp(x2) - x1", seed_g, {"x1": 1.5, "x2": 0.5}),
        ("Baydin et al. 2018: ln x1 + x1 x2 - sin x2", baydin_of, {"x1": 2.0, "x2": 5.0}),
        ("logistic map l4 (Baydin Table 1)", logistic_map(4), 0.3),
        ("extended Rosenbrock, n = 10", rosenbrock, np.linspace(-1.2, 1.0, 10)),
    ]
