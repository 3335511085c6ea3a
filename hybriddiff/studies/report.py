"""One comparison report, as HTML (one self-contained file) and as Markdown (pictures as files).

For each function: its formula and point (the user's variable names), the comparison table and its
plot, the trace tables, the computation graph, the derivative (MathML in the HTML: browsers render
it with no script and no network; LaTeX in the Markdown) and as generated code, and (for f: R -> R)
the step study; then the scaling and swell studies. With no input, a default suite: the seed's
examples, Baydin's function, the logistic map and Rosenbrock.
"""
from __future__ import annotations

import html
import textwrap
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..comparison.compare import compare
from ..graph.facade import trace
from ..graph.symbolic.bridge import latex as to_latex
from ..graph.symbolic.bridge import mathml as to_mathml
from ..graph.symbolic.bridge import to_sympy
from ..graph.trace_tables import forward_table, reverse_table
from .entries import Entry, entry
from .families import default_suite, logistic_map
from .memory import memory_study
from .pictures import Assets, data_uri, png
from .scaling import scaling_study
from .stepstudy import step_study
from .swell import swell_study

Function = tuple[str, Any, Any]   # (name, callable or expression text, point)
MATH_OPS = 60                     # formulas written out (MathML, LaTeX) up to this many operations


@dataclass
class Section:
    """One heading with its parts, each kept as HTML and as Markdown; pictures go to ``assets``."""

    title: str
    assets: Assets
    html: list[str] = field(default_factory=list)
    markdown: list[str] = field(default_factory=list)

    def add(self, html_part: str, markdown_part: str) -> None:
        self.html.append(html_part)
        self.markdown.append(markdown_part)

    def text(self, heading: str, body: str) -> None:
        self.add(f"<h3>{html.escape(heading)}</h3>\n<p>{html.escape(body)}</p>", f"### {heading}\n\n{body}")

    def code(self, heading: str, source: str, language: str = "python") -> None:
        self.add(f"<h3>{html.escape(heading)}</h3>\n<pre><code>{html.escape(source)}</code></pre>",
                 f"### {heading}\n\n```{language}\n{source.rstrip()}\n```")

    def table(self, heading: str, shown: Any) -> None:
        self.add(f"<h3>{html.escape(heading)}</h3>\n{shown.to_html()}", f"### {heading}\n\n{shown.to_markdown()}")

    def figure(self, heading: str, draw: Callable[[Any], Any], size: tuple[float, float] = (9, 3.6)) -> None:
        """A matplotlib figure: embedded in the HTML, a PNG file for the Markdown (a note without
        matplotlib)."""
        data = png(draw, size)
        if data is None:
            self.text(heading, "(matplotlib is not installed: pip install 'hybriddiff[plot]')")
            return
        alt = html.escape(f"{heading}: {self.title}")
        self.add(f'<h3>{html.escape(heading)}</h3>\n<img alt="{alt}" src="{data_uri(data, "image/png")}">',
                 f"### {heading}\n\n![{heading}]({self.assets.add(heading, '.png', data)})")

    def drawing(self, heading: str, svg: str) -> None:
        """An SVG drawing: inline in the HTML, an .svg file for the Markdown."""
        link = self.assets.add(heading, ".svg", svg.encode("utf-8"))
        self.add(f"<h3>{html.escape(heading)}</h3>\n{svg}", f"### {heading}\n\n![{heading}]({link})")

    def math(self, heading: str, lead: str, graph: Any, text: str = "") -> None:
        """A formula: MathML in the HTML (the plain text under it), $$LaTeX$$ in the Markdown; for a
        graph too large to write out, the text (or its size) alone."""
        mathml, latex = _math(graph)
        plain = text or _plain(graph)
        if mathml is None:
            body = plain or f"(a graph of {graph.n_ops} operations: see the trace tables)"
            self.add(f"<h3>{html.escape(heading)}</h3>\n<p>{html.escape(lead)} <code>{html.escape(body)}</code></p>",
                     f"### {heading}\n\n{lead} `{body}`")
            return
        fallback = f'<p class="plain">as text: <code>{html.escape(plain)}</code></p>' if plain else ""
        self.add(f"<h3>{html.escape(heading)}</h3>\n<p>{html.escape(lead)}</p>\n{mathml}\n{fallback}",
                 f"### {heading}\n\n{lead}\n\n$$\n{latex}\n$$" + (f"\n\nas text: `{plain}`" if plain else ""))


def _math(graph: Any) -> tuple[str | None, str | None]:
    """(MathML, LaTeX) of a small graph through the SymPy bridge, else (None, None)."""
    if graph.n_ops > MATH_OPS:
        return None, None
    try:
        return to_mathml(graph), to_latex(graph)
    except Exception:
        return None, None


def _plain(graph: Any) -> str:
    """The graph as one line of SymPy text (x**2, exp(x)), if it is small enough to nest."""
    if graph.n_ops > MATH_OPS:
        return ""
    try:
        exprs = to_sympy(graph, nested=True)
    except Exception:
        return ""
    return str(exprs[0] if isinstance(exprs, list) and len(exprs) == 1 else exprs)


def _comparison_plot(figure: Any, result: Any, title: str) -> None:
    panels = figure.subplots(1, 2, sharey=True)
    result.plot(panels)
    panels[0].set_title("\n".join(textwrap.wrap(title, 60)), loc="left", fontsize=10)   # the names kept


