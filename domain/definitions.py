"""All step-plan versions by number; new cases start on ``CURRENT_VERSION``."""

from collections.abc import Mapping
from typing import Any

from domain.process import FieldKind, ProcessDefinition
from domain.stappenplan_v1 import STAPPENPLAN_V1
from domain.stappenplan_v2 import STAPPENPLAN_V2

DEFINITIONS: dict[int, ProcessDefinition] = {d.version: d for d in (STAPPENPLAN_V1, STAPPENPLAN_V2)}
CURRENT_VERSION = max(DEFINITIONS)


def definition(version: int) -> ProcessDefinition:
    return DEFINITIONS[version]


# completion data that holds codes: counted in the reflection, kept in plain beside the
# sealed data (``tasks.codes``) so that the counts survive the crypto-shredding of a case
CODED_KINDS = frozenset({FieldKind.CHOICE, FieldKind.YES_NO, FieldKind.PROVIDER_RESULTS})
ROUND_RESULT_CODES = ("result", "reason_code")  # of an approached provider: not its name


def coded_facts(version: int, task_key: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The codes of a task's completion ``data``, per the task's form in its version."""
    defn = DEFINITIONS.get(version)
    if defn is None or task_key not in defn.task_keys or not data:
        return {}
    facts: dict[str, Any] = {}
    for spec in defn.task(task_key).fields:
        value = data.get(spec.name)
        if spec.kind not in CODED_KINDS or value is None:
            continue
        if spec.kind is FieldKind.PROVIDER_RESULTS:
            items = value if isinstance(value, list) else []
            value = [
                {k: v for k, v in item.items() if k in ROUND_RESULT_CODES}
                for item in items
                if isinstance(item, dict)
            ]
        facts[spec.name] = value
    return facts
