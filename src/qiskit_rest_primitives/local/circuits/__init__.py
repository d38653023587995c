"""A job body decoded and checked: OpenQASM 3, QPY, pubs, options, input limits."""
