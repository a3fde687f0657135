"""What auditors use to reconstruct a case: the Temporal history (export, decode,
replay), the dossier bundle and the reconciliation of the read model with the
workflows. See docs/audit.md."""
