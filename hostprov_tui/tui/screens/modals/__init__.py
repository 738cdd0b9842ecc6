"""Modal dialogs: confirmation and the one-time GUID display."""
