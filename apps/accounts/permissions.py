from apps.core.permissions import Rule

from .roles import Role

MANAGE_PEOPLE = Rule("people.manage", frozenset({Role.ADMINISTRATOR}))
