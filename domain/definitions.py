"""All step-plan versions by number; new cases start on ``CURRENT_VERSION``."""

from domain.process import ProcessDefinition
from domain.stappenplan_v1 import STAPPENPLAN_V1

DEFINITIONS: dict[int, ProcessDefinition] = {STAPPENPLAN_V1.version: STAPPENPLAN_V1}
CURRENT_VERSION = max(DEFINITIONS)


def definition(version: int) -> ProcessDefinition:
    return DEFINITIONS[version]
