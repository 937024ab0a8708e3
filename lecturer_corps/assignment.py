"""Auto-assign: the best overall plan for many open requests, not a greedy one.

The model
---------
Each open request needs some lecturers ("seats"). Putting lecturer *l* on a seat of
request *r* costs ``base[r, l]`` (the soft costs of ``selectors.evaluate``: travel,
continuity, experience, preferences), plus a workload term: the *k*-th session a
lecturer holds in a month costs ``FAIRNESS_WEIGHT × k`` (counting the sessions they
already have), so the total grows with the square of a lecturer's load and the plan
spreads work fairly. A seat left empty costs ``UNFILLED_COST``, more than any real
assignment, so the plan fills as many seats as it can first. Hard constraints
(certificate on the date, topic, language, availability, monthly cap, no overlap
and enough travel time with existing sessions) are checked per pair by
``selectors.evaluate`` and make a pair impossible.

The solver
----------
``scipy.optimize.linear_sum_assignment`` (or, for large plans, its sparse twin; see
``_Matrix``) on a matrix with one row per seat and one column per *slot* (lecturer × month × k-th session that month, up to the monthly
cap), plus one "unfilled" column per seat. Increasing slot costs make the matrix
model the monthly cap and the quadratic fairness term exactly. What a single
assignment problem cannot express is that one lecturer cannot take two *new*
requests that clash (same time, or too little travel time between them, or two
seats of one request). Those are handled by branch and bound: a solution with a
clash (l on seats a and b) is split into "l not on a" and "l not on b"; every
branch's assignment cost is a lower bound, so the first clash-free solution taken
best-first is optimal. A repair heuristic gives a good incumbent first so that most
branches are pruned; if the node or time budget runs out, the plan says it is not
proven optimal and reports the gap to the lower bound.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from . import travel
from .selectors import (
    FAIRNESS_WEIGHT,
    Reason,
    candidate_reasons,
    constraint_label,
    evaluate,
    load_matching_data,
)

UNFILLED_COST = 10_000.0
FORBIDDEN = 1e9
DENSE_LIMIT = 250_000  # cells; larger problems use the sparse solver


# --- the pure problem ---------------------------------------------------------------


@dataclass
class Problem:
    """An assignment problem in arrays.

    ``base``: seats × lecturers, soft cost, ``inf`` where a hard constraint fails.
    ``seat_request``: the request index of each seat. ``seat_month``: month index of
    each seat. ``load``: months × lecturers, sessions already held. ``cap``: monthly cap
    per lecturer. ``clash``: requests × requests, True when one lecturer cannot take
    both (a request clashes with itself).
    """

    base: np.ndarray
    seat_request: np.ndarray
    seat_month: np.ndarray
    load: np.ndarray
    cap: np.ndarray
    clash: np.ndarray

    @property
    def seats(self) -> int:
        return self.base.shape[0]

    @property
    def lecturers(self) -> int:
        return self.base.shape[1]


@dataclass
class Solution:
    assignment: np.ndarray  # lecturer index per seat, -1 = unfilled
    cost: float
    lower_bound: float
    proven_optimal: bool
    nodes: int = 0
    seconds: float = 0.0
    repairs: int = 0

    @property
    def filled(self) -> int:
        return int((self.assignment >= 0).sum())


def plan_cost(problem: Problem, assignment: np.ndarray) -> float:
    """The objective of a full plan (the same function for every algorithm)."""
    total = 0.0
    counts: dict[tuple[int, int], int] = {}
    for seat, lecturer in enumerate(assignment):
        if lecturer < 0:
            total += UNFILLED_COST
            continue
        month = int(problem.seat_month[seat])
        k = counts.get((month, lecturer), 0)
        counts[(month, lecturer)] = k + 1
        total += float(problem.base[seat, lecturer]) + FAIRNESS_WEIGHT * (
            problem.load[month, lecturer] + k
        )
    return total


def is_feasible(problem: Problem, assignment: np.ndarray) -> bool:
    counts: dict[tuple[int, int], int] = {}
    by_lecturer: dict[int, list[int]] = {}
    for seat, lecturer in enumerate(assignment):
        if lecturer < 0:
            continue
        if not np.isfinite(problem.base[seat, lecturer]):
            return False
        key = (int(problem.seat_month[seat]), int(lecturer))
        counts[key] = counts.get(key, 0) + 1
        if problem.load[key] + counts[key] > problem.cap[lecturer]:
            return False
        by_lecturer.setdefault(int(lecturer), []).append(seat)
    return _first_clash(problem, by_lecturer) is None


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


def _first_clash(problem: Problem, by_lecturer) -> tuple[int, int, int] | None:
    found = _clashes(problem, by_lecturer, first_only=True)
    return found[0] if found else None


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
        repairs=repairs,
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


def solve_greedy(problem: Problem) -> Solution:
    """The baseline: seats in order, each to the cheapest lecturer still allowed."""
    started = time.perf_counter()
    assignment = np.full(problem.seats, -1, dtype=np.int64)
    load = problem.load.astype(float).copy()
    taken: dict[int, list[int]] = {}
    for seat in range(problem.seats):
        month = int(problem.seat_month[seat])
        costs = problem.base[seat] + FAIRNESS_WEIGHT * load[month]
        costs = np.where(load[month] < problem.cap, costs, np.inf)
        for lecturer in np.argsort(costs, kind="stable"):
            if not np.isfinite(costs[lecturer]):
                break
            request = problem.seat_request[seat]
            others = taken.get(int(lecturer), [])
            if others and problem.clash[request, problem.seat_request[others]].any():
                continue
            assignment[seat] = lecturer
            load[month, lecturer] += 1
            taken.setdefault(int(lecturer), []).append(seat)
            break
    cost = plan_cost(problem, assignment)
    return Solution(assignment, cost, cost, False, seconds=time.perf_counter() - started)


def request_clashes(starts, ends, lats, lons) -> np.ndarray:
    """requests × requests: True when one lecturer cannot do both (overlap or too little
    travel time between the venues; a request clashes with itself)."""
    starts, ends = np.asarray(starts), np.asarray(ends)
    overlap = (starts[:, None] < ends[None, :]) & (ends[:, None] > starts[None, :])
    gap = np.maximum(starts[None, :] - ends[:, None], starts[:, None] - ends[None, :])
    needed = np.nan_to_num(
        travel.travel_minutes(lats[:, None], lons[:, None], lats[None, :], lons[None, :]),
        nan=travel.TRANSFER_MINUTES,
    )
    clash = overlap | (gap < needed)
    np.fill_diagonal(clash, True)
    return clash


# --- plans for real requests ----------------------------------------------------------


@dataclass
class PlanItem:
    request: object
    user_id: int
    name: str
    cost: float
    reasons: list[Reason]


@dataclass
class UnfilledRequest:
    request: object
    seats: int
    reasons: list[str]


@dataclass
class Plan:
    items: list[PlanItem] = field(default_factory=list)
    unfilled: list[UnfilledRequest] = field(default_factory=list)
    solution: Solution | None = None
    greedy: Solution | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def total_cost(self) -> float:
        return self.solution.cost if self.solution else 0.0

    @property
    def greedy_cost(self) -> float:
        return self.greedy.cost if self.greedy else 0.0


def build_problem(requests, seats_needed, data):
    """The Problem for ``requests`` (with seats each still needs) and their evaluations."""
    from .selectors import _epoch_minutes, _float, _month_key

    pool = data.pool
    months = sorted({_month_key(r.date) for r in requests})
    month_index = {key: i for i, key in enumerate(months)}
    load = np.zeros((len(months), len(pool)), dtype=np.int64)
    for key, i in month_index.items():
        if key in data.monthly_load:
            load[i] = data.monthly_load[key]
    evaluations, base_rows, seat_request, seat_month = [], [], [], []
    for index, request in enumerate(requests):
        evaluation = evaluate(data, request)
        evaluations.append(evaluation)
        # The monthly cap is modelled by the slots, so it is not a pair constraint here.
        from .selectors import BIT, MONTHLY_CAP

        allowed = (evaluation.flags & ~BIT[MONTHLY_CAP]) == 0
        base = np.where(allowed, evaluation.cost - FAIRNESS_WEIGHT * evaluation.load, np.inf)
        for _seat in range(seats_needed[index]):
            base_rows.append(base)
            seat_request.append(index)
            seat_month.append(month_index[_month_key(request.date)])
    problem = Problem(
        base=np.array(base_rows).reshape(len(base_rows), len(pool)),
        seat_request=np.array(seat_request, dtype=np.int64),
        seat_month=np.array(seat_month, dtype=np.int64),
        load=load,
        cap=pool.cap,
        clash=request_clashes(
            np.array([_epoch_minutes(r.starts_at) for r in requests], dtype=np.int64),
            np.array([_epoch_minutes(r.ends_at) for r in requests], dtype=np.int64),
            np.array([_float(r.venue.latitude) for r in requests]),
            np.array([_float(r.venue.longitude) for r in requests]),
        ),
    )
    return problem, evaluations


def plan_auto_assign(
    requests, *, node_limit: int = 300, time_limit: float = 1.0, user_ids=None
) -> Plan:
    """The best plan for the seats these requests still need, with the greedy baseline.

    ``user_ids`` limits the lecturers considered (None: every lecturer).
    """
    from .models import LIVE_SESSION_STATUSES

    requests = list(requests)
    live = {
        r.pk: sum(1 for s in r.sessions.all() if s.status in LIVE_SESSION_STATUSES)
        for r in requests
    }
    seats_needed = [max(r.lecturers_needed - live[r.pk], 0) for r in requests]
    requests = [r for r, n in zip(requests, seats_needed, strict=True) if n]
    seats_needed = [n for n in seats_needed if n]
    plan = Plan()
    if not requests:
        return plan
    started = time.perf_counter()
    data = load_matching_data(requests, user_ids=user_ids)
    loaded = time.perf_counter()
    problem, evaluations = build_problem(requests, seats_needed, data)
    built = time.perf_counter()
    plan.solution = solve(problem, node_limit=node_limit, time_limit=time_limit)
    solved = time.perf_counter()
    plan.greedy = solve_greedy(problem)
    plan.timings = {
        "load": loaded - started,
        "evaluate": built - loaded,
        "solve": solved - built,
        "greedy": time.perf_counter() - solved,
    }
    filled_per_request = np.zeros(len(requests), dtype=np.int64)
    for seat, lecturer in enumerate(plan.solution.assignment):
        index = int(problem.seat_request[seat])
        if lecturer < 0:
            continue
        filled_per_request[index] += 1
        evaluation = evaluations[index]
        plan.items.append(
            PlanItem(
                request=requests[index],
                user_id=int(data.pool.user_ids[lecturer]),
                name=data.pool.names[lecturer],
                cost=round(float(evaluation.cost[lecturer]), 1),
                reasons=candidate_reasons(evaluation, int(lecturer)),
            )
        )
    for index, request in enumerate(requests):
        missing = seats_needed[index] - int(filled_per_request[index])
        if missing <= 0:
            continue
        plan.unfilled.append(
            UnfilledRequest(request, missing, _unfilled_reasons(evaluations[index], problem))
        )
    return plan


def _unfilled_reasons(evaluation, problem) -> list[str]:
    from django.utils.translation import gettext as _

    from .selectors import BIT, HARD_CONSTRAINTS

    feasible = int(evaluation.feasible.sum())
    if feasible:
        return [
            _(
                "%(count)d allowed lecturer(s), all needed for other requests of the plan "
                "or at their monthly cap"
            )
            % {"count": feasible}
        ]
    counts = []
    for code in HARD_CONSTRAINTS:
        failing = int(((evaluation.flags & BIT[code]) != 0).sum())
        if failing:
            counts.append((failing, code))
    counts.sort(reverse=True)
    if not counts:
        return [_("no lecturer has a profile yet")]
    return [
        _("%(count)d lecturer(s): %(reason)s") % {"count": n, "reason": constraint_label(code)}
        for n, code in counts[:4]
    ]
