"""False discovery rate control across many wards (Benjamini & Hochberg 1995)."""

from __future__ import annotations

import pytest

from services.kpi.domain.stats import benjamini_hochberg, expected_false_signals, significant

# Benjamini & Hochberg (1995), J. R. Statist. Soc. B 57(1), section 4.2: the 15 p-values of
# the myocardial infarction study; at q = 0.05 the procedure rejects the four smallest.
PAPER = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
         0.4262, 0.5719, 0.6528, 0.7590, 1.000]  # fmt: skip
# By hand: m·p_(i)/i = 15·p/i, then the running minimum from the largest down.
ADJUSTED = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 15 * 0.0298 / 7, 15 * 0.0298 / 7, 0.0645,
            0.0765, 0.486, 15 * 0.4262 / 11, 0.714875, 15 * 0.6528 / 13, 15 * 0.7590 / 14,
            1.0]  # fmt: skip


def test_the_papers_worked_example() -> None:
    p_values = {f"test {i + 1}": p for i, p in enumerate(PAPER)}
    adjusted = benjamini_hochberg(p_values)
    assert list(adjusted) == list(p_values)
    assert list(adjusted.values()) == pytest.approx(ADJUSTED, rel=1e-12)
    assert significant(p_values, 0.05) == {"test 1", "test 2", "test 3", "test 4"}


@pytest.mark.parametrize(
    ("q", "rejected"),
    [(0.001, 0), (0.0015, 1), (0.01, 3), (0.04, 4), (0.0639, 7), (0.07, 8), (0.5, 10), (1.0, 15)],
)
def test_rejections_grow_with_q(q: float, rejected: int) -> None:
    found = significant(dict(enumerate(PAPER)), q)
    assert found == set(range(rejected))


def test_order_of_the_input_does_not_matter_and_ties_share_a_value() -> None:
    adjusted = benjamini_hochberg({"E05000001": 0.04, "E05000002": 0.01, "E05000003": 0.04})
    # sorted 0.01, 0.04, 0.04: 3·0.01/1 = 0.03, 3·0.04/2 = 0.06, 3·0.04/3 = 0.04 → 0.03, 0.04, 0.04
    assert adjusted == pytest.approx({"E05000001": 0.04, "E05000002": 0.03, "E05000003": 0.04})


def test_adjusted_values_are_capped_at_one() -> None:
    assert benjamini_hochberg({"a": 0.9, "b": 0.95}) == pytest.approx({"a": 0.95, "b": 0.95})
    assert benjamini_hochberg({"a": 1.0}) == {"a": 1.0}
    assert benjamini_hochberg({}) == {}
    assert significant({}, 0.05) == set()


@pytest.mark.parametrize(
    ("p_values", "q", "message"),
    [({"a": 1.2}, 0.05, "between 0 and 1"), ({"a": -0.1}, 0.05, "between 0 and 1"),
     ({"a": 0.1}, 0.0, "in \\(0, 1\\]"), ({"a": 0.1}, 1.5, "in \\(0, 1\\]")],
)  # fmt: skip
def test_bad_inputs_are_refused(p_values: dict[str, float], q: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        benjamini_hochberg(p_values, q)


@pytest.mark.parametrize(
    ("n_tests", "alpha", "expected"),
    [(630, 0.05, 31.5), (679, 0.01, 6.79), (0, 0.05, 0.0), (32, 0.001, 0.032)],
)
def test_expected_false_signals(n_tests: int, alpha: float, expected: float) -> None:
    assert expected_false_signals(n_tests, alpha) == pytest.approx(expected, rel=1e-12)


def test_expected_false_signals_refuses_bad_inputs() -> None:
    with pytest.raises(ValueError, match="n_tests must be >= 0"):
        expected_false_signals(-1, 0.05)
    with pytest.raises(ValueError, match="significance level"):
        expected_false_signals(10, 0.0)
