import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from '../shared/adapters/observability/tracer';

/**
 * Cold-start baseline: a bundle that only creates a DynamoDB document client, traced as every function
 * of the service must be (Powertools Tracer on the AWS SDK clients, issue 10 §8). The tracer's own cost
 * (~20–30 ms of init, ~134 KiB) is thus in the floor, and each ratio is what our code adds to the
 * least a traced DynamoDB function costs; docs/operations/dashboard.md gives the tracer's cost alone.
 */
const doc = DynamoDBDocumentClient.from(traced(new DynamoDBClient({})));

export const handler = async () => doc.config.region;
