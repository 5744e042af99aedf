"""Workflow definitions, one module per workflow."""
