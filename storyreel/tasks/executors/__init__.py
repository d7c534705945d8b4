"""Executors hand tasks to the runner; they own no state (the task table is the truth)."""
