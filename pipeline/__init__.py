"""The night pipeline: lock -> staging -> plans -> catch-up -> merge -> views, above the crawler
(a source of pages) and storage (staging, parse, merge).

Public API: run_night(db_path, endpoint=None, token=None, snapshot_date=None, progress=None,
plans=("sweep", "refresh")) -> NightResult; PartialRun; Progress.
"""

from pipeline.errors import PartialRun
from pipeline.night import DEFAULT_PLANS, NightResult, PlanResult, run_night
from pipeline.progress import LogProgress, Progress

__all__ = ["run_night", "NightResult", "PlanResult", "PartialRun", "Progress", "LogProgress", "DEFAULT_PLANS"]
