from apps.core.permissions import Rule

from .roles import Role

# Administrators give people any role in the organisations they administer (themselves too) and
# reset others' two-factor sign-in: through the roles they grant they reach children's data.
MANAGE_PEOPLE = Rule("people.manage", frozenset({Role.ADMINISTRATOR}), child_data=True)
