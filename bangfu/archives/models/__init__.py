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
from .importing import ImportBatch
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
