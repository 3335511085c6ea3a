"""Checkpointing (hd.checkpoint, hd.checkpointed_loop) against the unwrapped functions, the binomial
schedule against Griewank's optimum, and the memory it saves."""
import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hybriddiff as hd
from hybriddiff.ad.schedule import optimal_recomputation, revolve
from hybriddiff.ad.tape import TAPES


def chain(x, n=60):
    for _ in range(n):
        x = hd.sin(x) * 0.99 + 0.01
    return x


def logistic(x):
    return 3.7 * x * (1 - x)


def loop(step, x, n):
    for _ in range(n):
        x = step(x)
    return x


# ---------------------------------------------------------------- hd.checkpoint
def test_checkpointed_function_gives_the_same_gradient_bit_for_bit():
    for x in (0.3, 1.7, -2.2):
        assert hd.grad(hd.checkpoint(chain))(x) == hd.grad(chain)(x)
    seed = lambda x: hd.exp(x * x - x) / x
    assert hd.grad(hd.checkpoint(seed))(2.0) == hd.grad(seed)(2.0) == 9.236320123663313


def test_several_inputs_outputs_and_arrays():
    g = lambda a, b: [a * hd.sin(b), a + b * b]
    f = lambda x: sum(hd.checkpoint(g)(x[0], x[1])) * x[0]
    plain = lambda x: sum(g(x[0], x[1])) * x[0]
    x = np.array([0.7, 1.9])
    assert np.array_equal(hd.grad(f)(x), hd.grad(plain)(x))
    h = hd.checkpoint(lambda v: v * v * 2.0)          # an array in, an array out
    J = hd.jacobian(lambda v: h(v), mode="reverse")(np.array([1.0, 3.0]))
    assert J.tolist() == [[4.0, 0.0], [0.0, 12.0]]


def test_the_tape_holds_one_node_per_output_not_per_operation():
    from hybriddiff.ad.reverse import make_leaf
    from hybriddiff.ad.tape import recording
    from hybriddiff.core.dispatch import new_level
    level = new_level()
    x = make_leaf(0.4, level)
    with recording(level) as plain_tape:
        chain(x, 200)
    with recording(level) as saved_tape:
        hd.checkpoint(lambda v: chain(v, 200))(x)
    assert len(plain_tape) == 600 and len(saved_tape) == 1


def test_nested_checkpoints_and_higher_derivatives():
    inner = hd.checkpoint(lambda v: hd.sin(v) * v)
    outer = hd.checkpoint(lambda v: inner(v) * inner(v + 1.0))
    plain = lambda v: (hd.sin(v) * v) * (hd.sin(v + 1.0) * (v + 1.0))
    for x in (0.3, 2.0):
        assert hd.grad(outer)(x) == pytest.approx(hd.grad(plain)(x), rel=1e-15)
        assert hd.grad(hd.grad(outer))(x) == pytest.approx(hd.grad(hd.grad(plain))(x), rel=1e-13)
    H = hd.hessian(lambda v: hd.checkpoint(lambda a, b: a * a * b)(v[0], v[1]))(np.array([2.0, 3.0]))
    assert H.tolist() == [[6.0, 4.0], [4.0, 0.0]]                     # forward over reverse
    assert TAPES == {}


def test_forward_mode_tracing_and_numbers_see_g_unchanged():
    g = hd.checkpoint(chain)
    assert hd.grad(g, mode="forward")(0.3) == hd.grad(chain, mode="forward")(0.3)
    assert g(0.3) == chain(0.3)
    graph = hd.trace(g, 0.3)
    assert graph.n_ops == 180 and graph(0.3) == chain(0.3)


def test_hand_built_variables_and_retained_graphs():
    x = hd.Variable(0.8)
    y = hd.checkpoint(chain)(x)
    y.backward(retain_graph=True)
    first = x.grad
    x.zero_grad()
    y.backward()                                   # recomputed again for the second sweep
    assert x.grad == first == hd.grad(chain)(0.8)


def test_bad_input():
    with pytest.raises(TypeError, match="expected a function"):
        hd.checkpoint(3.0)
    with pytest.raises(hd.DifferentiationError, match="raised ZeroDivisionError"):
        hd.grad(hd.checkpoint(lambda v: v / 0))(1.0)


# ---------------------------------------------------------------- hd.checkpointed_loop
@pytest.mark.parametrize("n, s", [(1, 0), (2, 1), (7, 0), (7, 2), (50, 3), (200, 5), (1000, 10)])
def test_loop_gradient_matches_the_plain_loop(n, s):
    f = lambda x: hd.checkpointed_loop(logistic, x, n, snapshots=s)
    plain = lambda x: loop(logistic, x, n)
    assert f(0.3) == plain(0.3)
    got, want = hd.grad(f)(0.3), hd.grad(plain)(0.3)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-300)


STEPS = {"sin": lambda x: hd.sin(x) * 0.9 + 0.1, "logistic": logistic,
         "cubic": lambda x: x - 0.1 * (x ** 3 - 0.5), "exp": lambda x: hd.exp(-x * x) + 0.2 * x}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(STEPS)), st.integers(0, 120), st.integers(0, 8), st.floats(0.1, 0.9))
