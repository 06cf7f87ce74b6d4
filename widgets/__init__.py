"""Helpers the chapters import: validated data, offline maps, sourced tables and scenario explorers.

Import ipywidgets as `ipywidgets` in this project: this package is called `widgets`.
"""
