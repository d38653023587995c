"""The wire: retry decisions, IAM tokens, the HTTP client, REST endpoints, exactly-once creation.

The only subpackage that imports urllib3/requests; no qiskit here.
"""
