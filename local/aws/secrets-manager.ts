import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** A Secrets Manager API error (`__type` + message), as the JSON 1.1 protocol returns it. */
export class SecretsManagerError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface Version {
  versionId: string;
  /** Undefined for the AWSPENDING placeholder RotateSecret creates before createSecret runs. */
  secretString?: string;
  stages: string[];
  createdAt: number;
}

interface StoredSecret {
  name: string;
  arn: string;
  description?: string;
  versions: Version[];
  rotationEnabled: boolean;
  rotationLambdaArn?: string;
  rotationDays?: number;
}

type Req = Record<string, unknown>;

/**
 * Secrets Manager's JSON protocol, in process, for the real `@aws-sdk/client-secrets-manager`:
 * CreateSecret, GetSecretValue, PutSecretValue, DescribeSecret, UpdateSecretVersionStage,
 * ListSecretVersionIds, RotateSecret (which calls the rotation hook with the four steps, as
 * Secrets Manager invokes the rotation Lambda). Version stages behave as in AWS: AWSCURRENT and
 * AWSPENDING are each on one version; moving AWSCURRENT labels the old version AWSPREVIOUS.
 * Optionally persisted to a JSON file; faults (throttling) can be injected.
 */
export class LocalSecretsManager {
  private readonly secrets = new Map<string, StoredSecret>();
  /** Throttle the next N calls (ThrottlingException), to test riding out a blip. */
  throttleNext = 0;
  /** Rotation hook: RotateSecret runs the four steps through it (the local stack invokes the function). */
  rotate?: (event: { SecretId: string; ClientRequestToken: string; Step: string }) => Promise<void>;
  readonly calls: string[] = [];

