from apps.core.permissions import SIGNED_IN

VIEW_ORGANISATIONS = SIGNED_IN
