"""Quality measurements against gold judgments (BioASQ, MEDIQA); never used for answering."""
