"""Units of laboratory values (not doses: see units.py): each a (dimension, canonical, factor).

`value * factor` is the value in the dimension's canonical unit. Units of different dimensions
never convert into each other: in particular IU/mL (international units, calibrated to a WHO
standard) and copies/mL (genome copies, assay-specific) are separate dimensions, because the
ratio between them differs from one assay to the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Unit:
    symbol: str
    dimension: str
    canonical: str
    factor: float


# (spellings, symbol, dimension, canonical, factor). Spellings are matched after `_key()`.
_TABLE: tuple[tuple[tuple[str, ...], str, str, str, float], ...] = (
    # viral load: copies and international units are different dimensions (see module doc)
    (("copies/ml", "copy/ml", "cp/ml", "copies/mlofplasma"), "copies/mL", "copies", "copies/mL", 1),
    (("copies/l",), "copies/L", "copies", "copies/mL", 1e-3),
    (("iu/ml",), "IU/mL", "international_units", "IU/mL", 1),
    (("iu/l",), "IU/L", "international_units", "IU/mL", 1e-3),
    (
        ("log10copies/ml", "logcopies/ml", "log10cp/ml"),
        "log10 copies/mL",
        "log_copies",
        "log10 copies/mL",
        1,
    ),
    (("log10iu/ml", "logiu/ml"), "log10 IU/mL", "log_international_units", "log10 IU/mL", 1),
    # mass concentration
    (("g/dl",), "g/dL", "mass_concentration", "g/L", 10),
    (("g/l",), "g/L", "mass_concentration", "g/L", 1),
    (("mg/dl",), "mg/dL", "mass_concentration", "g/L", 1e-2),
    (("mg/l",), "mg/L", "mass_concentration", "g/L", 1e-3),
    (("µg/ml",), "µg/mL", "mass_concentration", "g/L", 1e-3),
    (("µg/dl",), "µg/dL", "mass_concentration", "g/L", 1e-5),
    (("µg/l",), "µg/L", "mass_concentration", "g/L", 1e-6),
    (("ng/ml",), "ng/mL", "mass_concentration", "g/L", 1e-6),
    (("ng/dl",), "ng/dL", "mass_concentration", "g/L", 1e-8),
    (("ng/l",), "ng/L", "mass_concentration", "g/L", 1e-9),
    (("pg/ml",), "pg/mL", "mass_concentration", "g/L", 1e-9),
    # substance concentration (mEq/L equals mmol/L for the monovalent ions it is used for)
    (("mmol/l",), "mmol/L", "substance_concentration", "mmol/L", 1),
    (("meq/l",), "mEq/L", "substance_concentration", "mmol/L", 1),
    (("µmol/l",), "µmol/L", "substance_concentration", "mmol/L", 1e-3),
    (("nmol/l",), "nmol/L", "substance_concentration", "mmol/L", 1e-6),
    (("pmol/l",), "pmol/L", "substance_concentration", "mmol/L", 1e-9),
    (("mmol/mol",), "mmol/mol", "substance_ratio", "mmol/mol", 1),
    # cell counts
    (
        ("×10^9/l", "10^9/l", "×10^3/µl", "10^3/µl", "k/µl", "thou/µl"),
        "×10^9/L",
        "cell_concentration",
        "×10^9/L",
        1,
    ),
    (
        ("×10^12/l", "10^12/l", "×10^6/µl", "10^6/µl", "m/µl"),
        "×10^12/L",
        "cell_concentration",
        "×10^9/L",
        1e3,
    ),
    (
        ("/µl", "cells/µl", "/mm^3", "cells/mm^3", "/mm3", "cells/mm3"),
        "cells/µL",
        "cell_concentration",
        "×10^9/L",
        1e-3,
    ),
    (("/l", "cells/l"), "cells/L", "cell_concentration", "×10^9/L", 1e-9),
    # activities, rates, ratios
    (("u/l",), "U/L", "catalytic_activity", "U/L", 1),
    (("miu/l", "µiu/ml", "mu/l"), "mIU/L", "hormone_units", "mIU/L", 1),
    (
        ("ml/min/1.73m^2", "ml/min/1.73m2", "ml/min/1.73"),
        "mL/min/1.73 m²",
        "filtration_rate_bsa",
        "mL/min/1.73 m²",
        1,
    ),
    (("ml/min",), "mL/min", "clearance", "mL/min", 1),
    (("%",), "%", "percent", "%", 1),
    (("s", "sec", "seconds"), "s", "time", "s", 1),
    (("mmhg",), "mmHg", "pressure", "mmHg", 1),
    (("°c", "degc"), "°C", "temperature_c", "°C", 1),
    (("°f", "degf"), "°F", "temperature_f", "°F", 1),
)

_MICRO = re.compile(r"[μu](?=[gml]|iu|l)|mc(?=g)")
_POWER = re.compile(r"(?:x|\*|×)?10\(?\^?([0-9]{1,2})\)?")

# A unit as it may follow a number in free text (longest alternatives first).
UNIT_PATTERN = (
    r"(?:log(?:10)?\s?(?:copies|cp|IU)/mL|copies/m[lL](?: of plasma)?|copies/L|cp/mL|IU/mL|"
    r"[x×*]\s?10\s?\^?\(?(?:9|12|3|6)\)?\s?/\s?(?:L|[µμu]L)|cells/(?:[µμu]L|mm3|mm\^3|mm³)|"
    r"/(?:[µμu]L|mm3|mm\^3|mm³)|"
    r"(?:mg|g|[µμu]g|mcg|ng|pg)/(?:dL|L|mL)|(?:mmol|[µμu]mol|nmol|pmol)/L|mEq/L|mmol/mol|"
    r"mL/min(?:/1\.73\s?m(?:2|²|\^2))?|m?IU/L|[µμu]IU/mL|K/[µμu]L|U/L|mmHg|%|°[CF])"
)


def _key(text: str) -> str:
    """Lower case, no spaces, µ for micro, ^ for powers of ten, "per" as "/"."""
    key = "".join(text.lower().split()).replace("percent", "%").replace("per", "/")
    key = key.replace("mm³", "mm^3")
    key = key.replace("²", "^2")
    key = _MICRO.sub("µ", key)
    return _POWER.sub(lambda m: f"×10^{m.group(1)}", key)


@lru_cache(maxsize=1)
def _units() -> dict[str, Unit]:
    table: dict[str, Unit] = {}
    for spellings, symbol, dimension, canonical, factor in _TABLE:
        unit = Unit(symbol, dimension, canonical, factor)
        for spelling in (*spellings, symbol):
            table[_key(spelling)] = unit
    return table


def parse_unit(text: str) -> Unit | None:
    """The unit a written unit means ("mg/dl", "copies/mL", "x10^9/L"), if the table has it."""
    return _units().get(_key(text))


def to_canonical(value: float, unit: Unit) -> float:
    """The value in its dimension's canonical unit (2.1 mg/dL -> 0.021 g/L)."""
    return value * unit.factor


def convert(value: float, source: Unit, target: Unit) -> float | None:
    """`value` in `source` expressed in `target`; None when they measure different things."""
    if source.dimension != target.dimension:
        return None
    return value * source.factor / target.factor
