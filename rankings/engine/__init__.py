"""SME Rank's composite-indicator engine: pure pandas/numpy, no Django.

Follows the definitions of the COINr R package (Becker et al.) for each step.
"""

from .errors import EngineError
from .meta import Framework, parse_meta
from .method import AggregateSpec, ImputeSpec, Method, NormaliseSpec, TreatSpec
from .pipeline import IndexResult, build_index
from .sensitivity import SensitivityResult, run_sensitivity
from .uncertainty import UncertaintyResult, UncertaintySpec, run_uncertainty

__all__ = [
    "AggregateSpec",
    "EngineError",
    "Framework",
    "ImputeSpec",
    "IndexResult",
    "Method",
    "NormaliseSpec",
    "SensitivityResult",
    "TreatSpec",
    "UncertaintyResult",
    "UncertaintySpec",
    "build_index",
    "parse_meta",
    "run_sensitivity",
    "run_uncertainty",
]
