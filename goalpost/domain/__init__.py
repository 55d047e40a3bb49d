"""The goal's vocabulary, shared by the server and its Python client: the enumerations and
the declaration of every category field (goal_fields.py). Plain Python, importing nothing of
goalpost or of any framework, so that `goalpost.client` can derive its patches and documents
from the same declaration without loading the server (docs/changing.md)."""
