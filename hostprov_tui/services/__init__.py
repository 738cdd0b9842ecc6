"""The service layer: pure Python over the databases; imports no Textual."""
