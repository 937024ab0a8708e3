import pytest
import time_machine

from classes.tests.factories import TODAY


@pytest.fixture
def clock():
    """The tests' clock, frozen the day before the class (``clock.move_to(...)`` moves it)."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller
