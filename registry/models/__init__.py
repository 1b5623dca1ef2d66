"""The registry's data model: one module per submission table, plus manifest and survey.

``TABLES`` lists the submission tables in load order (referenced tables first); each entry
pairs the validating record class with its SQLModel table class.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlmodel import SQLModel

from registry.models.anticoagulation_courses import (
    AnticoagulationCourse,
    AnticoagulationCourseRecord,
)
from registry.models.asparaginase_doses import AsparaginaseDose, AsparaginaseDoseRecord
from registry.models.base import RegistryRecord, Violation
from registry.models.bleeding_events import BleedingEvent, BleedingEventRecord
from registry.models.catheters import Catheter, CatheterRecord
from registry.models.dose_adjustments import DoseAdjustment, DoseAdjustmentRecord
from registry.models.facts import FieldFacts, field_facts
from registry.models.ids import pseudonymize
from registry.models.lab_results import LabResult, LabResultRecord
from registry.models.manifest import Manifest
from registry.models.patients import Patient, PatientRecord
from registry.models.survey import SurveyResponseRecord
from registry.models.thrombophilia_tests import ThrombophiliaTestRecord, ThrombophiliaTestResult
from registry.models.treatment_phases import TreatmentPhase, TreatmentPhaseRecord
from registry.models.versions import fields_of, record_for
from registry.models.vte_assessments import VteAssessment, VteAssessmentRecord
from registry.models.vte_events import VteEvent, VteEventRecord
from registry.models.vte_interventions import VteIntervention, VteInterventionRecord

__all__ = [
    "TABLES",
    "TABLE_NAMES",
    "AnticoagulationCourse",
    "AnticoagulationCourseRecord",
    "AsparaginaseDose",
    "AsparaginaseDoseRecord",
    "BleedingEvent",
    "BleedingEventRecord",
    "Catheter",
    "CatheterRecord",
    "DoseAdjustment",
    "DoseAdjustmentRecord",
    "LabResult",
    "LabResultRecord",
    "Manifest",
    "Patient",
    "PatientRecord",
    "RegistryRecord",
    "SurveyResponseRecord",
    "TableSpec",
    "ThrombophiliaTestRecord",
    "ThrombophiliaTestResult",
    "TreatmentPhase",
    "TreatmentPhaseRecord",
    "Violation",
    "VteAssessment",
    "VteAssessmentRecord",
    "VteEvent",
    "VteEventRecord",
    "VteIntervention",
    "VteInterventionRecord",
    "pseudonymize",
    "table_spec",
]


@dataclass(frozen=True)
class TableSpec:
    """A submission table: its name, validating record class and persistence class."""

    name: str
    record: type[RegistryRecord]
    table: type[SQLModel]

    @property
    def id_field(self) -> str:
        return self.record.id_field

    @property
    def fields(self) -> list[str]:
        return list(self.record.model_fields)

    @property
    def id_first(self) -> list[str]:
        """The fields with the ID first: how a load compares a record with its stored one."""
        return [self.id_field, *(f for f in self.fields if f != self.id_field)]

    def values(self, record: RegistryRecord) -> tuple[Any, ...]:
        """A record's field values, in field order (as staged and stored)."""
        values: tuple[Any, ...] = self._values_of(record.__dict__)
        return values

    @functools.cached_property
    def _values_of(self) -> operator.itemgetter[Any]:
        return operator.itemgetter(*self.fields)

    @property
    def since(self) -> str | None:
        """The schema version that added the table (None: there from 1.0)."""
        return self.record.since

    def fields_in(self, version: str) -> list[str]:
        """The table's fields in a schema version (an earlier one lacks later fields)."""
        return fields_of(self.record, version)

    def record_in(self, version: str) -> type[RegistryRecord]:
        """The record class that reads the table as that schema version defined it."""
        return record_for(self.record, version)

    @property
    def facts(self) -> list[FieldFacts]:
        """What the model declares about each field, in field order."""
        return [field_facts(name, info) for name, info in self.record.model_fields.items()]

    @property
    def sql_table(self) -> Table:
        """The SQLAlchemy table of the registry database."""
        # SQLModel sets __table__ when it builds the class; its type stubs do not declare it
        table: Table = self.table.__table__  # type: ignore[attr-defined]
        return table


TABLES: tuple[TableSpec, ...] = tuple(
    TableSpec(record.table_name, record, table)
    for record, table in (
        (PatientRecord, Patient),
        (TreatmentPhaseRecord, TreatmentPhase),
        (CatheterRecord, Catheter),
        (AsparaginaseDoseRecord, AsparaginaseDose),
        (ThrombophiliaTestRecord, ThrombophiliaTestResult),
        (VteEventRecord, VteEvent),
        (AnticoagulationCourseRecord, AnticoagulationCourse),
        (DoseAdjustmentRecord, DoseAdjustment),
        (LabResultRecord, LabResult),
        (BleedingEventRecord, BleedingEvent),
        (VteAssessmentRecord, VteAssessment),
        (VteInterventionRecord, VteIntervention),
    )
)
TABLE_NAMES: tuple[str, ...] = tuple(spec.name for spec in TABLES)
for _record in (*(spec.record for spec in TABLES), SurveyResponseRecord):
    _record.validate_in_one_pass()
_BY_NAME = {spec.name: spec for spec in TABLES}


def table_spec(name: str) -> TableSpec:
    """The submission table called ``name`` (KeyError naming the known tables otherwise)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; tables are {', '.join(TABLE_NAMES)}") from None
