"""Configuration: settings, secrets, masking, connection strings."""
