"""One self-contained comparison report, as HTML (pictures embedded) and as Markdown.

For each function: the comparison table and its plot, the trace tables, the computation graph, the
derivative as LaTeX and as generated code, and (for f: R -> R) the step study; then the scaling and
swell studies. With no input, a default suite: the seed's examples, Baydin's function, the logistic
map and Rosenbrock.
"""
from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..comparison.compare import compare
from ..graph.facade import trace
from ..graph.symbolic.bridge import latex as to_latex
from ..graph.trace_tables import forward_table, reverse_table
from ..parse import parse_expression
from .families import default_suite, logistic_map
from .scaling import scaling_study
from .stepstudy import step_study
from .swell import swell_study

Function = tuple[str, Any, Any]   # (name, callable or expression text, point)


@dataclass
class Section:
    """One heading with its parts, each kept as HTML and as Markdown."""

    title: str
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

    def figure(self, heading: str, draw: Callable[[Any], Any]) -> None:
        """A matplotlib figure embedded as a PNG data URI (skipped, with a note, without matplotlib)."""
        uri = _png(draw)
        if uri is None:
            self.text(heading, "(matplotlib is not installed: pip install 'hybriddiff[plot]')")
            return
        self.add(f'<h3>{html.escape(heading)}</h3>\n<img alt="{html.escape(heading)}" src="{uri}">',
                 f"### {heading}\n\n![{heading}]({uri})")


def _png(draw: Callable[[Any], Any]) -> str | None:
    try:
        import matplotlib
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    figure = plt.figure(figsize=(9, 3.6))
    try:
        draw(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    finally:
        plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _function(entry: Function) -> tuple[str, Callable[..., Any], Any]:
    name, f, x = entry
    if isinstance(f, str):
        expression = parse_expression(f)
        names = expression.variables
        if len(names) == 1:
            f = expression.as_function(name="f")
        else:
            inner = expression.as_function(name="f")
            f = (lambda v, inner=inner: inner(*v))
    point = np.asarray(x, dtype=float) if isinstance(x, (list, tuple, np.ndarray)) else float(x)
    return name, f, point


def function_section(entry: Function, budget: float) -> Section:
    name, f, x = _function(entry)
    section = Section(name)
    result = compare(f, x, budget=budget, name=name)
    section.table("Comparison", result)
    # two panels side by side: constrained layout keeps the method names of the right one clear
    section.figure("Error and time per method",
                   lambda fig: (fig.set_layout_engine("constrained"), result.plot(fig.subplots(1, 2))))
    section.table("Forward-mode trace", forward_table(f, x))
    section.table("Reverse-mode trace", reverse_table(f, x))
    graph = trace(f, x)
    derivative = graph.grad()
    if graph.n_ops <= 60:
        svg = graph.draw(mode="reverse")
        section.add(f"<h3>Computation graph</h3>\n{svg}", "### Computation graph\n\n" + _svg_markdown(svg))
    latex = _latex(derivative)
    if latex:
        section.add(f"<h3>Derivative</h3>\n<p>$${html.escape(latex)}$$</p>", f"### Derivative\n\n$$\n{latex}\n$$")
    section.code("Derivative as generated code", derivative.source())
    if not isinstance(x, np.ndarray):
        study = step_study(f, x)
        section.table("Step study", study)
        section.figure("Error against step size", lambda fig: study.plot(fig.subplots()))
    return section


def _svg_markdown(svg: Any) -> str:
    return f"![computation graph](data:image/svg+xml;base64,{base64.b64encode(str(svg).encode()).decode('ascii')})"


def _latex(graph: Any) -> str | None:
    """The derivative in LaTeX when the SymPy bridge is there and the graph is small."""
    try:
        return to_latex(graph) if graph.n_ops <= 60 else None
    except Exception:
        return None


def studies_sections(scaling_ns: Sequence[int], swell_ns: Sequence[int], budget: float) -> list[Section]:
    sections = []
    scaling = Section("Gradient cost against dimension (extended Rosenbrock)")
    study = scaling_study(ns=scaling_ns, budget=budget, progress=False)
    scaling.table("Scaling study", study)
    scaling.figure("Seconds per gradient", lambda fig: study.plot(fig.subplots()))
    sections.append(scaling)
    swell = Section("Expression swell (logistic map, Baydin et al. 2018 Table 1)")
    result = swell_study(logistic_map, swell_ns)
    swell.table("Swell study", result)
    swell.figure("Size of the derivative", lambda fig: result.plot(fig.subplots()))
    sections.append(swell)
    return sections


_STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:2em}h3{font-size:1.05em;margin-top:1.4em}
table{font-size:0.85em;margin:0.5em 0}pre{background:#f6f6f6;padding:0.8em;overflow-x:auto}
img{max-width:100%}svg{max-width:100%;height:auto}"""


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
           title: str = "hybriddiff comparison report") -> list[Path]:
    """Write the report (HTML, and Markdown next to it); return the paths written.

    ``functions``: (name, function or expression text, point) triples; default: the default suite.

    >>> import hybriddiff as hd, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.html"
    >>> [p.suffix for p in hd.report([("square", lambda x: x * x, 3.0)], out, studies=False)]
    ['.html', '.md']
    """
    entries = list(default_suite() if functions is None else functions)
    sections = [function_section(entry, budget) for entry in entries]
    if studies:
        sections += studies_sections(scaling_ns, swell_ns, budget)
    path = Path(path)
    path.write_text(render_html(title, sections), encoding="utf-8")
    written = [path]
    if markdown:
        md = path.with_suffix(".md")
        md.write_text(render_markdown(title, sections), encoding="utf-8")
        written.append(md)
    return written
