"""Step-size studies: the Baydin et al. 2018 picture, the renderings, and the reference fallback."""
from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.studies.stepstudy import StepStudy, step_study


def l4(x):
    """Logistic map l1 = x, l_{n+1} = 4 l_n (1 - l_n): l4 is a degree-8 polynomial."""
    value = x
    for _ in range(3):
        value = 4 * value * (1 - value)
    return value


@pytest.fixture(scope="module")
def baydin():
    return step_study(l4, 0.2)


def decades(a, b):
    return abs(math.log10(a / b))


def test_reproduces_baydin_2018_figure(baydin):
    # forward difference bottoms out near 1e-8 at h ~ 1e-9, central near 4e-11 at h ~ 4e-8
    forward, central = baydin.curves["forward"], baydin.curves["central"]
    assert 1e-8 / 30 <= forward.best_error <= 1e-8 * 30 and decades(forward.best_h, 1e-9) <= 1.5
    assert 4e-11 / 30 <= central.best_error <= 4e-11 * 30 and decades(central.best_h, 4e-8) <= 1.5
    assert baydin.reference == pytest.approx(9.0660864, rel=1e-12)  # exact: d l4/dx at 0.2
    assert baydin.reference_note.startswith("traced derivative graph")
    # the V shape: large steps and tiny steps are both far worse than the best one
    for curve in (forward, central):
        assert curve.errors[0] > 1e3 * curve.best_error and curve.errors[-1] > 1e3 * curve.best_error
    # the automatic step is within a couple of decades of the best one, and not much worse
    assert decades(central.auto_h, central.best_h) <= 2 and central.auto_error < 1e3 * central.best_error
    assert baydin.curves["complex-step"].best_error < 1e-14


def test_rows_and_renderings(baydin):
    rows = baydin.rows
    assert len(rows) == 49 and set(rows[0]) == {"h", "forward", "central", "five-point", "complex-step"}
    assert rows[0]["h"] == pytest.approx(1e-16, rel=0.2) and rows[-1]["h"] == 1.0
    markdown = baydin.to_markdown()
    assert "| scheme | best h |" in markdown and markdown.count("\n| ") >= 49 + 4
    assert markdown.count("*") >= 4  # each scheme's minimum is marked
    text = baydin.to_text()
    assert "complex-step" in text and "best h" in text
    page = baydin.to_html()
    assert page.startswith("<table") and "*" in page and page == baydin._repr_html_()
    assert baydin.title in text and baydin.footnote in text and "(x + h) - x" in baydin.footnote
    data = json.loads(json.dumps(baydin.to_dict(), allow_nan=False))
    assert data["schemes"]["central"]["best_h"] == baydin.curves["central"].best_h
    assert len(data["schemes"]["forward"]["errors"]) == 49


def test_plot_without_matplotlib_says_how_to_install(baydin, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'hybriddiff\[plot\]'"):
        baydin.plot()


def test_plot_with_matplotlib(baydin):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    ax = baydin.plot().axes[0]     # plot() returns the Figure, as every result's does
    assert ax.get_xscale() == "log" and len(ax.get_legend_handles_labels()[1]) == 4


def test_reference_falls_back_to_richardson_when_f_rejects_mpmath():
    study = step_study(lambda x: math.exp(x), 1.0, schemes=["central", "complex-step"], hs=[1e-6, 1e-3])
    assert "richardson" in study.reference_note and study.reference == pytest.approx(math.e, rel=1e-12)
    assert "does not accept complex" in study.curves["complex-step"].note
    assert np.all(np.isnan(study.curves["complex-step"].errors))
    # an estimate is no reference to judge a best step by: the title says so, no step is marked
    assert study.unjudged == "the reference is only a richardson estimate"
    assert "No best step" in study.title and math.isnan(study.curves["central"].best_h)
    assert study.curves["central"].errors[0] < 1e-9   # the differences are still shown
    complex_step = json.loads(json.dumps(study.to_dict(), allow_nan=False))["schemes"]["complex-step"]
    assert complex_step["errors"] == ["nan", "nan"] and complex_step["best_h"] == "nan"   # as everywhere
    row = next(line for line in study.to_text().splitlines() if line.strip().startswith("complex-step"))
    assert row.split()[1:5] == ["-"] * 4    # no value: a dash in the tables


def test_given_reference_order_and_all_schemes():
    study = step_study(hd.sin, 0.5, schemes=["backward", "richardson"], hs=np.logspace(-6, -1, 6),
                       reference=-math.sin(0.5), order=2)
    assert isinstance(study, StepStudy) and study.reference_note == "given" and study.order == 2
    assert study.curves["richardson"].best_error < 1e-9
    assert "d^2/dx^2" in study.to_markdown()


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(schemes=["sideways"]), ValueError, "known schemes"),
    (dict(hs=[0.0, 1e-3]), ValueError, "positive"),
    (dict(x="0.2"), TypeError, "real number"),
    (dict(f=None), TypeError, "expected a function"),
])
def test_bad_input(kwargs, error, match):
    args = dict(f=l4, x=0.2)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        step_study(args.pop("f"), args.pop("x"), **args)
