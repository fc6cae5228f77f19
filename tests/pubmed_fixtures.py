"""Small PubMed/MEDLINE XML written for the tests (invented citations, real structure)."""

from __future__ import annotations

import gzip
from pathlib import Path

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n<PubmedArticleSet>\n'
)
TAIL = "</PubmedArticleSet>\n"


def citation(
    pmid: int,
    title: str,
    abstract: list[tuple[str, str]] | None = None,
    *,
    types: tuple[str, ...] = ("Journal Article",),
    revised: str = "2021-06-07",
    mesh: tuple[str, ...] = (),
    corrections: tuple[tuple[str, int], ...] = (),
    version: int = 1,
    status: str = "Publisher",
    doi: str | None = None,
) -> str:
    """One `<PubmedArticle>`; `abstract` is (label, text) pairs (label "" = unlabelled)."""
    y, m, d = revised.split("-")
    parts = "".join(
        f'<AbstractText Label="{label}" NlmCategory="{label}">{text}</AbstractText>'
        if label
        else f"<AbstractText>{text}</AbstractText>"
        for label, text in abstract or []
    )
    abstract_xml = f"<Abstract>{parts}</Abstract>" if abstract else ""
    types_xml = "".join(f"<PublicationType>{t}</PublicationType>" for t in types)
    mesh_xml = "".join(
        f'<MeshHeading><DescriptorName MajorTopicYN="Y">{m_}</DescriptorName></MeshHeading>'
        for m_ in mesh
    )
    mesh_xml = f"<MeshHeadingList>{mesh_xml}</MeshHeadingList>" if mesh else ""
    cc = "".join(
        f'<CommentsCorrections RefType="{ref}"><RefSource>J Test</RefSource>'
        f'<PMID Version="1">{other}</PMID></CommentsCorrections>'
        for ref, other in corrections
    )
    cc_xml = f"<CommentsCorrectionsList>{cc}</CommentsCorrectionsList>" if cc else ""
    doi_xml = f'<ArticleId IdType="doi">{doi or f"10.9999/test.{pmid}"}</ArticleId>'
    return f"""<PubmedArticle>
  <MedlineCitation Status="{status}" Owner="NLM">
    <PMID Version="{version}">{pmid}</PMID>
    <DateRevised><Year>{y}</Year><Month>{m}</Month><Day>{d}</Day></DateRevised>
    <Article PubModel="Print">
      <Journal>
        <JournalIssue CitedMedium="Print">
          <PubDate><Year>2019</Year><Month>Mar</Month><Day>14</Day></PubDate>
        </JournalIssue>
        <Title>Journal of Invented Medicine</Title>
        <ISOAbbreviation>J Invent Med</ISOAbbreviation>
      </Journal>
      <ArticleTitle>{title}</ArticleTitle>
      {abstract_xml}
      <AuthorList CompleteYN="Y">
        <Author ValidYN="Y"><LastName>Okafor</LastName><Initials>AB</Initials></Author>
        <Author ValidYN="Y"><CollectiveName>Brindle Study Group</CollectiveName></Author>
      </AuthorList>
      <PublicationTypeList>{types_xml}</PublicationTypeList>
    </Article>
    {mesh_xml}
    {cc_xml}
  </MedlineCitation>
  <PubmedData>
    <ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>{doi_xml}</ArticleIdList>
  </PubmedData>
</PubmedArticle>
"""


def deletion(*pmids: int) -> str:
    inner = "".join(f'<PMID Version="1">{p}</PMID>' for p in pmids)
    return f"<DeleteCitation>{inner}</DeleteCitation>\n"


def write_set(path: Path, *items: str) -> Path:
    """A PubmedArticleSet of the items, gzip-compressed when the name ends in .gz."""
    data = (HEAD + "".join(items) + TAIL).encode("utf-8")
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


CASE = citation(
    1001,
    "Fluconazole for pulmonary valley fever in a <i>52-year-old</i> farmer: a case report.",
    [
        ("BACKGROUND", "Coccidioidomycosis is a fungal infection acquired by inhaling spores."),
        ("CASE PRESENTATION", "A 52-year-old man received fluconazole 400 mg daily."),
        ("CONCLUSIONS", "Fluconazole led to resolution of the pulmonary nodules."),
    ],
    types=("Case Reports", "Journal Article"),
    mesh=("Coccidioidomycosis", "Fluconazole", "Humans"),
)
TRIAL = citation(
    1002,
    "Zephyrin versus placebo for Brindle syndrome",
    [("", "In this randomized trial, zephyrin reduced arrhythmias by 40% over placebo.")],
    types=("Randomized Controlled Trial", "Journal Article"),
)
EDITORIAL = citation(
    1003,
    "Why Brindle syndrome matters",
    [("", "Brindle syndrome deserves more attention from cardiologists.")],
    types=("Editorial",),
)
NO_ABSTRACT = citation(1004, "Brindle syndrome in twins", None, types=("Journal Article",))
RETRACTED = citation(
    1005,
    "Quorvastatin cures Brindle syndrome",
    [("", "Quorvastatin cured every patient with Brindle syndrome in our series.")],
    types=("Journal Article", "Retracted Publication"),
)
NOTICE = citation(
    1006,
    "Retraction: Zephyrin versus placebo for Brindle syndrome",
    [("", "This article has been retracted at the request of the authors.")],
    types=("Retraction of Publication",),
    corrections=(("RetractionOf", 1002),),
)
