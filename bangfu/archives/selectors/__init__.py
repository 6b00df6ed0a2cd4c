"""Reads of the archives context, always scoped to the asking user (`access_household`)."""

from .access import access_household, household_queryset

__all__ = ["access_household", "household_queryset"]
