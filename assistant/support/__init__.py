"""Customer service: the help-passage desk, order lookups, handoff to a person, and the desk that routes between them."""
