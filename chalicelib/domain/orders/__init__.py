"""Orders to handover (SPEC G, seed 001): the order, its milestones, documents, guards and cancellation."""
