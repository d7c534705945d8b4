"""The durable task engine: DAG scheduling, the runner, the reaper, executors and events."""
