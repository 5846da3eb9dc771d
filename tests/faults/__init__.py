"""Fault tests: real processes killed with SIGKILL, read-only and full databases."""
