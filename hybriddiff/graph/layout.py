"""A layered (Sugiyama-style) layout for drawing DAGs left to right, in plain Python.

The vertices are numbered in a topological order (every edge goes from a smaller number to a larger
one, as in a Wengert list), so every step is a flat loop, never a recursion:

1. layers by longest path from the sources, one pass in vertex order;
2. edges longer than one layer pass through dummy points (one chain per source, shared by its long
   edges, like a bus), so they run between the boxes instead of through them;
3. barycentre sweeps reorder each layer to reduce crossings, keeping the best order seen;
4. coordinates: each layer is a column as wide as its widest box; within a column the vertical
   positions are the least-squares fit to the neighbours' positions such that boxes keep a gap
   (isotonic regression by pool-adjacent-violators, linear time), in a few sweeps.
"""
from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]


@dataclass
class Layout:
    """Box centres (one per vertex), one route per edge (start, via points, end) and the size."""

    centres: list[Point]
    sizes: list[Point]        # the boxes' sizes (widened to their column's width when uniform)
    routes: list[list[Point]]
    layers: list[int]
    width: float
    height: float


def layered_layout(sizes: list[tuple[float, float]], edges: list[tuple[int, int]], *,
                   layer_gap: float = 56.0, node_gap: float = 16.0, dummy_gap: float = 8.0,
                   margin: float = 12.0, sweeps: int = 6, max_dummies: int | None = None,
                   uniform: bool = True) -> Layout:
    """Place boxes of the given (width, height) for the edges (source, target), left to right.

    ``uniform``: widen each box to its column's width. Long edges get dummy points only while
    there are fewer than ``max_dummies`` (default ``8 n + 64``); beyond that they go straight.

    >>> out = layered_layout([(40, 20), (40, 20), (40, 20)], [(0, 2), (1, 2)])
    >>> out.layers, out.centres[0][0] < out.centres[2][0], out.centres[0][1] < out.centres[1][1]
    ([0, 0, 1], True, True)
    """
    n = len(sizes)
    preds: list[list[int]] = [[] for _ in range(n)]
    for s, t in edges:
        if not 0 <= s < t < n:
            raise ValueError(f"edge {(s, t)}: vertices must be numbered in topological order")
        preds[t].append(s)
    layer = [0] * n
    for t in range(n):
        if preds[t]:
            layer[t] = 1 + max(layer[s] for s in preds[t])
    vlayer, vsize = list(layer), [(float(w), float(h)) for w, h in sizes]
    reach = list(layer)
    for s, t in edges:
        reach[s] = max(reach[s], layer[t] - 1)
    budget = 8 * n + 64 if max_dummies is None else max_dummies
    bus: dict[int, int] = {}  # source -> its first dummy (the bus's dummies are consecutive)
    for s in range(n):
        span = reach[s] - layer[s]
        if 0 < span <= budget:
            bus[s], budget = len(vlayer), budget - span
            vlayer.extend(range(layer[s] + 1, reach[s] + 1))
            vsize.extend([(0.0, 0.0)] * span)
    chains = []
    for s, t in edges:
        first = bus.get(s)
        via = range(first, first + layer[t] - layer[s] - 1) if first is not None else range(0)
        chains.append([s, *via, t])
    total = len(vlayer)
    up: list[list[int]] = [[] for _ in range(total)]
    down: list[list[int]] = [[] for _ in range(total)]
    for a, b in {pair for chain in chains for pair in zip(chain, chain[1:])}:
        up[b].append(a)
        down[a].append(b)
    rows = _order(vlayer, up, down, sweeps)
    ys = _vertical(rows, vsize, up, down, n, node_gap, dummy_gap)
    # x: columns as wide as their widest box
    left, x = [], margin
    widths = [max((vsize[v][0] for v in row), default=0.0) for row in rows]
    for w in widths:
        left.append(x)
        x += w + layer_gap
    if uniform:  # every box of a column as wide as the column: tidy, and edges start together
        vsize[:n] = [(widths[layer[v]], vsize[v][1]) for v in range(n)]
    top = min((ys[v] - vsize[v][1] / 2 for v in range(total)), default=0.0) - margin
    ys = [y - top for y in ys]
    centres = [(left[layer[v]] + widths[layer[v]] / 2, ys[v]) for v in range(n)]
    routes = _routes(chains, centres, vsize, vlayer, ys, left, widths, n)
    height = max((ys[v] + vsize[v][1] / 2 for v in range(total)), default=0.0) + margin
    return Layout(centres, vsize[:n], routes, layer, x - layer_gap + margin, height)


