"""The default label colours stay apart for readers with protanopia or deuteranopia: each pair's colour
difference (CIE76 in Lab) under Machado, Oliveira and Fernandes' (2009) full-severity simulation."""

from __future__ import annotations

import itertools
import math

import pytest

from annotator.model import DEFAULT_LABELS

SIMULATIONS = {
    "normal": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
}
MIN_DIFFERENCE = 30.0
"""Well apart (a difference of about 2 is just noticeable side by side; the former PLACE and EVENT
came to 8 under protanopia)."""


def linear(hex_colour: str) -> list[float]:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def lab(rgb: list[float]) -> tuple[float, float, float]:
    to_xyz = ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505))
    x, y, z = (sum(row[j] * rgb[j] for j in range(3)) for row in to_xyz)

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x / 0.95047), f(y), f(z / 1.08883)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def seen(hex_colour: str, simulation: str) -> tuple[float, float, float]:
    matrix = SIMULATIONS[simulation]
    rgb = linear(hex_colour)
    simulated = [min(max(sum(row[j] * rgb[j] for j in range(3)), 0.0), 1.0) for row in matrix]
    return lab(simulated)


@pytest.mark.parametrize("simulation", list(SIMULATIONS))
def test_default_label_colours_stay_apart(simulation: str) -> None:
    colours = {name: colour for name, _key, colour in DEFAULT_LABELS}
    for (a, ca), (b, cb) in itertools.combinations(colours.items(), 2):
        difference = math.dist(seen(ca, simulation), seen(cb, simulation))
        assert difference >= MIN_DIFFERENCE, f"{a} and {b} under {simulation}: {difference:.1f}"


def test_the_former_colours_fail_the_same_check() -> None:
    """The check can fail: the blue and purple the labels had came to 8 under protanopia."""
    assert math.dist(seen("#3584e4", "protanopia"), seen("#c061cb", "protanopia")) < MIN_DIFFERENCE
