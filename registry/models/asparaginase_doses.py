"""asparaginase_doses: every asparaginase dose given (prefix A)."""

from __future__ import annotations

from registry.models.base import RegistryRecord, StoredRecord
from registry.models.codes import AsparaginaseProduct, AsparaginaseUnit, Route
from registry.models.fields import CODE, Date, Flag, field, own_id, patient_ref
from registry.models.row_checks import Allowed

__all__ = ["ASPARAGINASE_UNIT", "AsparaginaseDose", "AsparaginaseDoseRecord"]

#: The unit each product is dosed in: recombinant Erwinia (Rylaze) in mg/m², all others in
#: IU/m² (spec: "mg_per_m2 only for erwinia_recombinant"; its plausible range is in mg/m²).
ASPARAGINASE_UNIT: dict[AsparaginaseProduct, AsparaginaseUnit] = {
    product: (
        AsparaginaseUnit.MG_PER_M2
        if product == AsparaginaseProduct.ERWINIA_RECOMBINANT
        else AsparaginaseUnit.IU_PER_M2
    )
    for product in AsparaginaseProduct
}


class AsparaginaseDoseRecord(RegistryRecord):
    """An asparaginase dose as submitted; validates on construction."""

    table_name = "asparaginase_doses"
    id_prefix = "A"
    id_field = "dose_id"
    row_rule_ids = ("id-format", "unit-mismatch")

    dose_id: str = own_id("Dose record ID: <patient_id>-A<n>.")
    patient_id: str = patient_ref()
    product: AsparaginaseProduct = field("Asparaginase product.", sa_type=CODE)
    dose: float = field("Dose given, in dose_unit.", gt=0)
    dose_unit: AsparaginaseUnit = field(
        "Unit of the dose: mg_per_m2 for erwinia_recombinant, iu_per_m2 otherwise.",
        sa_type=CODE,
    )
    administration_date: Date = field(
        "Date given; expected within a treatment phase of the patient.", record_date=True
    )
    route: Route = field("Route of administration.", sa_type=CODE)
    hypersensitivity: Flag = field("Hypersensitivity reaction at this dose.")
    after_vte: Flag = field("Given after an earlier VTE of the patient (re-challenge).")

    row_checks = (
        Allowed(
            "product",
            "dose_unit",
            {product: frozenset({unit}) for product, unit in ASPARAGINASE_UNIT.items()},
            "unit-mismatch",
            "{key} is dosed in {allowed}, not {value}",
        ),
    )


class AsparaginaseDose(StoredRecord, AsparaginaseDoseRecord, table=True):
    """The ``asparaginase_doses`` table (persistence only)."""

    __tablename__ = "asparaginase_doses"
