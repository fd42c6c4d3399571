// The floor: a node process that writes the same documents, loaded from JSON, with the same YAML library cdk8s uses.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Yaml } from 'cdk8s';

const [input, outdir] = process.argv.slice(2);
const files: Record<string, any[]> = JSON.parse(fs.readFileSync(input, 'utf8'));
fs.mkdirSync(outdir, { recursive: true });
for (const [file, documents] of Object.entries(files)) fs.writeFileSync(path.join(outdir, file), Yaml.stringify(...documents));
