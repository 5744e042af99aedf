"""Data types of the Cluster manager project: shared types, workflow inputs,
state and payloads.
"""

from dataclasses import dataclass, field


@dataclass
class AllocateNodesToJobInput:
    """Input of the allocate_nodes_to_job activity."""

    nodes: list[str]
    job_name: str


@dataclass
class DeallocateNodesForJobInput:
    """Input of the deallocate_nodes_for_job activity."""

    nodes: list[str]
    job_name: str


@dataclass
class ClusterManagerInput:
    """Input of the cluster-manager workflow."""

    node_count: int = 5


@dataclass
class ClusterManagerState:
    """State of the cluster-manager workflow."""

    nodes: dict[str, str] = field(default_factory=dict)
    cluster_started: bool = False
    shutdown_requested: bool = False


@dataclass
class ClusterManagerAssignNodesToJobUpdate:
    """Payload of the assign_nodes_to_job update."""

    job_name: str
    total_needed: int


@dataclass
class ClusterManagerDeleteJobUpdate:
    """Payload of the delete_job update."""

    job_name: str


@dataclass
class ClusterManagerNodesOfJobQuery:
    """Payload of the nodes_of_job query."""

    job_name: str
