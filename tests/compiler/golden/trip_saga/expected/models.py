"""Data types of the Trip saga project: shared types, workflow inputs, state
and payloads.
"""

from dataclasses import dataclass


@dataclass
class BookCarInput:
    """Input of the book_car activity."""

    traveller: str


@dataclass
class BookHotelInput:
    """Input of the book_hotel activity."""

    traveller: str


@dataclass
class BookFlightInput:
    """Input of the book_flight activity."""

    traveller: str
    sold_out: bool


@dataclass
class UndoCarInput:
    """Input of the undo_car activity."""

    traveller: str


@dataclass
class UndoHotelInput:
    """Input of the undo_hotel activity."""

    traveller: str


@dataclass
class UndoFlightInput:
    """Input of the undo_flight activity."""

    traveller: str


@dataclass
class BookTripInput:
    """Input of the book-trip workflow."""

    traveller: str
    sold_out: bool = False
