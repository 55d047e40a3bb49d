"""Business rules, free of GraphQL: auth, the org guard, goals and the batch save."""
