"""Validated inputs and results (pydantic v2), by topic, shared by the library, CLI and web API.

- :mod:`~dlcost.schemas.scenario`: ``Scenario`` (an estimate's inputs), ``ErrorQuery`` (eq. (1) alone)
- :mod:`~dlcost.schemas.estimate`: ``Estimate``, ``Recommendation``, ``ErrorPrediction``
- :mod:`~dlcost.schemas.inference`: ``InferenceQuery``, ``InferenceResult`` (serving one architecture)
- :mod:`~dlcost.schemas.limits`: ``LimitsQuery``, ``CurveQuery``, ``SimulationQuery`` (seed 003's long view)
- :mod:`~dlcost.schemas.pilot`: ``LearningCurveQuery``, ``LearningCurveResult``
- :mod:`~dlcost.schemas.observation`: ``Observation``
- :mod:`~dlcost.schemas.errors`: bad input as located problems (one wording, one field)
"""

from dlcost.schemas._common import JSON_SCHEMA_VERSION, PilotPoint, parse_fraction
from dlcost.schemas.estimate import ErrorPrediction, Estimate, Recommendation
from dlcost.schemas.inference import InferenceQuery, InferenceResult
from dlcost.schemas.limits import CurveQuery, LimitsQuery, SimulationQuery
from dlcost.schemas.observation import Observation
from dlcost.schemas.pilot import LearningCurveQuery, LearningCurveResult
from dlcost.schemas.scenario import ErrorQuery, Scenario

__all__ = ["Scenario", "ErrorQuery", "Estimate", "Recommendation", "ErrorPrediction", "LearningCurveQuery",
           "LearningCurveResult", "Observation", "InferenceQuery", "InferenceResult", "LimitsQuery", "CurveQuery", "SimulationQuery", "PilotPoint", "parse_fraction", "JSON_SCHEMA_VERSION"]
