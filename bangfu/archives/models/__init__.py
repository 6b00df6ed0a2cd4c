from bangfu.kits.imports.models import ImportBatch  # the roster import's batches (kit)

from . import choices
from .dynamic import AnnualReview, Reevaluation, ReevaluationItem, SpotCheck, SpotCheckItem
from .household import (
    Attachment,
    BenefitType,
    Determination,
    Household,
    HouseholdBenefit,
    HouseholdMember,
    IdRegistration,
    MonthlyIncome,
)
from .standards import Area, DibaoStandard, MinimumWage

__all__ = [
    "AnnualReview",
    "Area",
    "Attachment",
    "BenefitType",
    "Determination",
    "DibaoStandard",
    "Household",
    "HouseholdBenefit",
    "HouseholdMember",
    "IdRegistration",
    "ImportBatch",
    "MinimumWage",
    "MonthlyIncome",
    "Reevaluation",
    "ReevaluationItem",
    "SpotCheck",
    "SpotCheckItem",
    "choices",
]
