"""One function per step; the only place that joins providers, media and storage.

Steps take ids, paths and plain values and return results; they know nothing of how they are
scheduled (the CLI runs them in a thread pool now; the task engine will run the same functions).
"""
