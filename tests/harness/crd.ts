import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { requireCommand } from './tools';

export const KUBERNETES_POLICIES = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'vectors', 'kubernetes-policies');

/**
 * Validates a Kubernetes document against the `openAPIV3Schema` its CRD (vendored from the
 * controller's own repository) declares for the document's apiVersion, with python3-jsonschema;
 * fields the schema does not declare are reported too (the API server would drop them silently).
 * Returns the errors, empty when it validates. The exit status of python is checked.
 */
export function crdErrors(crdFile: string, doc: unknown): string[] {
  requireCommand('python3', 'python3-jsonschema');
  const crds = parseAllDocuments(readFileSync(path.join(KUBERNETES_POLICIES, crdFile), 'utf8')).map(
    (d) => d.toJS() as { spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: unknown } }>; group: string } },
  );
  const apiVersion = (doc as { apiVersion?: string }).apiVersion ?? '';
  const [group, version] = apiVersion.split('/');
  const crd = crds.find((c) => c.spec.group === group);
  const schema = crd?.spec.versions.find((v) => v.name === version)?.schema.openAPIV3Schema;
  if (!schema) return [`no schema for ${apiVersion} in ${crdFile}`];
  const script = `
import json, sys, jsonschema
data = json.load(sys.stdin)
schema, doc = data["schema"], data["doc"]
errors = [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(doc)]
def walk(s, d, where):
    if not isinstance(s, dict) or s.get("x-kubernetes-preserve-unknown-fields"):
        return
    if isinstance(d, dict):
        props = s.get("properties")
        if props is not None:
            for k, v in d.items():
                if where == "" and k in ("apiVersion", "kind", "metadata"):
                    continue
                if k not in props and not s.get("additionalProperties"):
                    errors.append(f"{where}/{k}: not declared by the schema")
                elif k in props:
                    walk(props[k], v, f"{where}/{k}")
        elif isinstance(s.get("additionalProperties"), dict):
            for k, v in d.items():
                walk(s["additionalProperties"], v, f"{where}/{k}")
    elif isinstance(d, list) and isinstance(s.get("items"), dict):
        for i, v in enumerate(d):
            walk(s["items"], v, f"{where}/{i}")
walk(schema, doc, "")
print(json.dumps(errors))
`;
  const result = spawnSync('python3', ['-c', script], { input: JSON.stringify({ schema, doc }), maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python3 jsonschema exited ${result.status}: ${result.stderr.toString().slice(-500)}`);
  return JSON.parse(result.stdout.toString()) as string[];
}