def function_section(item: Entry, budget: float, assets: Assets) -> Section:
    section = Section(item.label, assets)
    graph = trace(item.function, *item.values)
    signature = f"f({', '.join(item.names)})"
    section.math("Function", f"{signature} =", graph, item.formula)
    section.add(f"<p>at {html.escape(item.point_text())}</p>", f"at {item.point_text()}")
    f, x = item.compare_input()
    result = compare(f, x, budget=budget, name=item.label)
    table = result.to_table()
    table.title = item.title(result.kind)
    section.table("Comparison", table)
    section.figure("Error and time per method", lambda fig: _comparison_plot(fig, result, table.title))
    section.table("Forward-mode trace", forward_table(item.function, item.table_point()))
    section.table("Reverse-mode trace", reverse_table(item.function, item.table_point()))
    if graph.n_ops <= MATH_OPS:
        section.drawing("Computation graph", str(graph.draw(*item.values, mode="reverse")))
    derivative = graph.grad()
    what = "gradient" if len(item.names) > 1 or np.ndim(item.values[0]) else "derivative"
    section.math("Derivative", f"the {what} of {signature}, as the derivative graph computes it:", derivative)
    section.code("Derivative as generated code", derivative.source())
    if len(item.values) == 1 and not np.ndim(item.values[0]):
        study = step_study(item.function, item.values[0])
        study.function = item.formula or item.label   # not "<lambda>"
        section.table("Step study", study)
        section.figure("Error against step size", lambda fig: study.plot(fig.subplots()))
    return section


def studies_sections(scaling_ns: Sequence[int], swell_ns: Sequence[int], budget: float,
                     assets: Assets, memory_ns: Sequence[int] = (10, 100, 1000)) -> list[Section]:
    sections = []
    scaling = Section("Gradient cost against dimension (extended Rosenbrock)", assets)
    study = scaling_study(ns=scaling_ns, budget=budget, progress=False)
    scaling.table("Scaling study", study)
    scaling.figure("Seconds per gradient", lambda fig: study.plot(fig.subplots()))
    sections.append(scaling)
    swell = Section("Expression swell (logistic map, Baydin et al. 2018 Table 1)", assets)
    result = swell_study(logistic_map, swell_ns)
    swell.table("Swell study", result)
    swell.figure("Size of the derivative", lambda fig: result.plot(fig.subplots()))
    sections.append(swell)
    memory = Section("What reverse mode stores: memory against the length of a loop", assets)
    kept = memory_study(ns=memory_ns, progress=False)
    memory.table("Memory study", kept)
    memory.figure("Peak memory of one derivative", lambda fig: kept.plot(fig.subplots()))
    sections.append(memory)
    return sections


_STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:2em}h3{font-size:1.05em;margin-top:1.4em}
table{font-size:0.85em;margin:0.5em 0}pre{background:#f6f6f6;padding:0.8em;overflow-x:auto}
img{max-width:100%}svg{max-width:100%;height:auto}
math[display=block]{font-size:1.2em;margin:0.6em 0;overflow-x:auto;overflow-y:hidden}.plain{color:#666;font-size:0.85em}"""


def render_html(title: str, sections: Sequence[Section]) -> str:
    body = "\n".join(f"<h2>{html.escape(s.title)}</h2>\n" + "\n".join(s.html) for s in sections)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{html.escape(title)}</h1>\n{body}\n</body>\n</html>\n")


def render_markdown(title: str, sections: Sequence[Section]) -> str:
    parts = [f"# {title}"]
    for s in sections:
        parts.append(f"## {s.title}")
        parts.extend(s.markdown)
    return "\n\n".join(parts) + "\n"


def report(functions: Sequence[Function] | None = None, path: str | Path = "report.html",
           markdown: bool = True, studies: bool = True, budget: float = 0.02,
           scaling_ns: Sequence[int] = (2, 8, 32, 128), swell_ns: Sequence[int] = (1, 2, 3, 4, 5, 6),
           title: str = "hybriddiff comparison report",
           memory_ns: Sequence[int] = (10, 100, 1000)) -> list[Path]:
    """Write the report: one self-contained HTML file, and (``markdown``) a Markdown copy next to it
    with its pictures in a folder ``<name>_files``; return the paths written (HTML, Markdown).

    ``functions``: (name, function or expression text, point) triples; default: the default suite.
    ``studies``: add the scaling, swell and memory studies (sizes ``scaling_ns``, ``swell_ns``, ``memory_ns``).
    A function may take one argument (a number or a 1-D array) or several; the point is a number, a
    sequence (one value per argument) or a dict by argument name.

    >>> import hybriddiff as hd, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.html"
    >>> [p.suffix for p in hd.report([("product", lambda a, b: a * b, {"a": 3.0, "b": 2.0})], out, studies=False)]
    ['.html', '.md']
    """
    items = [entry(*_triple(e)) for e in (default_suite() if functions is None else functions)]
    path = Path(path)
    assets = Assets(f"{path.stem}_files")
    with warnings.catch_warnings():   # nan/inf are shown in the tables; no RuntimeWarning noise
        warnings.simplefilter("ignore", RuntimeWarning)
        sections = [function_section(item, budget, assets) for item in items]
        if studies:
            sections += studies_sections(scaling_ns, swell_ns, budget, assets, memory_ns)
    path.write_text(render_html(title, sections), encoding="utf-8")
    written = [path]
    if markdown:
        md = path.with_suffix(".md")
        md.write_text(render_markdown(title, sections), encoding="utf-8")
        assets.write(md.parent)
        written.append(md)
    return written


def _triple(item: Any) -> tuple[str, Any, Any]:
    if not isinstance(item, (tuple, list)) or len(item) != 3:
        raise TypeError(f"hd.report: each function is a (name, function or expression, point) triple, "
                        f"got {item!r:.60}")
    return item[0], item[1], item[2]
