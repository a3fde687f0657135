"""The form of a task, described from the step plan: its fields, its outcomes and what
each does. One description serves the JSON API (``GET /api/tasks/{id}`` → ``form``)
and the HTML task page, so an API client knows what an outcome needs before a 422."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.codes import DOCUMENT_KINDS, label_of
from domain.labels import OUTCOMES, PHASE_TITLES, label
from domain.process import Effect, ProcessDefinition, TaskDef
from domain.vocabulary import Phase


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class FormField:
    name: str
    label: str  # Dutch
    kind: str  # domain.process.FieldKind
    choices: list[Choice] = field(default_factory=list)
    required_for: list[str] = field(default_factory=list)  # outcomes that need it


@dataclass(frozen=True)
class OutcomeSpec:
    name: str
    label: str  # Dutch
    effect: str  # "closes" the case, "moves" it to another phase, or "stays"
    to_phase: str | None = None
    to_phase_title: str | None = None
    opens: list[str] = field(default_factory=list)  # task keys it opens
    note_required: bool = False
    preconditions: list[str] = field(default_factory=list)  # gate task keys


@dataclass(frozen=True)
class DocumentNeed:
    kind: str
    label: str  # Dutch


@dataclass(frozen=True)
class TaskForm:
    fields: list[FormField]
    outcomes: list[OutcomeSpec]
    documents: list[DocumentNeed]
    description: str = ""

    @property
    def note_required_for(self) -> list[str]:
        return [o.name for o in self.outcomes if o.note_required]


def _effect(effect: Effect) -> tuple[str, str | None]:
    if effect.close:
        return "closes", None
    if effect.goto:
        return "moves", effect.goto.value
    return "stays", None


def describe(tdef: TaskDef, allowed: list[str], defn: ProcessDefinition) -> TaskForm:
    """The form of ``tdef`` with the outcomes this task allows (``allowed``)."""
    fields = [
        FormField(
            name=spec.name,
            label=spec.label,
            kind=spec.kind.value,
            choices=[Choice(code, title) for code, title in spec.choices],
            required_for=[o for o, names in tdef.requires.items() if spec.name in names],
        )
        for spec in tdef.fields
    ]
    outcomes = []
    for name in allowed:
        effect = tdef.outcomes[name]
        kind, to_phase = _effect(effect)
        outcomes.append(
            OutcomeSpec(
                name=name,
                label=label(OUTCOMES, name),
                effect=kind,
                to_phase=to_phase,
                to_phase_title=PHASE_TITLES[Phase(to_phase)] if to_phase else None,
                opens=[defn.task(k).key for k in effect.opens],
                note_required="note" in tdef.requires.get(name, ()),
                preconditions=list(tdef.gates.get(name, ())),
            )
        )
    documents = [DocumentNeed(kind, label_of(DOCUMENT_KINDS, kind)) for kind in tdef.documents]
    return TaskForm(fields, outcomes, documents, tdef.description)
