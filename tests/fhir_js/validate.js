// Validates FHIR R4 NDJSON files with FHIR.js (npm package "fhir", an independent
// validator: structure, cardinality, types and required value-set bindings).
// Usage: node validate.js FILE.ndjson...   Prints one JSON line: the messages of
// severity "error" (at most 50 per file) and the count of resources read.
"use strict";
const fs = require("fs");
const { Fhir } = require("fhir");

const fhir = new Fhir();
const out = { resources: 0, errors: [] };
for (const file of process.argv.slice(2)) {
  const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.length > 0);
  let shown = 0;
  for (const line of lines) {
    const resource = JSON.parse(line);
    out.resources += 1;
    const result = fhir.validate(resource, { errorOnUnexpected: true });
    for (const m of result.messages || []) {
      if (m.severity === "error" && shown < 50) {
        shown += 1;
        out.errors.push({ id: `${resource.resourceType}/${resource.id}`, location: m.location, message: m.message });
      }
    }
  }
}
process.stdout.write(JSON.stringify(out) + "\n");
