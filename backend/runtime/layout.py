"""Where the runtime keeps things under the data directory.

```
<data dir>/temporal.db                      the embedded Temporal server's state
<data dir>/deployments/<id>/                a deployment, written once:
    <package>/...                           the generated package
    project.json  sourcemap.json  deployment.json
<data dir>/code/<project id>/               the project's own Python activity code
<data dir>/logs/temporal.log                the embedded server's output
<data dir>/logs/deployments/<id>.log        a deployment's worker output
<data dir>/run/                             pid files of the children, a lock
```
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataLayout:
    root: Path

    @classmethod
    def at(cls, data_dir: Path) -> DataLayout:
        return cls(data_dir.resolve())

    @property
    def deployments(self) -> Path:
        return self.root / "deployments"

    def deployment(self, deployment_id: str) -> Path:
        return self.deployments / deployment_id

    def code(self, project_id: str) -> Path:
        return self.root / "code" / project_id

    def worker_log(self, deployment_id: str) -> Path:
        return self.root / "logs" / "deployments" / f"{deployment_id}.log"

    @property
    def run(self) -> Path:
        return self.root / "run"

    def worker_pid_file(self, deployment_id: str) -> Path:
        return self.run / "workers" / f"{deployment_id}.pid"

    @property
    def lock(self) -> Path:
        return self.run / "runtime.lock"
