"""Real components for the test suite: a throwaway PostgreSQL cluster, a live HTTP server on
127.0.0.1 and a headless Chromium. The fixtures that hand them out live in tests/conftest.py."""
