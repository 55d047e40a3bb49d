"""goalpost: evaluation-period goals over GraphQL, saved in batches."""
