"""Executors hand tasks to the runner; they own no state (the task table is the truth).
They are made by name through ``registry`` (``make_executor``, ``make_dispatcher``,
``run_worker``), which imports an executor's module only when it is asked for."""
