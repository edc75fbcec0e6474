import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sanitiseDeep } from '../../domain/sanitise';

/** The members of a DynamoDB request that carry data (items, keys, values, attribute names). */
const DATA_MEMBERS = new Set([
  'Item',
  'Key',
  'Keys',
  'ExclusiveStartKey',
  'ExpressionAttributeValues',
  'ExpressionAttributeNames',
]);

/**
 * Sanitises the data members of a request, at any depth (transactions and batches nest whole
 * requests); everything else (table and index names, expressions) is DynamoDB syntax, kept.
 */
function sanitiseRequest(input: unknown): unknown {
  if (Array.isArray(input)) return input.map(sanitiseRequest);
  if (input === null || typeof input !== 'object') return input;
  return Object.fromEntries(
    Object.entries(input).map(([name, value]) => [
      name,
      DATA_MEMBERS.has(name) ? sanitiseDeep(value) : sanitiseRequest(value),
    ]),
  );
}

/**
 * Makes `doc` sanitise every request it sends: items, keys (partition, sort and index keys), key
 * conditions' values and attribute names pass {@link sanitiseDeep} before marshalling. The client
 * gets its own copy of the middleware stack, so other users of the same `DynamoDBClient` are not
 * affected, and every command sent through `doc` (whatever method builds it) is covered.
 * Reads pass too, so a lookup by a value that was masked when written finds the masked item.
 */
export function sanitiseEveryRequest(doc: DynamoDBDocumentClient): DynamoDBDocumentClient {
  doc.middlewareStack = doc.middlewareStack.clone();
  doc.middlewareStack.add(
    (next) => async (args) => next({ ...args, input: sanitiseRequest(args.input) as typeof args.input }),
    // `initialize` runs before the document client marshals the input into attribute values.
    { step: 'initialize', name: 'sanitiseCardNumbers', override: true },
  );
  return doc;
}