def _order(vlayer: list[int], up: list[list[int]], down: list[list[int]], sweeps: int) -> list[list[int]]:
    """Rows (layers) of vertices ordered by barycentre sweeps, the order with fewest crossings."""
    rows: list[list[int]] = [[] for _ in range(max(vlayer, default=-1) + 1)]
    for v, k in enumerate(vlayer):
        rows[k].append(v)
    pos = [0.0] * len(vlayer)

    def number(row: list[int]) -> None:
        for i, v in enumerate(row):
            pos[v] = (i + 0.5) / len(row)

    def key(v: int, nbrs: list[int]) -> float:
        return sum(pos[u] for u in nbrs) / len(nbrs) if nbrs else pos[v]

    for row in rows:
        number(row)
    best, best_count = [list(r) for r in rows], None
    for sweep in range(sweeps):
        ks, nbrs = (range(1, len(rows)), up) if sweep % 2 == 0 else (range(len(rows) - 2, -1, -1), down)
        for k in ks:
            rows[k].sort(key=lambda v: key(v, nbrs[v]))
            number(rows[k])
        count = crossings(rows, down, vlayer)
        if best_count is None or count < best_count:
            best, best_count = [list(r) for r in rows], count
        if count == 0:
            break
    return best


def crossings(rows: list[list[int]], down: list[list[int]], vlayer: list[int]) -> int:
    """Edge crossings between adjacent rows (counted as inversions, with a Fenwick tree)."""
    index = {v: i for row in rows for i, v in enumerate(row)}
    total = 0
    for k in range(len(rows) - 1):
        pairs = sorted((index[u], index[v]) for u in rows[k] for v in down[u] if vlayer[v] == k + 1)
        size = len(rows[k + 1])
        tree = [0] * (size + 1)
        for seen, (_, j) in enumerate(pairs):
            i, at_most_j = j + 1, 0
            while i > 0:
                at_most_j += tree[i]
                i -= i & -i
            total += seen - at_most_j
            i = j + 1
            while i <= size:
                tree[i] += 1
                i += i & -i
    return total


def _vertical(rows: list[list[int]], vsize: list[Point], up: list[list[int]], down: list[list[int]],
              n: int, node_gap: float, dummy_gap: float) -> list[float]:
    """Vertical centres: stacked, then pulled towards the neighbours in down/up sweeps."""
    ys = [0.0] * len(vsize)

    def gaps(row: list[int]) -> list[float]:
        return [(vsize[a][1] + vsize[b][1]) / 2 + (node_gap if a < n and b < n else dummy_gap)
                for a, b in zip(row, row[1:])]

    for row in rows:
        _fit(row, [0.0] * len(row), gaps(row), ys)
    plan = [(range(1, len(rows)), (up,)), (range(len(rows) - 2, -1, -1), (down,)),
            (range(1, len(rows)), (up, down)), (range(len(rows) - 2, -1, -1), (up, down)),
            (range(len(rows)), (up, down))]
    for ks, sides in plan:
        for k in ks:
            row = rows[k]
            target = []
            for v in row:
                nbrs = [u for side in sides for u in side[v]]
                target.append(sum(ys[u] for u in nbrs) / len(nbrs) if nbrs else ys[v])
            _fit(row, target, gaps(row), ys)
    return ys


def _fit(row: list[int], target: list[float], gaps: list[float], ys: list[float]) -> None:
    """Least-squares positions near ``target`` with y[i+1] - y[i] >= gaps[i] (pool adjacent violators)."""
    offset, acc = [0.0], 0.0
    for g in gaps:
        acc += g
        offset.append(acc)
    blocks: list[list[float]] = []  # [sum, count]
    for t, c in zip(target, offset):
        blocks.append([t - c, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            s, m = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += m
    i = 0
    for s, m in blocks:
        for _ in range(int(m)):
            ys[row[i]] = s / m + offset[i]
            i += 1


def _routes(chains: list[list[int]], centres: list[Point], vsize: list[Point], vlayer: list[int],
            ys: list[float], left: list[float], widths: list[float], n: int) -> list[list[Point]]:
    """Each edge from its source's right side through its dummies to a port on its target's left side."""
    routes = []
    for chain in chains:
        s = chain[0]
        points = [(centres[s][0] + vsize[s][0] / 2, centres[s][1])]
        for d in chain[1:-1]:
            k = vlayer[d]
            points += [(left[k], ys[d]), (left[k] + widths[k], ys[d])]
        routes.append(points)
    incoming: dict[int, list[int]] = {}
    for e, chain in enumerate(chains):
        incoming.setdefault(chain[-1], []).append(e)
    for t, es in incoming.items():  # spread the ports, in the order the edges arrive (no crossing)
        es.sort(key=lambda e: (routes[e][-1][1], e))
        h = vsize[t][1]
        step = min(8.0, h / (len(es) + 1))
        for j, e in enumerate(es):
            routes[e].append((centres[t][0] - vsize[t][0] / 2, centres[t][1] + (j - (len(es) - 1) / 2) * step))
    return routes
