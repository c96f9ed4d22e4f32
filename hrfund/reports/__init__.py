"""Dashboards per role, charts, and the fiscal-year report: read-only views over every module."""