def test_loop_gradients_agree_for_random_steps(name, n, s, x0):
    step = STEPS[name]
    got = hd.grad(lambda x: hd.checkpointed_loop(step, x, n, snapshots=s) * 1.0)(x0)
    want = hd.grad(lambda x: loop(step, x, n) * 1.0)(x0)
    assert got == pytest.approx(want, rel=1e-11, abs=1e-300)


def test_vector_state_and_the_loop_inside_other_operators():
    def rotate(v):   # a damped rotation of a 2-vector
        return np.array([0.99 * (v[0] * math.cos(0.1) - v[1] * math.sin(0.1)),
                         0.99 * (v[0] * math.sin(0.1) + v[1] * math.cos(0.1))], dtype=object)
    f = lambda v: hd.checkpointed_loop(rotate, v, 40, snapshots=3)
    plain = lambda v: loop(rotate, v, 40)
    x = np.array([1.0, 0.5])
    assert np.allclose(hd.jacobian(f, mode="reverse")(x), hd.jacobian(plain, mode="reverse")(x), rtol=1e-13)
    assert hd.grad(hd.grad(lambda x: hd.checkpointed_loop(logistic, x, 30, 3)))(0.3) == pytest.approx(
        hd.grad(hd.grad(lambda x: loop(logistic, x, 30)))(0.3), rel=1e-10)


def test_loop_bad_input():
    for n, s, match in ((-1, 2, "n must be"), (2.5, 2, "n must be"), (3, -1, "snapshots"), (3, True, "snapshots")):
        with pytest.raises(ValueError, match=match):
            hd.checkpointed_loop(logistic, 0.3, n, snapshots=s)
    with pytest.raises(TypeError, match="step must be a function"):
        hd.checkpointed_loop(None, 0.3, 3)


# ---------------------------------------------------------------- the schedule
def test_the_binomial_schedule_reaches_griewanks_optimum():
    for n in range(1, 80):
        for s in range(1, 7):
            plan = revolve(n, s)
            assert plan.recomputed == optimal_recomputation(n, s), (n, s)
            assert plan.most_kept <= s
            assert sorted(a[1] for a in plan.actions() if a[0] == "reverse") == list(range(n))
    assert revolve(10, 0).recomputed == 45            # no snapshot: n (n - 1) / 2
    assert revolve(10, 9).recomputed == 9             # one per step


def test_the_schedule_is_a_table_of_what_runs():
    table = revolve(5, 2).to_table()
    assert table.columns == ("#", "action", "what it does")
    assert "record step 5 at x4" in table.to_text() and "recomputed" in table.footnote


def test_a_long_loop_keeps_memory_bounded():
    n = 5000

    def peak(f):
        tracemalloc.start()
        try:
            hd.grad(f)(0.3)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    plain = peak(lambda x: loop(logistic, x, n))
    saved = peak(lambda x: hd.checkpointed_loop(logistic, x, n, snapshots=20))
    assert saved * 20 < plain, (saved, plain)


# ---------------------------------------------------------------- hd.memory_study
def test_memory_study_shows_the_tutorials_claim_and_its_remedy():
    s = hd.memory_study(ns=(30, 300, 3000), methods=("forward", "reverse", "reverse, checkpointed"),
                        progress=False)
    slopes = s.slopes()
    assert slopes["reverse"] > 0.8 and abs(slopes["forward"]) < 0.2 and slopes["reverse, checkpointed"] < 0.3
    by = {(r["n"], r["method"]): r for r in s.rows}
    assert by[3000, "reverse"]["memory"] > 20 * by[3000, "reverse, checkpointed"]["memory"]
    assert by[3000, "reverse, checkpointed"]["recomputed"] == revolve(3000, 12).recomputed
    text = s.to_text()
    assert "reverse ~ n^" in text and "recomputed steps" in text
    assert s.to_dict()["slopes"] == slopes and "peak bytes" in s.to_markdown()


def test_memory_study_plot_and_bad_input():
    pytest.importorskip("matplotlib")
    s = hd.memory_study(ns=(10, 100), methods=("reverse", "fd-central"), progress=False)
    figure = s.plot()
    assert len(figure.axes[0].lines) == 2 and "~ n^" in figure.axes[0].get_legend().get_texts()[0].get_text()
    with pytest.raises(ValueError, match="unknown method"):
        hd.memory_study(methods=("backward",))
    with pytest.raises(ValueError, match="whole numbers"):
        hd.memory_study(ns=(0, 10))
    with pytest.raises(TypeError, match="step must be a function"):
        hd.memory_study(step=3)


def test_keyword_arguments_are_constants_and_boxes_there_are_refused():
    g = hd.checkpoint(lambda x, scale=1.0: hd.sin(x) * scale)
    assert hd.grad(lambda x: g(x, scale=3.0))(0.5) == 3.0 * math.cos(0.5)
    with pytest.raises(hd.DifferentiationError, match="positional arguments"):
        hd.grad(lambda x: g(0.5, scale=x))(2.0)
