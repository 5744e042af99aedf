"""The order workflow of `scripts/bench_overhead.py`, written by hand the way temporalio's samples
write workflows: dataclass inputs, `@activity.defn` functions, one `@workflow.defn` class.

The generated project of the benchmark binds its activities to the functions in `activities`,
so both workers run the same activity bodies and differ only in what the generator adds.
"""
