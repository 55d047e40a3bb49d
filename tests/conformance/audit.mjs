// Prints one JSON line per graphql-http audit (MUST and SHOULD) of the server at argv[2].
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
for (const { id, name, status, reason } of results) {
  console.log(JSON.stringify({ id, name, status, reason: reason ?? null }));
}
