"""The pipeline at the edge: training composed with saving and tracking
(:func:`train`), and the main job end to end (:func:`run_job`, ``arrearsrisk run``)."""

from arrearsrisk.pipeline.training import train

__all__ = ["train"]
