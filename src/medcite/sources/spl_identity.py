"""What product an SPL label is for: its brand names and active moieties.

Kept in the document's `extra` so that answers can tell when two labels are versions of the
same label text (see `medcite.answer.citations.same_label_key`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from medcite.ingest.clean import normalize_chars

_NS = {"v3": "urn:hl7-org:v3"}
_PRODUCTS = (
    ".//v3:subject/v3:manufacturedProduct/v3:manufacturedProduct",
    ".//v3:subject/v3:manufacturedProduct/v3:manufacturedMedicine",
)
_MOIETY = ".//v3:activeMoiety/v3:activeMoiety/v3:name"


def label_identity(body: ET.Element | None) -> dict[str, str]:
    """`brand_names` and `active_moieties` ("; "-joined, case-folded, sorted) when known.

    A brand name is a product name that differs from the product's generic name; labels of
    generic products have none.
    """
    if body is None:
        return {}
    brands: set[str] = set()
    moieties: set[str] = set()
    for path in _PRODUCTS:
        for product in body.iterfind(path, _NS):
            brand = _name(product.find("v3:name", _NS))
            generic = _name(product.find("v3:asEntityWithGeneric/v3:genericMedicine/v3:name", _NS))
            if brand and brand != generic:
                brands.add(brand)
            moieties.update(n for e in product.iterfind(_MOIETY, _NS) if (n := _name(e)))
    identity = {
        "brand_names": "; ".join(sorted(brands)),
        "active_moieties": "; ".join(sorted(moieties)),
    }
    return {key: value for key, value in identity.items() if value}


def _name(element: ET.Element | None) -> str:
    if element is None:
        return ""
    return " ".join(normalize_chars(" ".join(element.itertext())).split()).casefold()
