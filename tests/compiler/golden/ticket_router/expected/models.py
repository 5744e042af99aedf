"""Data types of the Support desk project: shared types, workflow inputs, state
and payloads.
"""

from dataclasses import dataclass, field


@dataclass
class Outcome:
    """How a ticket was resolved."""

    resolution: str
    agent: str
    minutes: int


@dataclass
class AssignAgentInput:
    """Input of the assign_agent activity."""

    queue: str
    priority: int


@dataclass
class PageOnCallInput:
    """Input of the page_on_call activity."""

    ticket_id: str
    message: str


@dataclass
class CloseTicketInput:
    """Input of the close_ticket activity."""

    ticket_id: str
    agent: str
    escalations: int


@dataclass
class RouteTicketInput:
    """Input of the route-ticket workflow."""

    ticket_id: str
    category: str
    priority: int
    text: str


@dataclass
class RouteTicketState:
    """State of the route-ticket workflow."""

    route: str = "unrouted"


@dataclass
class HandleTicketInput:
    """Input of the handle-ticket workflow."""

    ticket_id: str
    queue: str
    priority: int


@dataclass
class HandleTicketState:
    """State of the handle-ticket workflow."""

    escalations: int = 0
    level: str = "normal"
    reasons: list[str] = field(default_factory=list)


@dataclass
class HandleTicketEscalateSignal:
    """Payload of the escalate signal."""

    level: str
    reason: str
