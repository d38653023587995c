"""Pure converters: circuits to OpenQASM 3, pubs and options to JSON, results back; input checks.

Imports qiskit and numpy, never the transport.
"""
