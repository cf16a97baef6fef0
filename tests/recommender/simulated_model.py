"""Small seeded simulations and models shared by the recommender tests (cached per session)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from data.catalogue import Catalogue, load_catalogue
from recommender.decide.ranker import TrainResult
from recommender.learn.train import TrainConfig, fit
from recommender.simulate.population import SimulatedData, simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, Scenario, load_scenario

STRONG_SCENARIO = Path(__file__).resolve().parent / "scenarios" / "strong.yaml"


def catalogue() -> Catalogue:
    return load_catalogue()


@lru_cache(maxsize=4)
def scenario(path: Path = DEFAULT_SCENARIO) -> Scenario:
    return load_scenario(path, catalogue())


@lru_cache(maxsize=8)
def data(n: int = 5000, seed: int = 42, path: Path = DEFAULT_SCENARIO) -> SimulatedData:
    return simulate(scenario(path), catalogue(), n, seed=seed)


@lru_cache(maxsize=4)
def trained(n: int = 20_000, path: Path = DEFAULT_SCENARIO) -> TrainResult:
    return fit(data(n, 42, path), TrainConfig.quick())


class FixedRegistry:
    """Stands in for ``ModelRegistry`` in decision-path tests: always this model (or rules), no shadow."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def load_active(self) -> Any:
        return self.model

    def load_shadow(self) -> None:
        return None
