"""Proposals: status (and its transitions), model, commands, views."""
