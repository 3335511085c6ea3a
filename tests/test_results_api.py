"""Every result object behaves alike (issue 14): ``title`` and ``footnote`` are read-only string
properties that every view shares, ``to_dataframe()`` keeps them in ``attrs`` where it can, and
``plot()`` returns the matplotlib Figure, drawing into given axes when asked (``ax=``, or the axes
as the first argument)."""
from __future__ import annotations

import pytest

import hybriddiff as hd
from test_scale import built_scaling
from test_swell import built_study


def _comparison():
    return hd.compare(hd.sin, 0.5, methods=["forward", "fd-central"], budget=0.0005)


def _step_study():
    return hd.step_study(hd.exp, 1.0, schemes=["forward", "central"])


RESULTS = {
    # name: (build, axes it draws on, what a drawn panel holds, what its DataFrame holds)
    "comparison": (_comparison, 2, lambda ax: sum(line.get_marker() == "o" for line in ax.lines) == 2,
                   lambda df: list(df["method"]) == ["forward", "fd-central"]),
    "step study": (_step_study, 1, lambda ax: len(ax.lines) >= 2, lambda df: len(df) > 10),
    "scaling study": (built_scaling, 1, lambda ax: len(ax.lines) == 2,
                      lambda df: df.shape == (4, 7) and list(df["n"]) == [2, 2, 8, 8]),
    "swell study": (built_study, 1, lambda ax: len(ax.lines) == 4,
                    lambda df: df.shape == (2, 13) and list(df["hybrid graph ops"]) == [14, 21]),
}


@pytest.mark.parametrize("name", list(RESULTS))
def test_title_and_footnote_are_string_properties_of_every_view(name):
    result = RESULTS[name][0]()
    for attribute in ("title", "footnote"):
        assert isinstance(getattr(type(result), attribute), property), (name, attribute)
        assert isinstance(getattr(result, attribute), str) and getattr(result, attribute), (name, attribute)
    assert result.title in result.to_text()
    table = result.to_table() if name != "step study" else None   # (the step study: two tables)
    if table is not None:
        assert (table.title, table.footnote) == (result.title, result.footnote)
    with pytest.raises(AttributeError):
        result.title = "another"
    with pytest.raises(AttributeError):
        result.footnote = "another"


@pytest.mark.parametrize("name", list(RESULTS))
def test_to_dataframe(name):
    pytest.importorskip("pandas")
    result = RESULTS[name][0]()
    frame = result.to_dataframe()
    assert RESULTS[name][3](frame) and frame.attrs["title"] == result.title, name


@pytest.mark.parametrize("name", list(RESULTS))
def test_plot_returns_the_figure_and_draws_into_given_axes(name):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure
    build, panels, drawn, _ = RESULTS[name]
    result = build()
    fig = result.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == panels and drawn(fig.axes[0]), name
    plt.close(fig)
    mine, axes = plt.subplots(1, panels)
    assert result.plot(ax=axes) is mine and drawn(mine.axes[0]), name
    plt.close(mine)
    mine, (left, right) = plt.subplots(1, 2)
    assert result.plot(right) is mine and drawn(right) and not left.lines and not left.patches, name
    plt.close(mine)
