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
The plan is a mixed-integer program solved by HiGHS (``scipy.optimize.milp``), a
mature branch-and-cut solver, to proven optimality (see ``docs/decisions.md``):

- a binary ``x[s, l]`` for every allowed pair of seat and lecturer;
- each seat takes at most one lecturer (the rest of the seat is "unfilled");
- a lecturer's new sessions in a month fill *slots* ``z[m, l, k]`` (continuous in
  [0, 1]) that cost ``FAIRNESS_WEIGHT × (load + k)``; slot costs increase, so the
  cheapest fill first and the sum models the quadratic fairness term exactly, and
  there are only ``cap - load`` slots, which is the monthly cap;
- clashes between *new* requests (same time, too little travel time between them,
  or two seats of one request) are clique constraints: the clash graph of the
  requests is covered by cliques, and a lecturer takes at most one seat of each
  clique. A clique is a tighter relaxation than one row per clashing pair, which is
  what lets the solver prove optimality at the root on the sizes the bureau plans.

Work is bounded by HiGHS's node limit (deterministic) and, in a web request, by a
time limit as a safety valve; a plan stopped early says so and states its gap to the
proven lower bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

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
# Optimality tolerance: a plan whose relative gap to the lower bound is at most this is
# reported as optimal (HiGHS's own default, 0.01%; the target is 0.1%).
OPTIMALITY_GAP = 1e-4
# A web request never waits longer than this for a plan (a safety valve, not a budget:
# the bureau's month of 1,000 requests is proven optimal in a fraction of it).
PLAN_TIME_LIMIT = 30.0


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
    variables: int = 0
    constraints: int = 0

    @property
    def filled(self) -> int:
        return int((self.assignment >= 0).sum())

    @property
    def gap(self) -> float:
        """Relative distance of the plan's cost from the proven lower bound."""
        if self.cost <= 0:
            return 0.0
        return max(self.cost - self.lower_bound, 0.0) / self.cost


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
    """True when every pair is allowed, no cap is exceeded and no lecturer holds two
    clashing seats."""
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
    for seats in by_lecturer.values():
        if len(seats) > 1:
            requests = problem.seat_request[seats]
            sub = problem.clash[np.ix_(requests, requests)].copy()
            np.fill_diagonal(sub, False)
            if sub.any():
                return False
    return True


def clique_cover(clash: np.ndarray) -> list[np.ndarray]:
    """Cliques of the clash graph that together cover every edge and every vertex.

    Greedy: take an uncovered edge, grow it into a maximal clique by adding, among the
    vertices adjacent to all members, the one with most uncovered edges into it; mark
    its edges covered. Any cover is correct (each clique is a valid "at most one" row);
    larger cliques make a tighter relaxation. Deterministic.
    """
    adjacent = np.asarray(clash, dtype=bool).copy()
    np.fill_diagonal(adjacent, False)
    uncovered = adjacent.copy()  # symmetric
    cliques: list[np.ndarray] = []
    in_clique = np.zeros(len(adjacent), dtype=bool)
    for a in range(len(adjacent)):
        while uncovered[a].any():
            b = int(np.argmax(uncovered[a]))
            members = [a, b]
            common = adjacent[a] & adjacent[b]
            while common.any():
                candidates = np.nonzero(common)[0]
                score = uncovered[np.ix_(candidates, members)].sum(axis=1)
                best = int(candidates[np.argmax(score)])
                members.append(best)
                common &= adjacent[best]
            members_array = np.array(sorted(members))
            uncovered[np.ix_(members_array, members_array)] = False
            in_clique[members_array] = True
            cliques.append(members_array)
    cliques.extend(np.array([v]) for v in np.nonzero(~in_clique)[0])
    return cliques


