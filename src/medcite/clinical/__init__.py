"""Clinical understanding: the patient in the question (context, labs, facts, assumptions)
and clinical text shared by several stages (doses, units, frequencies)."""

from medcite.clinical.doses import Interval, Measures, Quantity, parse_measures

__all__ = ["Interval", "Measures", "Quantity", "parse_measures"]
