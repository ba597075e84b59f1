"""Which channel carries each message: decided when the outbox row is written, so each
row is one delivery on one channel and is retried on its own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.outbox import Transport
from flows.directory import Directory, Person
from flows.messages import GROUP, OutMessage


@dataclass(frozen=True)
class Delivery:
    recipient: str  # a person id, or GROUP for a transport that posts to the group itself
    via: str  # the transport's name
    message: OutMessage


class Router:
    def __init__(self, directory: Directory, transports: Mapping[str, Transport]) -> None:
        self.directory = directory
        self.transports = dict(transports)

    def order(self, person: Person) -> list[str]:
        """The channels to try for a person: those they prefer, then the others; a
        transport marked `last_resort` (SMS) after all of them, whatever they prefer."""
        order = [*person.prefer, *(name for name in self.transports if name not in person.prefer)]
        return sorted(order, key=lambda name: bool(getattr(self.transports.get(name), "last_resort", False)))

    def channel_for(self, person: Person) -> str | None:
        """The first channel the person prefers that reaches them, else any that does."""
        for name in self.order(person):
            transport = self.transports.get(name)
            if transport is not None and transport.reaches(person):
                return name
        return None

    def plan(self, message: OutMessage) -> list[Delivery]:
        if message.to != GROUP:
            person = self.directory.get(message.to)
            via = self.channel_for(person) if person else None
            return [Delivery(message.to, via, message)] if via else []
        deliveries = []
        for name, transport in self.transports.items():
            if transport.group_mode == "post":
                deliveries.append(Delivery(GROUP, name, message))
            elif transport.group_mode == "relay" and message.kind != "summary":
                # Stands in for a group the platform cannot post to (WhatsApp): everyone
                # whose channel this is gets the group's messages one by one, except the
                # live summary, which only makes sense where it is updated in place.
                deliveries += [Delivery(p.id, name, message) for p in self.directory.people if self.channel_for(p) == name]
        return deliveries

    def transport(self, via: str) -> Transport:
        return self.transports[via]