def solve(
    problem: Problem,
    *,
    node_limit: int | None = None,
    time_limit: float | None = None,
    gap: float = OPTIMALITY_GAP,
) -> Solution:
    """The optimal plan, by the mixed-integer program of the module doc.

    Pure and deterministic for the same input when no ``time_limit`` is given: work is
    bounded by ``node_limit`` (None: none). A plan stopped by either limit is the best
    found, with ``proven_optimal`` False and the proven ``lower_bound``.
    """
    started = time.perf_counter()
    seats, lecturers = problem.base.shape
    if seats == 0:
        return Solution(np.zeros(0, dtype=np.int64), 0.0, 0.0, True)
    remaining = np.maximum(problem.cap[None, :] - problem.load, 0)  # months × lecturers
    allowed = np.isfinite(problem.base) & (remaining[problem.seat_month] > 0)
    pair_seat, pair_lecturer = np.nonzero(allowed)
    pairs = len(pair_seat)
    if not pairs:
        return Solution(np.full(seats, -1, dtype=np.int64), UNFILLED_COST * seats, 0.0, True)
    pair_month = problem.seat_month[pair_seat]

    # Slots: (month, lecturer, k) for k below the remaining cap and the allowed seats.
    group = pair_month * lecturers + pair_lecturer
    groups, group_of_pair, group_size = np.unique(group, return_inverse=True, return_counts=True)
    group_month, group_lecturer = groups // lecturers, groups % lecturers
    slot_count = np.minimum(group_size, remaining[group_month, group_lecturer])
    slot_group = np.repeat(np.arange(len(groups)), slot_count)
    slot_k = np.arange(len(slot_group)) - np.repeat(np.cumsum(slot_count) - slot_count, slot_count)
    slot_cost = FAIRNESS_WEIGHT * (problem.load[group_month, group_lecturer][slot_group] + slot_k)
    slots = len(slot_group)

    costs = np.concatenate([problem.base[pair_seat, pair_lecturer] - UNFILLED_COST, slot_cost])
    rows, columns, values, lower, upper = [], [], [], [], []
    row = 0
    # Each seat: at most one lecturer.
    rows.append(pair_seat)
    columns.append(np.arange(pairs))
    values.append(np.ones(pairs))
    lower.append(np.full(seats, -np.inf))
    upper.append(np.ones(seats))
    row += seats
    # Each (month, lecturer): new seats taken = slots filled.
    rows += [row + group_of_pair, row + slot_group]
    columns += [np.arange(pairs), pairs + np.arange(slots)]
    values += [np.ones(pairs), -np.ones(slots)]
    lower.append(np.zeros(len(groups)))
    upper.append(np.zeros(len(groups)))
    row += len(groups)
    # Each clique of clashing requests and lecturer: at most one seat.
    pair_request = problem.seat_request[pair_seat]
    for clique in clique_cover(problem.clash):
        members = np.nonzero(np.isin(pair_request, clique))[0]
        if len(members) < 2:
            continue
        owners, first, per_owner = np.unique(
            pair_lecturer[members], return_inverse=True, return_counts=True
        )
        keep = per_owner[first] >= 2
        members, first = members[keep], first[keep]
        if not len(members):
            continue
        used, first = np.unique(first, return_inverse=True)
        rows.append(row + first)
        columns.append(members)
        values.append(np.ones(len(members)))
        lower.append(np.full(len(used), -np.inf))
        upper.append(np.ones(len(used)))
        row += len(used)

    matrix = coo_array(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
        shape=(row, pairs + slots),
    ).tocsr()
    # HiGHS's MIP presolve spends most of its time (3.8 of 5.0 s at 1,000 × 500) on rows
    # that are already tight here; without it the root relaxation is integral or nearly
    # so and the plan is proven optimal in 1.8 s (bench/corps_autoassign.py).
    options = {"mip_rel_gap": gap, "presolve": False}
    if node_limit is not None:
        options["node_limit"] = node_limit
    if time_limit is not None:
        options["time_limit"] = time_limit
    result = milp(
        costs,
        integrality=np.concatenate([np.ones(pairs), np.zeros(slots)]),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(matrix, np.concatenate(lower), np.concatenate(upper)),
        options=options,
    )
    assignment = np.full(seats, -1, dtype=np.int64)
    if result.x is not None:
        chosen = result.x[:pairs] > 0.5
        assignment[pair_seat[chosen]] = pair_lecturer[chosen]
    cost = plan_cost(problem, assignment)
    bound = getattr(result, "mip_dual_bound", None)
    lower_bound = cost if bound is None else min(float(bound) + UNFILLED_COST * seats, cost)
    return Solution(
        assignment=assignment,
        cost=cost,
        lower_bound=lower_bound,
        proven_optimal=result.status == 0,
        nodes=int(getattr(result, "mip_node_count", 0) or 0),
        seconds=time.perf_counter() - started,
        variables=pairs + slots,
        constraints=row,
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
    requests, *, node_limit: int | None = None, time_limit: float = PLAN_TIME_LIMIT, user_ids=None
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
