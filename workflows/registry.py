"""The workflow classes a worker runs and a replayer replays against."""

from workflows.case_workflow import CaseWorkflow

WORKFLOWS: list[type] = [CaseWorkflow]
