import { gzipSync } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { marshall } from '@aws-sdk/util-dynamodb';
import { S3ObjectReader } from '../../../shared/adapters/aws/s3-objects';
import { cardsOfExportFile } from '../../../shared/reconciliation/sweep';

/** An S3 client answering GetObject with `objects[bucket/key]` (NoSuchKey otherwise); every command kept. */
function fakeS3(objects: Record<string, Buffer>) {
  const sent: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      sent.push(command);
      const { Bucket, Key } = (command as GetObjectCommand).input;
      const body = objects[`${Bucket}/${Key}`];
      if (!body) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
      return { Body: { transformToByteArray: async () => new Uint8Array(body) } };
    },
  } as unknown as S3Client;
  return { client, sent };
}

describe("the sweep's export file reader (S3, the pinned client)", () => {
  it('reads a whole export data file with GetObject, and the cards come out of it', async () => {
    // Prepare
    const key = 'exports/sweep-1/AWSDynamoDB/0166/data/abc.json.gz';
    const file = gzipSync(
      JSON.stringify({ Item: marshall({ PK: 'TOKEN#t1', SK: 'STATE', facts: { cardId: 'c1', accountId: 'a1' } }) }),
    );
    const s3 = fakeS3({ [`exports-bucket/${key}`]: file });

    // Act
    const bytes = await new S3ObjectReader(s3.client).read('exports-bucket', key);

    // Assess
    expect(s3.sent).toHaveLength(1);
    expect(s3.sent[0]).toBeInstanceOf(GetObjectCommand);
    expect((s3.sent[0] as GetObjectCommand).input).toEqual({ Bucket: 'exports-bucket', Key: key });
    expect(bytes.equals(file)).toBe(true);
    expect(cardsOfExportFile(bytes)).toEqual([{ cardId: 'c1', accountId: 'a1' }]);
  });

  it("passes S3's error on (the Map item fails, and is retried or tolerated by the state machine)", async () => {
    const s3 = fakeS3({});
    await expect(new S3ObjectReader(s3.client).read('b', 'exports/x/data/missing.json.gz')).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });
});
