"""What the local server keeps: SQLite store, backends, instances, shared state."""
