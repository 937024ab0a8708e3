"""Today's solver before issue 12, kept for comparison in ``bench/corps_autoassign.py``.

The hand-written branch and bound over assignment problems that ``lecturer_corps.assignment``
used until the MIP model replaced it: a repair heuristic gives an incumbent, then clashes
(one lecturer on two clashing new requests) are branched on best-first, each node solved
as a linear assignment on the slot graph. It stops on a node or wall-clock budget, which
is why it could not prove optimality at 1,000 requests × 500 lecturers (and why a test of
it failed on a loaded machine). Not used by the product.
"""

import heapq
import time

import numpy as np
from scipy.optimize import linear_sum_assignment

from lecturer_corps.assignment import UNFILLED_COST, Problem, Solution, plan_cost
from lecturer_corps.selectors import FAIRNESS_WEIGHT

DENSE_LIMIT = 250_000  # cells; larger problems use the sparse solver


def _clashes(problem: Problem, by_lecturer, *, first_only: bool):
    """(seat, seat, lecturer) for lecturers holding two clashing seats (one per lecturer)."""
    found = []
    for lecturer, seats in by_lecturer.items():
        if len(seats) < 2:
            continue
        requests = problem.seat_request[seats]
        sub = problem.clash[np.ix_(requests, requests)]
        np.fill_diagonal(sub, False)
        hits = np.argwhere(sub)
        if len(hits):
            a, b = hits[0]
            found.append((seats[a], seats[b], lecturer))
            if first_only:
                break
    return found


class _Matrix:
    """The slot graph of a problem, built once and re-solved with forbidden pairs.

    Only allowed (seat, slot) pairs are edges, plus one "unfilled" edge per seat. Small
    problems are solved by ``scipy.optimize.linear_sum_assignment`` on the dense cost
    matrix (a forbidden pair costs infinity); large ones by its sparse twin
    ``scipy.sparse.csgraph.min_weight_full_bipartite_matching`` on the same edges (the
    same optimum, about three times faster at 1,000 seats, where most pairs are
    forbidden).
    """

    def __init__(self, problem: Problem):
        self.problem = problem
        seats, lecturers = problem.base.shape
        feasible = np.isfinite(problem.base)
        entry_rows, entry_columns, entry_costs, column_lecturer = [], [], [], []
        for month in np.unique(problem.seat_month):
            in_month = problem.seat_month == month
            remaining = np.maximum(problem.cap - problem.load[month], 0)
            for lecturer in np.nonzero(remaining)[0]:
                rows = np.nonzero(in_month & feasible[:, lecturer])[0]
                slots = min(len(rows), int(remaining[lecturer]))
                base = problem.base[rows, lecturer]
                for k in range(slots):
                    column = len(column_lecturer)
                    column_lecturer.append(lecturer)
                    entry_rows.append(rows)
                    entry_columns.append(np.full(len(rows), column))
                    entry_costs.append(base + FAIRNESS_WEIGHT * (problem.load[month, lecturer] + k))
        self.slots = len(column_lecturer)
        self.column_lecturer = np.array(column_lecturer, dtype=np.int64)
        if entry_rows:
            self.rows = np.concatenate(entry_rows)
            self.columns = np.concatenate(entry_columns)
            self.costs = np.concatenate(entry_costs)
        else:
            self.rows = self.columns = np.zeros(0, dtype=np.int64)
            self.costs = np.zeros(0)
        self.keys = self.rows * lecturers + self.column_lecturer[self.columns]
        # Weights must be positive; a constant per seat does not change the optimum.
        self.shift = 1.0 - min(float(self.costs.min()) if len(self.costs) else 0.0, 0.0)

    def solve(self, forbidden: frozenset) -> tuple[np.ndarray, float]:
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import min_weight_full_bipartite_matching

        seats, lecturers = self.problem.base.shape
        keep = np.ones(len(self.rows), dtype=bool)
        if forbidden:
            banned = np.array([seat * lecturers + lecturer for seat, lecturer in forbidden])
            keep = ~np.isin(self.keys, banned)
        rows = np.concatenate([self.rows[keep], np.arange(seats)])
        columns = np.concatenate([self.columns[keep], self.slots + np.arange(seats)])
        costs = np.concatenate([self.costs[keep], np.full(seats, UNFILLED_COST)]) + self.shift
        shape = (seats, self.slots + seats)
        if shape[0] * shape[1] <= DENSE_LIMIT:
            dense = np.full(shape, np.inf)
            dense[rows, columns] = costs
            matched_rows, matched_columns = linear_sum_assignment(dense)
            cost = float(dense[matched_rows, matched_columns].sum()) - self.shift * seats
        else:
            graph = csr_matrix((costs, (rows, columns)), shape=shape)
            matched_rows, matched_columns = min_weight_full_bipartite_matching(graph)
            cost = float(graph[matched_rows, matched_columns].sum()) - self.shift * seats
        assignment = np.full(seats, -1, dtype=np.int64)
        real = matched_columns < self.slots
        assignment[matched_rows[real]] = self.column_lecturer[matched_columns[real]]
        return assignment, cost

    def clashes(self, assignment, *, first_only: bool = True):
        by_lecturer: dict[int, list[int]] = {}
        for seat, lecturer in enumerate(assignment):
            if lecturer >= 0:
                by_lecturer.setdefault(int(lecturer), []).append(seat)
        return _clashes(self.problem, by_lecturer, first_only=first_only)

    def clash(self, assignment) -> tuple[int, int, int] | None:
        found = self.clashes(assignment)
        return found[0] if found else None


