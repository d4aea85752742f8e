"""Command-line interface: a thin layer over the services of each capability."""
