"""Leads: `model` (the aggregate, its parts, its transitions), `commands` (what the seller asks),
`views` (what the API shows)."""
