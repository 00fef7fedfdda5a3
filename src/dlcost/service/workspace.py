"""The one resolver: which error model, interval calibration and hardware an answer uses.

A :class:`Workspace` holds the user's hardware catalog and (lazily) the store. Every
interface asks it, never the store or the catalog directly:

- the error model: the one named, else the store's active model, else ``paper-2024``;
- the interval calibration: split-conformal on the store's observations when it has
  any, else on the shipped ones (Table 2 of seed 000 + VTAB). It is computed once per
  change of the observations and saved in the store, so an answer reads one version
  value and one saved row, however many observations there are;
- the hardware: the catalog with the user's config and saved measurements, as the
  caller passed it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

import dlcost
from dlcost import catalog
from dlcost.catalog.hardware import HardwareCatalog
from dlcost.core.checks import InputError
from dlcost.engine import uncertainty
from dlcost.engine.estimate import estimate as engine_estimate
from dlcost.engine.estimate import predict_error as engine_predict_error
from dlcost.engine.pilot import fit_pilot as engine_fit_pilot
from dlcost.engine.uncertainty import Calibration, default_calibration
from dlcost.schemas import ErrorPrediction, ErrorQuery, Estimate, LearningCurveQuery, LearningCurveResult, Observation, Scenario
from dlcost.store import PUBLISHED_MODEL, Store

__all__ = ["Workspace", "as_observations", "model_digest"]


def as_observations(rows) -> list[Observation]:
    """Store rows as validated observations."""
    return [Observation.model_validate({f: getattr(row, f) for f in Observation.model_fields}) for row in rows]


class Workspace:
    """The user's context for answering questions: hardware, store, active model.

    Parameters
    ----------
    hardware : the hardware catalog answers use (the caller merges the user's files in).
    store : an open store, or None.
    open_store : when ``store`` is None, called on first need; returns a Store or None
        (no store yet: the published model and the shipped calibration).
    cache_seconds : how long the active model and its calibration are reused before the
        store is read again (the web server sets a few seconds; 0 reads every time).
    """

    def __init__(self, hardware: HardwareCatalog, store: Store | None = None,
                 open_store: Callable[[], Store | None] | None = None, cache_seconds: float = 0.0):
        self.hardware = hardware
        self._store = store
        self._open_store = open_store
        self._opened = store is not None
        self._cache_seconds = cache_seconds
        self._cache: dict = {}
        self._lock = threading.Lock()

    # ----- the store ---------------------------------------------------------------
    def store(self) -> Store | None:
        """The store, opened on first use; None when there is none yet."""
        with self._lock:
            if not self._opened and self._open_store is not None:
                self._store = self._open_store()
                self._opened = self._store is not None
            return self._store

    def require_store(self) -> Store:
        """The store, created when there is none yet (saving needs one)."""
        store = self.store()
        if store is None:
            with self._lock:
                self._store, self._opened = Store(), True
            store = self._store
        return store

    def invalidate(self) -> None:
        """Forget the cached model and calibration (after a write to the store)."""
        self._cache.clear()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    # ----- the resolver ---------------------------------------------------------------
    def model(self, name: str | None = None, cost_mode: str | None = None) -> catalog.ErrorModel:
        """The named error model, else the store's active one, else the cost mode's default
        (:func:`dlcost.catalog.default_model`: paper-2024 in paper mode, else dlcost-2026)."""
        if name is not None and not name.strip():
            raise InputError("model", f"model must name an error model, dlcost-2026, {PUBLISHED_MODEL} or a fitted one; got {name!r}. "
                                      "Leave it out for the active model.")
        if name in catalog.SHIPPED_MODELS:
            return catalog.error_model(name)
        store = self.store()
        if store is None:
            return catalog.error_model(name or catalog.default_model(cost_mode))
        return store.error_model(name or store.active_model(catalog.default_model(cost_mode)))

    def calibration(self, model: catalog.ErrorModel, level: float, method: str) -> Calibration:
        """The interval calibration of ``model``: on the store's observations, else the shipped ones.

        Computed once per version of the store's observations (every write changes it) and
        saved there; an answer reads that version and, in a new process, the saved row.
        """
        if model.form == "bounded":
            return None  # dlcost-2026's interval is its own predictive distribution (dataset spread included)
        if method == "ols":
            return uncertainty.calibrate(model, [], level, "ols")
        store = self.store()
        if store is None:
            return default_calibration(model, level)
        digest = model_digest(model)
        version = store.observations_version()
        key = (store.url, digest, float(level), version)
        found = _CALIBRATIONS.get(key)
        if found is None:
            found = self._stored_or_computed(store, model, digest, float(level), version)
            if len(_CALIBRATIONS) >= _CACHE_SIZE:
                _CALIBRATIONS.clear()
            _CALIBRATIONS[key] = found
        return found

    @staticmethod
    def _stored_or_computed(store: Store, model, digest: str, level: float, version: str) -> Calibration:
        saved = store.saved_calibration(digest, level, version)
        if saved is not None:
            return Calibration(**saved, model=model)
        # Stored rows were validated on the way in; the calibration reads their fields as it would an Observation's.
        observations = store.observation_rows(uncertainty.CALIBRATION_FIELDS)
        if not observations:
            return default_calibration(model, level)
        calibration = uncertainty.calibrate(model, observations, level, source=f"the store's {len(observations)} observations")
        if store.observations_version() == version:  # else a write came in meanwhile: do not label it with this version
            values = {name: getattr(calibration, name) for name in _SAVED}
            try:
                store.save_calibration(model.name, digest, version, values)
            except InputError as error:  # a read-only store still answers; it recalibrates next time
                if error.field != "database":
                    raise
        return calibration

    def resolved(self, model_name: str | None, level: float, method: str, cost_mode: str | None = None) -> bool:
        """Whether :meth:`resolve` would answer from memory, without reading the store.

        An async server answers such a request on its event loop and sends any other to a
        thread, so a store read (or a recalibration after a write) never blocks other requests.
        """
        if self._store is None and self._open_store is None:
            return True
        cached = self._cache.get((model_name, float(level), method, cost_mode == "paper"))
        return cached is not None and time.monotonic() - cached[0] < self._cache_seconds

    def resolve(self, model_name: str | None, level: float, method: str,
                cost_mode: str | None = None) -> tuple[catalog.ErrorModel, Calibration]:
        """The model and calibration an answer uses, reused for ``cache_seconds``."""
        key = (model_name, float(level), method, cost_mode == "paper")
        cached = self._cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < self._cache_seconds:
            return cached[1]
        model = self.model(model_name, cost_mode)
        value = (model, self.calibration(model, level, method))
        if self._cache_seconds > 0:
            self._cache[key] = (time.monotonic(), value)
        return value

    # ----- the answers --------------------------------------------------------------------
    def estimate(self, scenario: Scenario, model_name: str | None = None) -> Estimate:
        """:func:`dlcost.engine.estimate.estimate` with the resolved model, calibration and hardware."""
        model, calibration = self.resolve(model_name, scenario.interval_level, scenario.interval_method, scenario.cost_mode)
        return engine_estimate(scenario, model=model, hardware=self.hardware, calibration=calibration)

    def inference(self, query):
        """Serving figures of one architecture on one device (:func:`dlcost.engine.inference.inference`)."""
        from dlcost.engine.inference import inference

        return inference(query, self.hardware)

    def business_unit_cost(self, case) -> dict:
        """Seed 002's operating cost per prediction unit (:func:`dlcost.engine.business.unit_costs`)."""
        from dlcost.engine.business import unit_costs

        return unit_costs(case)

    def business_case(self, case) -> dict:
        """The whole bill, benefit and decision of a case (:func:`dlcost.engine.business.business_case`)."""
        from dlcost.engine.business import business_case

        return business_case(case, self.hardware)

    def business_optimal_accuracy(self, case) -> dict:
        from dlcost.engine.business import optimal_accuracy

        return optimal_accuracy(case, self.hardware)

    def business_budget(self, case, budget_usd: float, deadline_weeks: float | None = None) -> dict:
        from dlcost.engine.business import budget_first

        return budget_first(case, budget_usd, self.hardware, deadline_weeks)

    def limits_project(self, query) -> dict:
        """Seed 003's Figure 4 for one target (:func:`dlcost.engine.limits.project`), priced on this workspace's hardware."""
        from dlcost.engine.limits import project

        return project(query, self.hardware)

    def limits_curve(self, query) -> dict:
        """A scenario on seed 003's curve (:func:`dlcost.engine.limits_curve.own_curve`), each step priced by :meth:`estimate`."""
        from dlcost.engine.limits_curve import own_curve

        scenario = query.scenario
        peak_flops_per_s, _ = self.hardware.find_accelerator(scenario.gpu).peak_flops_per_s(scenario.precision)
        return own_curve(scenario, self.estimate, peak_flops_per_s, query.halvings, query.budget_usd)

    def predict_error(self, query: ErrorQuery, model_name: str | None = None) -> ErrorPrediction:
        model, calibration = self.resolve(model_name, query.interval_level, query.interval_method)
        return engine_predict_error(query, model=model, calibration=calibration)

    def fit_pilot(self, query: LearningCurveQuery, model_name: str | None = None) -> LearningCurveResult:
        """A pilot's learning curve, its eq. (1) prior from the resolved model."""
        return engine_fit_pilot(query, self.resolve(model_name, query.interval_level, "conformal")[0])

    def save_estimate(self, name: str, scenario: Scenario, model_name: str | None = None, replace: bool = False):
        """Price ``scenario`` as :meth:`estimate` does and save inputs and result under ``name``."""
        store = self.require_store()
        result = self.estimate(scenario, model_name)
        row = store.save_scenario(name, scenario.model_dump(mode="json"), result.to_dict(), result.model, replace)
        return row, result


    def save_business_case(self, name: str, case, replace: bool = False) -> tuple:
        """Compute ``case`` as :meth:`business_case` does and save inputs and result under ``name`` (nothing on a bad input)."""
        store = self.require_store()
        result = self.business_case(case)
        row = store.save_case(name, case.model_dump(mode="json"), result, replace)
        return row, result


def model_digest(model: catalog.ErrorModel) -> str:
    """Identifies what a calibration of ``model`` depends on: its name, coefficients and this dlcost."""
    identity = repr((dlcost.__version__, model.name, model.coefficients, model.table, model.n))
    return hashlib.sha256(identity.encode()).hexdigest()


#: The fields of a Calibration saved in the store (its model is passed back in).
_SAVED = ("level", "method", "low_log10", "high_log10", "n_observations", "n_datasets", "source")
_CACHE_SIZE = 64
_CALIBRATIONS: dict = {}
