import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/**
 * The MDES Customer Service 2.0.7 OpenAPI document as JSON Schema validators, independent of our
 * zod contract: the simulator validates what the client sends with it, and the contract tests check
 * our requests and parse the spec's examples with it. `maxLength: 0` (an export quirk of the spec on
 * many fields) is dropped, as is `format: integer` on strings.
 */
export const MDES_SPEC_FILE = path.resolve(__dirname, 'specs', 'mdes-customer-service-2.0.7.yaml');

interface Spec {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content: Record<string, { schema: { $ref: string } }> };
        responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }>;
        'x-samples'?: { name: string; request?: Record<string, string>; response?: Record<string, string> }[];
      }
    >
  >;
  components: { schemas: Record<string, unknown> };
}

function clean(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(clean);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'maxLength' && v === 0) continue;
    if (k === 'format' && v === 'integer') continue;
    if (k === 'example') continue;
    out[k] = clean(v);
  }
  return out;
}

let loaded: { spec: Spec; ajv: Ajv.Ajv } | undefined;

function load() {
  if (!loaded) {
    const spec = parse(readFileSync(MDES_SPEC_FILE, 'utf8')) as Spec;
    const ajv = new Ajv({ allErrors: true, unknownFormats: 'ignore' });
    ajv.addSchema({ components: { schemas: clean(spec.components.schemas) } }, 'mdes');
    loaded = { spec, ajv };
  }
  return loaded;
}

/** One operation of the spec: its path, method, schemas and samples. */
export interface SpecOperation {
  path: string;
  method: string;
  requestSchema?: string;
  responseSchema?: string;
  samples: { name: string; request?: string; response?: string }[];
}

/** Every operation in the spec. */
export function specOperations(): SpecOperation[] {
  const { spec } = load();
  const ops: SpecOperation[] = [];
  for (const [p, methods] of Object.entries(spec.paths))
    for (const [method, o] of Object.entries(methods))
      ops.push({
        path: p,
        method: method.toUpperCase(),
        requestSchema: o.requestBody?.content['application/json']?.schema.$ref.split('/').pop(),
        responseSchema: o.responses['200']?.content?.['application/json']?.schema.$ref.split('/').pop(),
        samples: (o['x-samples'] ?? []).map((s) => ({
          name: s.name,
          request: s.request?.['application/json'],
          response: s.response?.['application/json'],
        })),
      });
  return ops;
}

/** Validates a value against a named schema of the spec; returns the errors, empty when valid. */
export function validateAgainstSpec(schemaName: string, value: unknown): string[] {
  const { ajv } = load();
  const validate = ajv.getSchema(`mdes#/components/schemas/${schemaName}`);
  if (!validate) throw new Error(`no schema ${schemaName} in the MDES spec`);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.dataPath || '(root)'} ${e.message ?? ''}`);
}
