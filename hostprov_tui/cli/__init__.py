"""The command-line interface: thin over the services."""