def solve(problem: Problem, *, node_limit: int = 300, time_limit: float = 1.0) -> Solution:
    """The optimal plan by branch and bound over assignment problems (see module doc)."""
    started = time.perf_counter()
    if problem.seats == 0:
        return Solution(np.zeros(0, dtype=np.int64), 0.0, 0.0, True)
    matrix = _Matrix(problem)
    root, root_cost = matrix.solve(frozenset())

    # Incumbent: repair clashes and re-solve until none is left. For each lecturer the
    # seats are kept cheapest first while they do not clash with those kept; the rest
    # are forbidden to that lecturer. Forbidden pairs only grow, so this ends.
    forbidden: set = set()
    incumbent, incumbent_cost = root, root_cost
    repairs = 0
    while matrix.clash(incumbent) is not None:
        forbidden |= _repair(problem, incumbent)
        incumbent, incumbent_cost = matrix.solve(frozenset(forbidden))
        repairs += 1
    branching_started = time.perf_counter()
    nodes = 1
    heap = [(root_cost, 0, frozenset(), root)]
    counter = 1
    lower_bound = root_cost
    proven = False
    while heap:
        bound, _n, node_forbidden, assignment = heapq.heappop(heap)
        lower_bound = bound
        if bound >= incumbent_cost - 1e-9:
            proven = True
            lower_bound = incumbent_cost
            break
        found = matrix.clash(assignment)
        if found is None:
            incumbent, incumbent_cost = assignment, bound
            proven = True
            lower_bound = bound
            break
        if nodes >= node_limit or time.perf_counter() - branching_started > time_limit:
            break
        a, b, lecturer = found
        for seat in (a, b):
            child = node_forbidden | {(seat, lecturer)}
            child_assignment, child_cost = matrix.solve(child)
            nodes += 1
            if child_cost < incumbent_cost - 1e-9:
                heapq.heappush(heap, (child_cost, counter, child, child_assignment))
                counter += 1
    else:
        proven = True
        lower_bound = incumbent_cost
    return Solution(
        assignment=incumbent,
        cost=plan_cost(problem, incumbent),
        lower_bound=min(lower_bound, incumbent_cost),
        proven_optimal=proven,
        nodes=nodes,
        seconds=time.perf_counter() - started,
    )


def _repair(problem: Problem, assignment) -> set:
    by_lecturer: dict[int, list[int]] = {}
    for seat, lecturer in enumerate(assignment):
        if lecturer >= 0:
            by_lecturer.setdefault(int(lecturer), []).append(seat)
    forbidden = set()
    for lecturer, seats in by_lecturer.items():
        if len(seats) < 2:
            continue
        kept: list[int] = []
        for seat in sorted(seats, key=lambda s: problem.base[s, lecturer]):
            request = problem.seat_request[seat]
            if kept and problem.clash[request, problem.seat_request[kept]].any():
                forbidden.add((seat, lecturer))
            else:
                kept.append(seat)
    return forbidden
