"""Renderers of validation results: text (with code frames), JSON, GitHub workflow commands
and SARIF. Pure: data in, text out."""
