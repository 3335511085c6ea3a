"""The report's pictures, kept as bytes: the HTML embeds them (data URIs: one self-contained file,
no network), the Markdown links them as files in a folder beside it (``report_files/``), which is
what GitHub and other Markdown viewers display (they drop ``data:`` images)."""
from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


@dataclass
class Assets:
    """The pictures of one report: name -> bytes, written into ``folder`` next to the Markdown."""

    folder: str
    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, stem: str, suffix: str, data: bytes) -> str:
        """Keep ``data`` under a unique file name made from ``stem``; the Markdown's relative link.

        >>> a = Assets("r_files")
        >>> a.add("Error and time!", ".png", b"1"), a.add("Error and time!", ".png", b"2")
        ('r_files/01-error-and-time.png', 'r_files/02-error-and-time.png')
        """
        slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:40] or "figure"
        name = f"{len(self.files) + 1:02d}-{slug}{suffix}"
        self.files[name] = data
        return f"{self.folder}/{name}"

    def write(self, base: Path) -> list[Path]:
        """Write every file into ``base / folder`` (created, emptied of earlier pictures first)."""
        folder = base / self.folder
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("[0-9][0-9]-*"):
            old.unlink()
        written = []
        for name, data in self.files.items():
            (folder / name).write_bytes(data)
            written.append(folder / name)
        return written


def png(draw: Callable[[Any], Any], size: tuple[float, float] = (9, 3.6)) -> bytes | None:
    """``draw(figure)`` on a new matplotlib figure, as PNG bytes (None without matplotlib)."""
    try:
        import matplotlib
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    figure = plt.figure(figsize=size, layout="constrained")
    try:
        draw(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100)
    finally:
        plt.close(figure)
    return buffer.getvalue()


def data_uri(data: bytes, mime: str) -> str:
    """``data:<mime>;base64,...`` for the HTML."""
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


__all__ = ["Assets", "png", "data_uri"]
