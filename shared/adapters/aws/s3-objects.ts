import type * as S3Sdk from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { traced } from '../observability/tracer';

/**
 * Reads whole S3 objects (the full sweep's DynamoDB export files) with the pinned
 * `@aws-sdk/client-s3` of package.json, bundled like every SDK client (`externalModules: []` in
 * infra/constructs/app-function.ts, docs/decisions/0008-http-api-and-bundled-sdk.md), never the
 * Lambda runtime's copy. The import names the module literally so esbuild bundles it; the client
 * loads on the first read, so the sweep's other steps do not pay for it at cold start.
 */
export class S3ObjectReader {
  private sdk?: Promise<{ client: S3Client; mod: typeof S3Sdk }>;

  constructor(private readonly client?: S3Client) {}

  private load(): Promise<{ client: S3Client; mod: typeof S3Sdk }> {
    this.sdk ??= import('@aws-sdk/client-s3').then((mod) => ({
      mod,
      client: this.client ?? traced(new mod.S3Client({})),
    }));
    return this.sdk;
  }

  /** The object's bytes (an empty object: an empty buffer). */
  async read(bucket: string, key: string): Promise<Buffer> {
    const { client, mod } = await this.load();
    const out = await client.send(new mod.GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
  }
}
