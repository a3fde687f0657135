"""The workflow classes a worker runs and a replayer replays against."""

from workflows.case_workflow import CaseWorkflow
from workflows.digest_workflow import NotificationDigestWorkflow
from workflows.signal_workflow import SignalWorkflow

WORKFLOWS: list[type] = [CaseWorkflow, SignalWorkflow, NotificationDigestWorkflow]
