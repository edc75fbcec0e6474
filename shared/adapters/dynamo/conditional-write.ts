import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  type PutCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';

/**
 * The adapter's conditional writes, and the one place that turns DynamoDB's
 * ConditionalCheckFailedException into an answer (a lost condition is an outcome, not an error).
 */

/** A conditional put: true when it was written, false when its condition failed (any other error is thrown). */
export async function conditionalPut(
  doc: DynamoDBDocumentClient,
  input: PutCommandInput & { ConditionExpression: string },
  options: { abortSignal?: AbortSignal } = {},
): Promise<boolean> {
  try {
    await doc.send(new PutCommand(input), options);
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/**
 * Writes `item` unless an item with its key (`PK`, `SK`) exists: true when written, false when it
 * was already there (a duplicate). `orIf` names a further condition under which an existing item
 * is replaced anyway (e.g. it has expired), with its `values`.
 */
export function putIfAbsent(
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
  options: { orIf?: string; values?: Record<string, unknown>; abortSignal?: AbortSignal } = {},
): Promise<boolean> {
  return conditionalPut(
    doc,
    {
      TableName: tableName,
      Item: item,
      ConditionExpression: options.orIf ? `attribute_not_exists(PK) OR (${options.orIf})` : 'attribute_not_exists(PK)',
      ExpressionAttributeValues: options.values,
    },
    { abortSignal: options.abortSignal },
  );
}

/**
 * A conditional update returning the item after it (`ReturnValues: 'ALL_NEW'`): undefined when its
 * condition failed (any other error is thrown).
 */
export async function conditionalUpdate(
  doc: DynamoDBDocumentClient,
  input: UpdateCommandInput & { ConditionExpression: string },
): Promise<Record<string, unknown> | undefined> {
  try {
    const out = await doc.send(new UpdateCommand({ ...input, ReturnValues: 'ALL_NEW' }));
    return out.Attributes ?? {};
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return undefined;
    throw err;
  }
}