  constructor(private readonly file?: string) {
    if (file) {
      try {
        for (const s of JSON.parse(readFileSync(file, 'utf8')) as StoredSecret[]) this.secrets.set(s.name, s);
      } catch {
        // first start: nothing persisted yet
      }
    }
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify([...this.secrets.values()], null, 1), { mode: 0o600 });
  }

  /** True when a secret of this name or ARN exists. */
  has(id: string): boolean {
    return this.find(id) !== undefined;
  }

  private find(id: string): StoredSecret | undefined {
    return this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.arn === id);
  }

  private get(id: unknown): StoredSecret {
    const s = this.find(String(id ?? ''));
    if (!s)
      throw new SecretsManagerError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return s;
  }

  private version(s: StoredSecret, versionId?: unknown, stage?: unknown): Version {
    const v = versionId
      ? s.versions.find((x) => x.versionId === versionId)
      : s.versions.find((x) => x.stages.includes(String(stage ?? 'AWSCURRENT')));
    if (!v)
      throw new SecretsManagerError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for ${versionId ? `VersionId: ${String(versionId)}` : `staging label: ${String(stage ?? 'AWSCURRENT')}`}`,
      );
    return v;
  }

  private moveStage(s: StoredSecret, stage: string, to: Version): void {
    for (const v of s.versions) {
      if (v !== to && v.stages.includes(stage)) {
        v.stages = v.stages.filter((x) => x !== stage);
        if (stage === 'AWSCURRENT') {
          for (const old of s.versions) old.stages = old.stages.filter((x) => x !== 'AWSPREVIOUS');
          v.stages.push('AWSPREVIOUS');
        }
      }
    }
    if (!to.stages.includes(stage)) to.stages.push(stage);
    if (stage === 'AWSCURRENT') to.stages = to.stages.filter((x) => x !== 'AWSPREVIOUS');
  }

  /** Handles one API call (`operation` is the X-Amz-Target suffix). */
  async handle(operation: string, req: Req): Promise<unknown> {
    this.calls.push(operation);
    if (this.throttleNext > 0) {
      this.throttleNext--;
      throw new SecretsManagerError('ThrottlingException', 'Rate exceeded');
    }
    switch (operation) {
      case 'CreateSecret': {
        const name = String(req.Name ?? '');
        if (this.secrets.has(name))
          throw new SecretsManagerError('ResourceExistsException', `The secret ${name} already exists.`);
        const arn = `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-${randomUUID().slice(0, 6)}`;
        const s: StoredSecret = {
          name,
          arn,
          description: req.Description as string | undefined,
          versions: [],
          rotationEnabled: false,
        };
        this.secrets.set(name, s);
        if (typeof req.SecretString === 'string') {
          const versionId = String(req.ClientRequestToken ?? randomUUID());
          s.versions.push({ versionId, secretString: req.SecretString, stages: ['AWSCURRENT'], createdAt: Date.now() });
        }
        this.save();
        return { ARN: arn, Name: name, VersionId: s.versions[0]?.versionId };
      }
      case 'GetSecretValue': {
        const s = this.get(req.SecretId);
        const v = this.version(s, req.VersionId, req.VersionStage);
        if (v.secretString === undefined)
          throw new SecretsManagerError(
            'ResourceNotFoundException',
            "Secrets Manager can't find the specified secret value for this version.",
          );
        return {
          ARN: s.arn,
          Name: s.name,
          VersionId: v.versionId,
          SecretString: v.secretString,
          VersionStages: v.stages,
          CreatedDate: v.createdAt / 1000,
        };
      }
      case 'PutSecretValue': {
        const s = this.get(req.SecretId);
        const versionId = String(req.ClientRequestToken ?? randomUUID());
        const existing = s.versions.find((v) => v.versionId === versionId);
        if (existing && existing.secretString === undefined) {
          // The rotation's AWSPENDING placeholder gets its value.
          existing.secretString = String(req.SecretString ?? '');
          for (const stage of (req.VersionStages as string[] | undefined) ?? []) this.moveStage(s, stage, existing);
          this.save();
          return { ARN: s.arn, Name: s.name, VersionId: versionId, VersionStages: existing.stages };
        }
        if (existing) {
          // Idempotent for the same value; a different value under the same token is an error, as in AWS.
          if (existing.secretString !== req.SecretString)
            throw new SecretsManagerError(
              'ResourceExistsException',
              'a version with this ClientRequestToken already exists with other contents',
            );
          return { ARN: s.arn, Name: s.name, VersionId: versionId, VersionStages: existing.stages };
        }
        const v: Version = {
          versionId,
          secretString: String(req.SecretString ?? ''),
          stages: [],
          createdAt: Date.now(),
        };
        s.versions.push(v);
        const stages = (req.VersionStages as string[] | undefined) ?? ['AWSCURRENT'];
        for (const stage of stages) this.moveStage(s, stage, v);
        this.save();
        return { ARN: s.arn, Name: s.name, VersionId: versionId, VersionStages: v.stages };
      }
      case 'DescribeSecret': {
        const s = this.get(req.SecretId);
        return {
          ARN: s.arn,
          Name: s.name,
          Description: s.description,
          RotationEnabled: s.rotationEnabled,
          RotationLambdaARN: s.rotationLambdaArn,
          RotationRules: s.rotationDays ? { AutomaticallyAfterDays: s.rotationDays } : undefined,
          VersionIdsToStages: Object.fromEntries(
            s.versions.filter((v) => v.stages.length).map((v) => [v.versionId, v.stages]),
          ),
        };
      }
      case 'ListSecretVersionIds': {
        const s = this.get(req.SecretId);
        return {
          ARN: s.arn,
          Name: s.name,
          Versions: s.versions.map((v) => ({ VersionId: v.versionId, VersionStages: v.stages })),
        };
      }
      case 'UpdateSecretVersionStage': {
        const s = this.get(req.SecretId);
        const stage = String(req.VersionStage ?? '');
        if (req.RemoveFromVersionId) {
          const from = this.version(s, req.RemoveFromVersionId);
          if (!from.stages.includes(stage))
            throw new SecretsManagerError('InvalidParameterException', `the version does not have the label ${stage}`);
          if (!req.MoveToVersionId) from.stages = from.stages.filter((x) => x !== stage);
        }
        if (req.MoveToVersionId) {
          const current = s.versions.find((v) => v.stages.includes(stage));
          if (current && current.versionId !== req.RemoveFromVersionId && stage === 'AWSCURRENT')
            throw new SecretsManagerError(
              'InvalidParameterException',
              'RemoveFromVersionId must name the version that has AWSCURRENT',
            );
          this.moveStage(s, stage, this.version(s, req.MoveToVersionId));
        }
        this.save();
        return { ARN: s.arn, Name: s.name };
      }
      case 'RotateSecret': {
        const s = this.get(req.SecretId);
        if (req.RotationRules) {
          s.rotationEnabled = true;
          s.rotationDays = (req.RotationRules as { AutomaticallyAfterDays?: number }).AutomaticallyAfterDays;
        }
        if (req.RotationLambdaARN) s.rotationLambdaArn = String(req.RotationLambdaARN);
        if (!this.rotate)
          throw new SecretsManagerError('InvalidRequestException', 'no rotation function is configured');
        const token = String(req.ClientRequestToken ?? randomUUID());
        // As AWS: a new version labelled AWSPENDING (no value yet) that the rotation function fills.
        if (!s.versions.some((v) => v.versionId === token)) {
          const placeholder: Version = { versionId: token, stages: [], createdAt: Date.now() };
          s.versions.push(placeholder);
          this.moveStage(s, 'AWSPENDING', placeholder);
        }
        // AWS runs the steps asynchronously and reports failures in the function's logs; locally they run
        // in the call and a failure is returned (the pending version stays, as in AWS).
        for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'])
          try {
            await this.rotate({ SecretId: s.arn, ClientRequestToken: token, Step });
          } catch (err) {
            this.save();
            throw new SecretsManagerError('RotationFailed', `${Step} failed: ${(err as Error).message}`);
          }
        this.save();
        return { ARN: s.arn, Name: s.name, VersionId: token };
      }
      default:
        throw new SecretsManagerError('UnknownOperationException', `no local Secrets Manager operation ${operation}`);
    }
  }
}
