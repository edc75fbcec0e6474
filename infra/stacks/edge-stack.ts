import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { Edge, type EdgeSettings } from '../constructs/edge';
import type { OriginVerifySettings } from '../constructs/origin-verify';

/** A CloudFront-scoped web ACL (and the certificate of a custom domain) must live in us-east-1. */
export const EDGE_REGION = 'us-east-1';

/** Context key whose presence turns the edge on: the HTTP API's domain (docs/security/edge.md). */
export const API_ORIGIN_DOMAIN = 'tokenization:apiOriginDomain';

/** How long API Gateway caches the origin-verify authorizer's answer per header value. */
const AUTHORIZER_CACHE_TTL = Duration.minutes(5);

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+:[0-9a-fA-F:]*\/(\d{1,3})$/;

/** True for an IPv4 (/1–/32) or IPv6 (/1–/128) CIDR; `/0` would allow everyone and is refused. */
function validCidr(cidr: string): boolean {
  const v4 = IPV4_CIDR.exec(cidr);
  if (v4) return v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) >= 1 && Number(v4[5]) <= 32;
  const v6 = IPV6_CIDR.exec(cidr);
  return !!v6 && Number(v6[1]) >= 1 && Number(v6[1]) <= 128;
}

/** A list of CIDRs from context: a JSON array, or a string of comma-separated CIDRs (`-c key=a,b`). */
function ranges(scope: Construct, key: string): string[] {
  const raw: unknown = scope.node.tryGetContext(`tokenization:${key}`);
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  const list: unknown = text?.startsWith('[') ? JSON.parse(text) : text !== undefined ? text.split(',') : raw;
  if (!Array.isArray(list) || list.length === 0)
    throw new Error(`context tokenization:${key} is required with ${API_ORIGIN_DOMAIN}: a list of CIDRs`);
  return list.map((entry: unknown) => {
    const cidr = String(entry).trim();
    if (!validCidr(cidr)) throw new Error(`tokenization:${key}: ${cidr} is not an IPv4 or IPv6 CIDR (/0 refused)`);
    return cidr;
  });
}

function optional(scope: Construct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(`tokenization:${key}`);
  return typeof value === 'string' || typeof value === 'number' ? String(value) || undefined : undefined;
}

/** The edge and its authorizer settings, or undefined when `tokenization:apiOriginDomain` is not set. */
export function edgeFromContext(
  scope: Construct,
  stage: string,
  logRetention: RetentionDays,
): { settings: EdgeSettings; originVerify: OriginVerifySettings } | undefined {
  const apiOriginDomain = optional(scope, 'apiOriginDomain')
    ?.replace(/^https:\/\//, '')
    .replace(/\/$/, '');
  if (!apiOriginDomain) return undefined;
  if (!/^[a-z0-9.-]+$/i.test(apiOriginDomain))
    throw new Error(`${API_ORIGIN_DOMAIN} must be a domain name (the ApiUrl output without https://)`);
  const domainName = optional(scope, 'edgeDomainName');
  const certificateArn = optional(scope, 'edgeCertificateArn');
  if (!domainName !== !certificateArn)
    throw new Error('tokenization:edgeDomainName and tokenization:edgeCertificateArn go together');
  const rateLimit = Number(optional(scope, 'edgeRateLimit') ?? 2000);
  if (!Number.isInteger(rateLimit) || rateLimit < 10)
    throw new Error('tokenization:edgeRateLimit must be an integer ≥ 10 (requests per IP per 5 minutes)');
  const originSecretName = `card-tokenization/${stage}/origin-verify`;
  return {
    settings: {
      apiOriginDomain,
      pismoSourceRanges: ranges(scope, 'pismoSourceRanges'),
      internalSourceRanges: ranges(scope, 'internalSourceRanges'),
      rateLimit,
      originSecretName,
      originSecretRotation: optional(scope, 'originSecretRotation'),
      domainName,
      certificateArn,
      logRetention,
    },
    originVerify: { secretName: originSecretName, secretRegion: EDGE_REGION, resultsCacheTtl: AUTHORIZER_CACHE_TTL },
  };
}

export interface EdgeStackProps extends StackProps {
  settings: EdgeSettings;
}

/**
 * CloudFront + AWS WAF in front of the HTTP API, in us-east-1. It learns the API's domain from context
 * (set after the first deploy of the main stacks), not from a cross-region reference, which would add a
 * custom-resource Lambda.
 */
export class EdgeStack extends Stack {
  readonly edge: Edge;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, { ...props, env: { ...props.env, region: EDGE_REGION } });
    this.edge = new Edge(this, 'Edge', { settings: props.settings });
    new CfnOutput(this, 'EdgeUrl', { value: `https://${this.edge.distribution.distributionDomainName}` });
  }
}
