import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Cold-start baseline: a bundle that only creates a DynamoDB document client. */
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async () => doc.config.region;
