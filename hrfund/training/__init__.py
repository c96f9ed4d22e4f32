"""Training catalogue, records, language scores, certificates, bulk import and the talent pool."""
