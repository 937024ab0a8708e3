"""Auto-assign: optimal on small cases (checked against brute force), never infeasible."""

import datetime
import itertools

import numpy as np
import pytest

from lecturer_corps.assignment import (
    Problem,
    is_feasible,
    plan_auto_assign,
    plan_cost,
    request_clashes,
    solve,
    solve_greedy,
)
from lecturer_corps.tests.factories import make_lecturer, make_request, next_weekday


def brute_force(problem: Problem) -> float:
    """The cheapest feasible plan by trying every lecturer (or none) for every seat."""
    best = np.inf
    options = range(-1, problem.lecturers)
    for combination in itertools.product(options, repeat=problem.seats):
        assignment = np.array(combination)
        if is_feasible(problem, assignment):
            best = min(best, plan_cost(problem, assignment))
    return best


def random_problem(seed: int, seats=5, lecturers=3, requests=4) -> Problem:
    rng = np.random.default_rng(seed)
    base = rng.uniform(0, 60, size=(seats, lecturers))
    base[rng.random((seats, lecturers)) < 0.25] = np.inf
    seat_request = np.sort(rng.integers(0, requests, size=seats))
    clash = rng.random((requests, requests)) < 0.35
    clash = clash | clash.T
    np.fill_diagonal(clash, True)
    return Problem(
        base=base,
        seat_request=seat_request,
        seat_month=np.zeros(seats, dtype=np.int64),
        load=rng.integers(0, 3, size=(1, lecturers)),
        cap=rng.integers(2, 5, size=lecturers),
        clash=clash,
    )


@pytest.mark.parametrize("seed", range(40))
def test_auto_assign_is_optimal_against_brute_force(seed):
    # No time limit: the solver's work is bounded only by the problem, so a busy
    # machine can make it slower but never change its answer.
    problem = random_problem(seed)
    solution = solve(problem, gap=0.0)
    assert solution.proven_optimal
    assert is_feasible(problem, solution.assignment)
    assert solution.cost == pytest.approx(brute_force(problem))
    assert solution.lower_bound == pytest.approx(solution.cost)


@pytest.mark.parametrize("seed", range(10))
def test_auto_assign_with_several_seats_per_request_matches_brute_force(seed):
    problem = random_problem(seed + 300, seats=6, lecturers=3, requests=3)
    solution = solve(problem, gap=0.0)
    assert is_feasible(problem, solution.assignment)
    assert solution.cost == pytest.approx(brute_force(problem))


def test_a_large_plan_reaches_the_optimum_known_by_construction():
    # 300 requests at the same hour (every pair clashes) over 400 lecturers, one seat
    # each. The cost of lecturer l on request r is a[r] + b[l]; a few pairs are
    # forbidden, but never one of the 300 cheapest lecturers. Every lecturer can hold
    # one request at most, so the optimum fills every seat with the 300 lecturers of
    # smallest b: sum(a) + the 300 smallest b, whatever the order.
    rng = np.random.default_rng(7)
    requests, lecturers = 300, 400
    a = rng.uniform(0, 50, size=requests)
    b = rng.permutation(np.linspace(0, 40, lecturers))
    base = a[:, None] + b[None, :]
    expensive = np.argsort(b)[requests:]
    forbid = rng.random((requests, len(expensive))) < 0.3
    base[:, expensive] = np.where(forbid, np.inf, base[:, expensive])
    problem = Problem(
        base=base,
        seat_request=np.arange(requests),
        seat_month=np.zeros(requests, dtype=np.int64),
        load=np.zeros((1, lecturers), dtype=np.int64),
        cap=np.full(lecturers, 4),
        clash=np.ones((requests, requests), dtype=bool),
    )
    solution = solve(problem, gap=0.0)
    assert solution.proven_optimal
    assert solution.filled == requests
    assert is_feasible(problem, solution.assignment)
    assert solution.cost == pytest.approx(a.sum() + np.sort(b)[:requests].sum())
    assert len(set(solution.assignment.tolist())) == requests


def test_a_node_limit_stops_the_search_with_an_honest_bound():
    # Work bounded by nodes, not seconds: the plan is feasible and its bound is below it.
    problem = random_problem(11, seats=6, lecturers=3, requests=5)
    solution = solve(problem, node_limit=1)
    assert is_feasible(problem, solution.assignment)
    assert solution.lower_bound <= solution.cost + 1e-6
    if not solution.proven_optimal:
        assert solution.gap > 0


def test_cliques_cover_every_clash():
    from lecturer_corps.assignment import clique_cover

    rng = np.random.default_rng(3)
    clash = rng.random((40, 40)) < 0.2
    clash = clash | clash.T
    np.fill_diagonal(clash, True)
    cliques = clique_cover(clash)
    covered = np.zeros_like(clash)
    for clique in cliques:
        block = clash[np.ix_(clique, clique)]
        assert block.all()  # a clique: every pair in it clashes
        covered[np.ix_(clique, clique)] = True
    assert (covered | ~clash).all()  # every clash (and every request) is in a clique


