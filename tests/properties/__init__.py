"""Property-based tests (hypothesis) and schemathesis runs against the app's own OpenAPI schema."""
