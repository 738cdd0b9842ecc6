"""The Textual app (imported only when the TUI runs)."""
