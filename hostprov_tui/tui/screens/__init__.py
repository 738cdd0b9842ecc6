"""One screen per file; modals live in screens/modals."""
