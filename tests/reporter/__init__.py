"""Tests of the reference reporter client (`opgelucht_reporter`) and its `opgelucht-reporter` command."""
