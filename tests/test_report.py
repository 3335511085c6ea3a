"""The self-contained report: default suite, HTML that parses, Markdown next to it."""
import html.parser

import pytest

import hybriddiff as hd

VOID = {"meta", "img", "br", "hr", "col", "input", "link", "path", "rect", "line", "circle", "polygon",
        "polyline", "ellipse", "stop", "use"}


class Checker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.tags = [], {}

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


@pytest.fixture(scope="module")
def default_report(tmp_path_factory):
    pytest.importorskip("matplotlib")
    out = tmp_path_factory.mktemp("report") / "report.html"
    return hd.report(path=out, budget=0.005, scaling_ns=(2, 8), swell_ns=(1, 2, 3))


def test_default_suite_report_parses(default_report):
    html_path, md_path = default_report
    text = html_path.read_text()
    checker = Checker()
    checker.feed(text)
    checker.close()
    assert not checker.stack
    assert checker.tags["table"] >= 5 * 4 and checker.tags["img"] >= 5 and checker.tags["svg"] >= 4
    for name in ("seed example 1", "Baydin", "logistic map", "Rosenbrock", "Gradient cost against dimension"):
        assert name in text
    assert "data:image/png;base64," in text and "http" not in text.replace("http://www.w3.org", "")
    assert "def grad_" in text and "fd-central" in text


def test_markdown_version(default_report):
    md = default_report[1].read_text()
    assert md.startswith("# hybriddiff comparison report")
    assert "| method |" in md or "method" in md
    assert "```python" in md and "## Gradient cost against dimension" in md


def test_report_from_expressions(tmp_path):
    paths = hd.report([("baydin", "log(x1) + x1*x2 - sin(x2)", [2.0, 5.0]), ("cube", "x**3", 2.0)],
                      tmp_path / "r.html", studies=False, budget=0.005)
    text = paths[0].read_text()
    assert "baydin" in text and "cube" in text and "Step study" in text
