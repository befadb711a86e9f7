"""Commissioning pages, one module per area."""
