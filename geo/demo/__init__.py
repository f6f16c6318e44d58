"""The demo: a synthetic but calibrated year of hate crime on real places.

Real ONS geography and real places, with planted hot spots, tension episodes and repeat
victims to find again.

:mod:`~geo.demo.builder` (the :class:`ScenarioBuilder` that makes records),
:mod:`~geo.demo.generator` (a whole scenario), :mod:`~geo.demo.planting` (the planted
patterns), :mod:`~geo.demo.calibration` (published figures), the budgets of the seed
forces, Hertfordshire and Cambridgeshire (:mod:`~geo.demo.seed_periods`), and of any
other force at the national rate (:mod:`~geo.demo.force`), :mod:`~geo.demo.places` and
:mod:`~geo.demo.texts` (real places, plausible descriptions), :mod:`~geo.demo.run`
(``tensionmap demo``: build a workspace) and :mod:`~geo.demo.outputs` (its analyses).
"""

from geo.demo.builder import ScenarioBuilder
from geo.demo.generator import Scenario, generate
from geo.demo.run import build_demo, demo_password, run_demo

__all__ = ["Scenario", "ScenarioBuilder", "build_demo", "demo_password", "generate", "run_demo"]
