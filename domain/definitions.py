"""All step-plan versions by number; new cases start on ``CURRENT_VERSION``."""

from domain.process import ProcessDefinition
from domain.stappenplan_v1 import STAPPENPLAN_V1
from domain.stappenplan_v2 import STAPPENPLAN_V2

DEFINITIONS: dict[int, ProcessDefinition] = {d.version: d for d in (STAPPENPLAN_V1, STAPPENPLAN_V2)}
CURRENT_VERSION = max(DEFINITIONS)


def definition(version: int) -> ProcessDefinition:
    return DEFINITIONS[version]
