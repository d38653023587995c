"""The account and what it reaches: credentials, endpoints, instances, the service, jobs, sessions.

Above ``_transport``, ``_codec`` and ``_backends``; below ``_primitives``.
"""
