"""Typed models of smmgen's files: front matter, channels.yaml, calendar.yaml.

Each field has a description; the same models validate the files and produce
the JSON Schemas that ``smmgen schema`` prints for editor completion.
:mod:`smmgen.models.timing` is calendar.yaml with its values parsed.
"""
