"""Backends: ``RuntimeBackend``, its configuration, properties and Target; discovery; local mode.

Above ``_transport`` and ``_codec``; below ``_account``.
"""
