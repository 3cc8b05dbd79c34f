"""Background jobs and the scheduler.

- `flrts.jobs.queue`: `enqueue(...)`, `enqueue_after_commit(...)`: the only way work is queued.
- `flrts.jobs.runner`: the one runner every job goes through (Job row, retries, Error Log).
- `flrts.jobs.registry`: the scheduled-job registry (Frappe's `scheduler_events` shape).
- `flrts.jobs.scheduler`: the beat: slots, leader lock, exactly-once enqueue per slot.
- `flrts.jobs.workers`: the worker loop for the database queue and for RQ.
"""
