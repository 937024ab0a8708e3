"""The evaluator interface: a requirement kind must say how it is evaluated."""

import pytest

from certification.requirements import EVALUATORS, Evaluator, register


def test_an_evaluator_without_evaluate_cannot_be_registered():
    class Incomplete(Evaluator):
        kind = "incomplete"

    with pytest.raises(TypeError):
        register(Incomplete)
    assert "incomplete" not in EVALUATORS
