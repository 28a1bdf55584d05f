"""The companion GitHub Action's Python side. Imports only `resolver`."""
