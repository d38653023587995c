"""Running jobs: worker processes, fair-share queue, simulation, noise, results."""
