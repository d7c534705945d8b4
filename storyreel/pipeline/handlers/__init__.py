"""One handler per task kind: the only place the engine meets providers, media and storage.

A handler reads what it needs in a short session, does the slow work with no transaction open,
puts its files into the blob store under content-addressed keys (so a task that runs twice
writes the same blob), and records rows through ``ctx.on_success`` — applied in the fenced
transaction that marks the task succeeded, so a stale runner's rows never land.

Each takes ``(services, ctx)``; ``pipeline.kinds`` binds the services when it registers them.
"""
