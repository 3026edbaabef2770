"""The step functions of sim/model against hand computations, on scalars (as the
kernel calls them) and on arrays over paths (as the reference does), bit for bit."""

import numpy as np
import pytest

from sim.model import fiscal, macro, plan, reporting, resilience, will

CASES = [  # (function, scalar arguments, value by hand)
    (macro.expected, (0.03, 0.02, 0.5), 0.025),
    (macro.growth, (0.02, 0.01, -2.0, -0.01), -0.01),
    (macro.growth, (0.02, 0.1, -9.0, 0.0), macro.RATE_FLOOR),
    (macro.inflation, (0.02, 0.01, 1.0), 0.03),
    (macro.nominal, (100.0, 0.1, 0.1), 121.0),
    (will.state, (1.0, 0.2, 0.0, 0.5, 2.0, 0.3), 1.0 - 0.2 + 1.0 + 0.3),
    (will.level, (0.5, 0.5, 1.0), 0.5),
    (fiscal.drag, (0.4, 110.0, 90.0, 1.0), 0.8),
    (fiscal.drag, (0.4, 80.0, 90.0, 1.0), 0.0),
    (fiscal.drag, (0.4, 110.0, 90.0, 0.0), 0.0),
    (fiscal.debt, (60.0, 0.0, 0.0, 0.0, 2.0, 0.5, 3.0, 2.0), 62.5),
    (plan.toward, (2.0, 1.0, 0.5, 3.0, 0.0, 10.0), 2.5),
    (plan.toward, (2.0, 1.0, 0.5, 3.0, 0.0, 0.3), 2.3),  # capped at dmax
    (plan.toward, (2.0, 1.0, 1.0, 3.0, 1.0, 10.0), 2.0),  # reclassified: no gap
    (plan.toward, (0.1, 1.0, 1.0, -5.0, 0.0, 10.0), 0.0),  # never below 0
    (plan.fixed, (2.0, 0.2, 2), 2.6),
    (plan.budget, (3.0, 0.5, 200.0, 1.0), 5.0),
    (plan.budget, (0.2, 0.5, 200.0, 1.0), 0.0),
    (reporting.genuine, (5.0, 0.9, 150.0), 3.0),
    (reporting.core, (3.0, 0.5, -0.1), 3.4),
    (resilience.spending, (1.0, 0.5, 0.2, 1.5, 0.0), 1.05),
    (resilience.spending, (0.01, 0.0, 0.2, 1.5, -0.5), 0.0),
    (resilience.counted, (1.7, 1.5, 0.0), 1.5),
    (resilience.counted, (1.7, 1.5, 0.2), 1.2),  # a fifth ruled out: 1.5 * 0.8
    (resilience.counted, (1.0, 1.5, 0.5), 0.5),
    (resilience.counted, (1.0, 1.5, 1.0), 0.0),
]


@pytest.mark.parametrize(("fn", "args", "want"), CASES)
def test_step_by_hand_on_scalars_and_arrays(fn, args, want):
    got = fn(*args)
    assert got == pytest.approx(want, rel=1e-14, abs=1e-15)
    # first argument over 3 paths, as the reference calls it: the same numbers
    arr = fn(np.full(3, args[0]), *args[1:])
    np.testing.assert_array_equal(arr, np.full(3, got))
