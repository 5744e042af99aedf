"""Running what the designer compiles: Temporal (embedded or a server of your own), deployments
and the worker processes that serve them (see `host.Runtime`)."""
