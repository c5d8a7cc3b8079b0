"""Helpers for the initiatives tests: networks and memberships (make_initiative is in conftest)."""

import pytest

from kennisnet.extensions import db
from kennisnet.initiatives.models import Membership, Network, NetworkMember


@pytest.fixture
def make_network(app):
    counter = iter(range(1, 10_000))

    def factory(members=(), provinces=("noord-brabant",), **values):
        n = next(counter)
        network = Network(**{"slug": f"netwerk-{n}", "name": f"Netwerk {n}", "level": "regionaal",
                             "description": "Een netwerk.", **values})
        network.set_provinces(provinces)
        network.member_links = [NetworkMember(initiative=i) for i in members]
        db.session.add(network)
        db.session.commit()
        return network

    return factory


@pytest.fixture
def add_member(app):
    def add(user, organisation, role="lid"):
        membership = Membership(user_id=user.id, organisation_id=organisation.id, role=role)
        db.session.add(membership)
        db.session.commit()
        db.session.refresh(organisation)
        return membership

    return add
