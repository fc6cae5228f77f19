"""A small curated vocabulary: clinical abbreviations and brand -> generic drug names.

Each entry is a group of interchangeable forms; the first form is the canonical label.
Forms in CASE_SENSITIVE only count when written in capitals (ALL, MS, PE collide with words).
"""

from __future__ import annotations

from functools import lru_cache

SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    # infections
    ("cytomegalovirus", "cmv"),
    ("epstein-barr virus", "ebv"),
    ("human immunodeficiency virus", "hiv"),
    ("hepatitis b virus", "hbv"),
    ("hepatitis c virus", "hcv"),
    ("herpes simplex virus", "hsv"),
    ("varicella zoster virus", "vzv"),
    ("respiratory syncytial virus", "rsv"),
    ("tuberculosis", "tb"),
    ("urinary tract infection", "uti"),
    ("influenza", "flu"),
    ("covid-19", "sars-cov-2", "coronavirus disease 2019"),
    # haematology / immunology
    ("hemophagocytic lymphohistiocytosis", "hlh", "haemophagocytic lymphohistiocytosis"),
    ("graft-versus-host disease", "gvhd", "graft versus host disease"),
    ("myelofibrosis", "mf"),
    ("polycythemia vera", "pv"),
    ("acute lymphoblastic leukemia", "all"),
    ("acute myeloid leukemia", "aml"),
    ("chronic myeloid leukemia", "cml"),
    ("chronic lymphocytic leukemia", "cll"),
    ("hematopoietic stem cell transplantation", "hsct", "stem cell transplant"),
    ("deep vein thrombosis", "dvt"),
    ("pulmonary embolism", "pe"),
    # cardiometabolic
    ("myocardial infarction", "mi", "heart attack"),
    ("congestive heart failure", "chf", "heart failure"),
    ("hypertension", "htn", "high blood pressure"),
    ("atrial fibrillation", "afib", "af"),
    ("type 2 diabetes", "t2dm", "type 2 diabetes mellitus"),
    ("chronic kidney disease", "ckd"),
    ("acute kidney injury", "aki"),
    ("estimated glomerular filtration rate", "egfr"),
    ("low-density lipoprotein", "ldl"),
    # other
    ("chronic obstructive pulmonary disease", "copd"),
    ("rheumatoid arthritis", "ra"),
    ("multiple sclerosis", "ms"),
    ("amyotrophic lateral sclerosis", "als"),
    ("inflammatory bowel disease", "ibd"),
    ("irritable bowel syndrome", "ibs"),
    ("gastroesophageal reflux disease", "gerd"),
    ("erectile dysfunction", "ed"),
    ("polymerase chain reaction", "pcr"),
    ("nonsteroidal anti-inflammatory drug", "nsaid", "nsaids"),
    ("acute respiratory distress syndrome", "ards"),
    ("systemic lupus erythematosus", "sle"),
    ("non-small cell lung cancer", "nsclc", "non-small-cell lung cancer"),
    ("small cell lung cancer", "sclc", "small-cell lung cancer"),
    ("hepatocellular carcinoma", "hcc"),
    ("myelodysplastic syndrome", "mds", "myelodysplastic syndromes"),
    ("non-hodgkin lymphoma", "nhl"),
    ("diffuse large b-cell lymphoma", "dlbcl"),
    ("paroxysmal nocturnal hemoglobinuria", "pnh"),
    ("thrombotic thrombocytopenic purpura", "ttp"),
    ("hemolytic uremic syndrome", "hus", "haemolytic uraemic syndrome"),
    ("disseminated intravascular coagulation", "dic"),
    ("immune thrombocytopenia", "itp"),
    ("cytokine release syndrome", "crs"),
    ("severe combined immunodeficiency", "scid"),
    ("coronary artery disease", "cad"),
    ("transient ischemic attack", "tia"),
    ("attention deficit hyperactivity disorder", "adhd"),
    ("autism spectrum disorder", "asd"),
    ("obstructive sleep apnea", "osa", "obstructive sleep apnoea"),
    ("traumatic brain injury", "tbi"),
    ("spinal muscular atrophy", "sma"),
    ("duchenne muscular dystrophy", "dmd"),
    ("polycystic ovary syndrome", "pcos"),
    ("benign prostatic hyperplasia", "bph"),
    ("human papillomavirus", "hpv"),
    ("methicillin-resistant staphylococcus aureus", "mrsa"),
    ("sexually transmitted infection", "sti", "sexually transmitted disease", "std"),
    ("magnetic resonance imaging", "mri"),
    ("electrocardiogram", "ecg", "ekg"),
    ("body mass index", "bmi"),
    ("c-reactive protein", "crp"),
    ("hemoglobin a1c", "hba1c", "a1c", "glycated hemoglobin"),
    ("thyroid-stimulating hormone", "tsh"),
    ("prostate-specific antigen", "psa"),
    ("tumor necrosis factor", "tnf"),
    ("proton pump inhibitor", "ppi", "proton pump inhibitors"),
    ("selective serotonin reuptake inhibitor", "ssri", "ssris"),
    ("angiotensin receptor blocker", "arb"),
    ("direct oral anticoagulant", "doac", "doacs"),
    ("low molecular weight heparin", "lmwh"),
    ("intravenous immunoglobulin", "ivig"),
    ("intensive care unit", "icu"),
    ("genome-wide association study", "gwas", "genome-wide association studies"),
    ("single nucleotide polymorphism", "snp", "snps"),
    ("copy number variation", "cnv"),
    ("next-generation sequencing", "ngs"),
    ("long non-coding rna", "lncrna"),
    ("microrna", "mirna", "mir"),
    # British and American spellings
    ("anemia", "anaemia"),
    ("leukemia", "leukaemia"),
    ("hemoglobin", "haemoglobin"),
    ("tumor", "tumour"),
    ("edema", "oedema"),
    ("esophageal", "oesophageal"),
    ("pediatric", "paediatric"),
    # brand -> generic
    ("ruxolitinib", "jakafi", "jakavi"),
    ("adalimumab", "humira"),
    ("atorvastatin", "lipitor"),
    ("sildenafil", "viagra", "revatio"),
    ("ganciclovir", "cytovene"),
    ("valganciclovir", "valcyte"),
    ("foscarnet", "foscavir"),
    ("cidofovir", "vistide"),
    ("letermovir", "prevymis"),
    ("maribavir", "livtencity"),
    ("acetaminophen", "paracetamol", "tylenol"),
    ("ibuprofen", "advil", "motrin"),
    ("warfarin", "coumadin"),
    ("apixaban", "eliquis"),
    ("rivaroxaban", "xarelto"),
    ("metformin", "glucophage"),
    ("simvastatin", "zocor"),
    ("furosemide", "lasix"),
    ("levothyroxine", "synthroid"),
    ("tacrolimus", "prograf"),
    ("cyclosporine", "ciclosporin", "neoral", "sandimmune"),
    ("tofacitinib", "xeljanz"),
    ("baricitinib", "olumiant"),
    ("imatinib", "gleevec", "glivec"),
    ("rituximab", "rituxan", "mabthera"),
    ("pembrolizumab", "keytruda"),
    ("nivolumab", "opdivo"),
    ("trastuzumab", "herceptin"),
    ("bevacizumab", "avastin"),
    ("tocilizumab", "actemra", "roactemra"),
    ("emapalumab", "gamifant"),
    ("etoposide", "vepesid"),
    ("anakinra", "kineret"),
    ("semaglutide", "ozempic", "wegovy"),
    ("empagliflozin", "jardiance"),
    ("clopidogrel", "plavix"),
    ("omeprazole", "prilosec"),
    ("sertraline", "zoloft"),
    ("fluoxetine", "prozac"),
)
CASE_SENSITIVE = frozenset(
    {"all", "ms", "pe", "ed", "ra", "pv", "mf", "af", "mi", "tb"}
    | {"cad", "dic", "std", "sma", "mir", "arb", "hus", "asd", "crs", "cnv", "ppi"}
)


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for group in SYNONYM_GROUPS:
        for form in group:
            table[form] = group
    return table


def synonyms(form: str) -> tuple[str, ...] | None:
    """The group a lower-case form belongs to (canonical first), if any."""
    return _index().get(form)


def multiword_forms() -> list[str]:
    """Forms of more than one word, longest first (matched before single words)."""
    forms = [f for f in _index() if " " in f or "-" in f]
    return sorted(forms, key=len, reverse=True)
