"""The self-contained report: default suite, HTML that parses, Markdown next to it."""
import html.parser
import re
import shutil
import subprocess

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
    for name in ("seed example 1", "Baydin", "logistic map", "Rosenbrock", "Gradient cost against dimension",
                 "What reverse mode stores"):
        assert name in text
    assert "data:image/png;base64," in text
    assert "http" not in text.replace("http://www.w3.org", "")   # no network: nothing fetched
    assert "def grad_" in text and "fd-central" in text


def test_markdown_version(default_report):
    md = default_report[1].read_text()
    assert md.startswith("# hybriddiff comparison report")
    assert "| method | value |" in md
    assert "```python" in md and "## Gradient cost against dimension" in md


def test_math_renders_without_a_script_and_markdown_pictures_are_files(default_report):
    html_path, md_path = default_report
    text, md = html_path.read_text(), md_path.read_text()
    assert "$$" not in text and "\\frac" not in text          # no raw LaTeX in the HTML
    sections = text.split("<h2>")[1:6]                          # the five functions of the suite
    for section in sections:
        derivative = section.split("<h3>Derivative</h3>", 1)[1].split("<h3>", 1)[0]
        function = section.split("<h3>Function</h3>", 1)[1].split("<h3>", 1)[0]
        # MathML for every formula small enough to write out (Rosenbrock's 72 operations: text)
        assert "<math" in derivative or "a graph of" in derivative
        assert "<math" in function or "a graph of" in function
    assert text.count("<math") >= 8
    assert "data:" not in md
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert len(links) >= 10 and all((md_path.parent / link).is_file() for link in links)
    assert all(link.startswith("report_files/") for link in links)
    assert md.count("$$") % 2 == 0 and md.count("$$") >= 16


def test_entries_keep_their_names_and_formulas(default_report):
    text = default_report[0].read_text()
    baydin = text.split("<h2>Baydin", 1)[1].split("<h2>", 1)[0]
    assert "f(x1, x2) =" in baydin and "at x1 = 2.0, x2 = 5.0" in baydin
    assert "with respect to (x1, x2) at x1 = 2.0, x2 = 5.0" in baydin
    assert "v[0]" not in baydin and "x = [2" not in baydin
    assert "baydin_of(x1, x2) at x1 = 2, x2 = 5" in baydin        # trace tables and drawing
    assert "as text: <code>x1*x2 + log(x1) - sin(x2)</code>" in baydin
    seed = text.split("<h2>seed example 1", 1)[1].split("<h2>", 1)[0]
    assert "d/dx exp(x**2 - x)/x" in seed or "d/dx seed example 1" in seed   # not "<lambda>"


def test_any_function_and_point_form(tmp_path):
    entries = [("product", lambda a, b: a * hd.sin(b), {"b": 0.5, "a": 2.0}),
               ("pair", lambda a, b: a * b, (3.0, 4.0)),
               ("vector", lambda v: v[0] * v[1], [1.0, 2.0]),
               ("text", "u**2 + w", {"u": 1.0, "w": 2.0})]
    html_path, md_path = hd.report(entries, tmp_path / "r.html", studies=False, budget=0.002)
    text = html_path.read_text()
    assert "f(a, b) =" in text and "at a = 2.0, b = 0.5" in text and "at a = 3.0, b = 4.0" in text
    assert "f(v) =" in text and "f(u, w) =" in text and "as text: <code>u**2 + w</code>" in text
    cases = [(("f", lambda a, b: a, {"a": 1.0}), "the variables are a, b"),
             (("f", "x + y", [1.0]), "2 variable"),
             (("f", lambda a: a, {"z": 1.0}), "'z' is not a parameter"),
             (("f", lambda a: a, "2"), "not a real number"),
             ("just a name", "triple")]
    for bad, message in cases:
        with pytest.raises((TypeError, ValueError), match=message):
            hd.report([bad], tmp_path / "bad.html", studies=False, budget=0.002)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_the_report_renders_in_a_real_browser(default_report, tmp_path):
    """Headless Chromium draws the page (MathML included); the screenshot is not blank."""
    shot = tmp_path / "shot.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,1600",
                    f"--screenshot={shot}", default_report[0].as_uri()], capture_output=True, timeout=120)
    image = pytest.importorskip("matplotlib.image").imread(shot)
    assert image.shape[0] >= 1000 and image.std() > 0.05


def test_report_from_expressions(tmp_path):
    paths = hd.report([("baydin", "log(x1) + x1*x2 - sin(x2)", [2.0, 5.0]), ("cube", "x**3", 2.0)],
                      tmp_path / "r.html", studies=False, budget=0.005)
    text = paths[0].read_text()
    assert "baydin" in text and "cube" in text and "Step study" in text
