"""Clinical understanding: what a question says about the patient, and what it leaves out."""