@pytest.mark.parametrize("seed", range(10))
def test_auto_assign_is_optimal_across_months(seed):
    problem = random_problem(seed + 100, seats=6, lecturers=2, requests=5)
    problem.seat_month = np.array([0, 0, 0, 1, 1, 1])
    problem.load = np.array([[1, 0], [0, 2]])
    problem.cap = np.array([2, 3])
    solution = solve(problem, gap=0.0)
    assert solution.cost == pytest.approx(brute_force(problem))


def test_greedy_can_be_worse_than_the_optimal_plan():
    # Seat 0 comes first and takes lecturer 0 (cost 10 vs 12); seat 1 then has only
    # lecturer 1 at 100. Optimal: seat 0 → lecturer 1 (12), seat 1 → lecturer 0 (11).
    problem = Problem(
        base=np.array([[10.0, 12.0], [11.0, 100.0]]),
        seat_request=np.array([0, 1]),
        seat_month=np.array([0, 0]),
        load=np.zeros((1, 2), dtype=np.int64),
        cap=np.array([1, 1]),
        clash=np.eye(2, dtype=bool),
    )
    greedy, optimal = solve_greedy(problem), solve(problem)
    assert optimal.cost == pytest.approx(23.0)
    assert greedy.cost == pytest.approx(110.0)
    assert optimal.cost < greedy.cost


def test_clashing_requests_never_share_a_lecturer():
    # Both requests at the same time; lecturer 0 is cheapest for both.
    problem = Problem(
        base=np.array([[1.0, 50.0], [2.0, 60.0]]),
        seat_request=np.array([0, 1]),
        seat_month=np.array([0, 0]),
        load=np.zeros((1, 2), dtype=np.int64),
        cap=np.array([4, 4]),
        clash=np.ones((2, 2), dtype=bool),
    )
    solution = solve(problem)
    assert sorted(solution.assignment.tolist()) == [0, 1]
    assert solution.cost == pytest.approx(50.0 + 2.0)  # l1 on seat 0, l0 on seat 1


def test_two_seats_of_one_request_need_two_lecturers():
    problem = Problem(
        base=np.array([[1.0, 5.0], [1.0, 5.0]]),
        seat_request=np.array([0, 0]),
        seat_month=np.array([0, 0]),
        load=np.zeros((1, 2), dtype=np.int64),
        cap=np.array([4, 4]),
        clash=np.ones((1, 1), dtype=bool),
    )
    assert sorted(solve(problem).assignment.tolist()) == [0, 1]


def test_a_seat_nobody_may_take_is_left_unfilled():
    problem = Problem(
        base=np.array([[np.inf, np.inf], [3.0, 4.0]]),
        seat_request=np.array([0, 1]),
        seat_month=np.array([0, 0]),
        load=np.zeros((1, 2), dtype=np.int64),
        cap=np.array([1, 1]),
        clash=np.eye(2, dtype=bool),
    )
    solution = solve(problem)
    assert solution.assignment.tolist() == [-1, 0]
    assert solution.filled == 1


def test_the_monthly_cap_is_respected():
    problem = Problem(
        base=np.array([[1.0, 30.0], [1.0, 30.0], [1.0, 30.0]]),
        seat_request=np.array([0, 1, 2]),
        seat_month=np.array([0, 0, 0]),
        load=np.array([[1, 0]]),
        cap=np.array([2, 4]),
        clash=np.eye(3, dtype=bool),
    )
    solution = solve(problem)
    assert (solution.assignment == 0).sum() == 1


def test_request_clashes_include_travel_time():
    starts = np.array([540, 720, 720])  # 09:00, 12:00, 12:00 (minutes)
    ends = np.array([660, 840, 840])  # 11:00, 14:00, 14:00
    lats = np.array([42.95, 42.95, 42.80])
    lons = np.array([89.18, 89.18, 88.50])
    clash = request_clashes(starts, ends, lats, lons)
    assert not clash[0, 1]  # same place, an hour apart
    assert clash[0, 2]  # 80 km by road cannot be done in an hour
    assert clash[1, 2]  # same time


@pytest.mark.django_db
def test_plan_for_real_requests_assigns_and_explains(venue):
    near = make_lecturer(latitude=42.95, longitude=89.18)
    far = make_lecturer(latitude=42.80, longitude=88.50)
    day = next_weekday()
    both = [
        make_request(venue=venue, date=day),
        make_request(venue=venue, date=day, start=datetime.time(10, 0), end=datetime.time(12, 0)),
    ]
    plan = plan_auto_assign(both)
    assert {item.user_id for item in plan.items} == {near.user_id, far.user_id}
    assert plan.solution.proven_optimal
    assert plan.total_cost <= plan.greedy_cost
    assert all(item.reasons for item in plan.items)
    assert plan.unfilled == []


@pytest.mark.django_db
def test_plan_lists_requests_that_cannot_be_filled_with_why(venue):
    make_lecturer(languages=["zh"])
    plan = plan_auto_assign([make_request(venue=venue, language="ug")])
    assert plan.items == []
    assert len(plan.unfilled) == 1
    assert "does not speak the language" in plan.unfilled[0].reasons[0]
