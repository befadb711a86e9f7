"""Web views of the referral journey, one module per side (la, hub, provider, ...)."""
