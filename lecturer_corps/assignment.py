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
``scipy.optimize.linear_sum_assignment`` on a matrix with one row per seat and one
column per *slot* (lecturer × month × k-th session that month, up to the monthly
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
    """The slot matrix of a problem, built once and re-solved with forbidden pairs."""

    def __init__(self, problem: Problem):
        self.problem = problem
        seats, lecturers = problem.base.shape
        months = problem.load.shape[0]
        feasible = np.isfinite(problem.base)
        columns_lecturer, columns_month, columns_k = [], [], []
        for month in range(months):
            in_month = problem.seat_month == month
            if not in_month.any():
                continue
            wanted = feasible[in_month].sum(axis=0)
            remaining = np.maximum(problem.cap - problem.load[month], 0)
            slots = np.minimum(wanted, remaining)
            for lecturer in np.nonzero(slots)[0]:
                for k in range(int(slots[lecturer])):
                    columns_lecturer.append(lecturer)
                    columns_month.append(month)
                    columns_k.append(k)
        self.column_lecturer = np.array(columns_lecturer, dtype=np.int64)
        column_month = np.array(columns_month, dtype=np.int64)
        column_k = np.array(columns_k, dtype=np.int64)
        slot_costs = np.full((seats, len(columns_lecturer)), FORBIDDEN)
        if len(columns_lecturer):
            base = problem.base[:, self.column_lecturer]
            fairness = FAIRNESS_WEIGHT * (
                problem.load[column_month, self.column_lecturer] + column_k
            )
            same_month = problem.seat_month[:, None] == column_month[None, :]
            usable = same_month & np.isfinite(base)
            slot_costs = np.where(usable, np.where(usable, base, 0.0) + fairness, FORBIDDEN)
        self.matrix = np.hstack([slot_costs, np.full((seats, seats), UNFILLED_COST)])
        self.columns_of = {
            int(lecturer): np.nonzero(self.column_lecturer == lecturer)[0]
            for lecturer in np.unique(self.column_lecturer)
        }

    def solve(self, forbidden: frozenset) -> tuple[np.ndarray, float]:
        matrix = self.matrix
        if forbidden:
            matrix = matrix.copy()
            for seat, lecturer in forbidden:
                matrix[seat, self.columns_of[lecturer]] = FORBIDDEN
        rows, columns = linear_sum_assignment(matrix)
        assignment = np.full(self.problem.seats, -1, dtype=np.int64)
        cost = float(matrix[rows, columns].sum())
        slots = len(self.column_lecturer)
        real = columns < slots
        assignment[rows[real]] = self.column_lecturer[columns[real]]
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


def solve(problem: Problem, *, node_limit: int = 300, time_limit: float = 3.0) -> Solution:
    """The optimal plan by branch and bound over assignment problems (see module doc)."""
    started = time.perf_counter()
    if problem.seats == 0:
        return Solution(np.zeros(0, dtype=np.int64), 0.0, 0.0, True)
    matrix = _Matrix(problem)
    root, root_cost = matrix.solve(frozenset())

    # Incumbent: repair clashes (each lecturer's dearer seat of a clash is forbidden)
    # and re-solve until none is left. Forbidden pairs only grow, so this ends.
    forbidden: set = set()
    incumbent, incumbent_cost = root, root_cost
    while found := matrix.clashes(incumbent, first_only=False):
        for a, b, lecturer in found:
            dearer = a if problem.base[a, lecturer] >= problem.base[b, lecturer] else b
            forbidden.add((dearer, lecturer))
        incumbent, incumbent_cost = matrix.solve(frozenset(forbidden))
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
        if nodes >= node_limit or time.perf_counter() - started > time_limit:
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


def plan_auto_assign(requests, *, node_limit: int = 300, time_limit: float = 3.0) -> Plan:
    """The best plan for the seats these requests still need, with the greedy baseline."""
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
    data = load_matching_data(requests)
    problem, evaluations = build_problem(requests, seats_needed, data)
    plan.solution = solve(problem, node_limit=node_limit, time_limit=time_limit)
    plan.greedy = solve_greedy(problem)
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
