/**
 * local/model: what the local stack runs, read from the synthesized CDK templates (`cloud-template.ts`
 * synthesizes the app in process, cdk-nag included) and nowhere else: tables, functions with their
 * environment, HTTP routes and authorizers, queue consumers, state machines. Strict: a resource the
 * template does not declare does not run locally; Ref, Fn::GetAtt, Fn::ImportValue and Fn::Join are
 * resolved to local values, and an unresolvable reference is an error.
 */
import { ORIGIN_VERIFY_HEADER } from '../../shared/edge/origin-verify';
import type { CfnResource, SynthesizedStack } from './cloud-template';

/** The local stack's view of the deployed system, derived from the synthesized templates. */
export interface LocalModel {
  tables: LocalTable[];
  functions: Map<string, LocalFunction>;
  routes: LocalRoute[];
  queueConsumers: LocalQueueConsumer[];
  stateMachines: Map<string, LocalStateMachine>;
}

/** A state machine from the template, its Task states mapped to local functions. */
export interface LocalStateMachine {
  logicalId: string;
  /** What `Ref` resolves to locally (the logical id), which functions receive as the ARN. */
  arn: string;
  definition: Record<string, unknown>;
  /** Task state name → function id. */
  taskFunctions: Record<string, string>;
  /** Task states using `.waitForTaskToken`. */
  waitForTaskToken: string[];
}

export interface LocalQueueConsumer {
  queueLogicalId: string;
  functionId: string;
  reportBatchItemFailures: boolean;
  batchSize: number;
  /** From the queue's redrive policy; undefined when the queue has no DLQ. */
  maxReceiveCount?: number;
}

export interface LocalTable {
  /** Local table name: the table's logical id. */
  name: string;
  properties: Record<string, unknown>;
}

export interface LocalFunction {
  /** `<stack>/<logicalId>`. */
  id: string;
  /** Entry file relative to the repository root (from the `local:entry` metadata). */
  entry: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
}

export interface LocalRoute {
  method: string;
  path: string;
  routeKey: string;
  functionId: string;
  auth: { type: 'NONE' } | { type: 'JWT'; issuer: string; audience: string[]; scopes: string[] };
}

const PSEUDO: Record<string, string> = {
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'local',
  'AWS::NoValue': '',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Resolves CloudFormation intrinsics to local values, following cross-stack exports. */
class Resolver {
  private readonly exports = new Map<string, { stack: SynthesizedStack; value: unknown }>();

  constructor(readonly stacks: SynthesizedStack[]) {
    for (const stack of stacks) {
      for (const output of Object.values(stack.template.Outputs ?? {})) {
        if (typeof output.Export?.Name === 'string')
          this.exports.set(output.Export.Name, { stack, value: output.Value });
      }
    }
  }

  /** Local physical name of a resource: its logical id (tables, functions, queues). */
  private physical(stack: SynthesizedStack, logicalId: string): string {
    if (!stack.template.Resources[logicalId]) throw new Error(`unresolvable Ref ${logicalId} in ${stack.stackName}`);
    return logicalId;
  }

  resolve(value: unknown, stack: SynthesizedStack): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, stack));
    if (!isObj(value)) return value;
    if ('Ref' in value) {
      const ref = String(value.Ref);
      return PSEUDO[ref] ?? this.physical(stack, ref);
    }
    if ('Fn::GetAtt' in value) {
      const [id, attr] = value['Fn::GetAtt'] as [string, string];
      return `arn:aws:local:::${this.physical(stack, id)}/${attr}`;
    }
    if ('Fn::ImportValue' in value) {
      const name = this.resolve(value['Fn::ImportValue'], stack);
      const exp = this.exports.get(String(name));
      if (!exp) throw new Error(`no stack exports ${String(name)}`);
      return this.resolve(exp.value, exp.stack);
    }
    if ('Fn::Join' in value) {
      const [sep, parts] = value['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(this.resolve(p, stack))).join(sep);
    }
    const intrinsic = Object.keys(value).find((k) => k.startsWith('Fn::'));
    if (intrinsic) throw new Error(`the local stack cannot resolve ${intrinsic}; extend local/model/model.ts`);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v, stack)]));
  }
}

function refOf(v: unknown): string | undefined {
  if (isObj(v) && typeof v.Ref === 'string') return v.Ref;
  if (isObj(v) && Array.isArray(v['Fn::GetAtt'])) return String(v['Fn::GetAtt'][0]);
  if (isObj(v) && Array.isArray(v['Fn::Join'])) {
    const parts = (v['Fn::Join'] as [string, unknown[]])[1];
    for (const p of parts) {
      const r = refOf(p);
      if (r) return r;
    }
  }
  return undefined;
}

function resourcesOf(stack: SynthesizedStack, type: string): [string, CfnResource][] {
  return Object.entries(stack.template.Resources).filter(([, r]) => r.Type === type);
}

/** The route's authorizer is the edge's origin-verify one: a REQUEST authorizer on the `x-origin-verify` header only. */
function isOriginVerify(stack: SynthesizedStack, authorizerRef: unknown, resolver: Resolver): boolean {
  const id = refOf(authorizerRef);
  const props = (id ? stack.template.Resources[id]?.Properties : undefined) ?? {};
  const source = resolver.resolve(props.IdentitySource, stack);
  return (
    props.AuthorizerType === 'REQUEST' &&
    Array.isArray(source) &&
    source.length === 1 &&
    source[0] === `$request.header.${ORIGIN_VERIFY_HEADER}`
  );
}

/** Derives tables, functions (entry + env), HTTP routes and queue consumers from the templates. */
export function deriveLocalModel(stacks: SynthesizedStack[]): LocalModel {
  const resolver = new Resolver(stacks);
  const model: LocalModel = {
    tables: [],
    functions: new Map(),
    routes: [],
    queueConsumers: [],
    stateMachines: new Map(),
  };
  for (const stack of stacks) {
    const props = (r: CfnResource) => (r.Properties ?? {}) as Obj;
    for (const [id, r] of resourcesOf(stack, 'AWS::DynamoDB::Table')) {
      model.tables.push({ name: id, properties: props(r) });
    }
    for (const [id, r] of resourcesOf(stack, 'AWS::Lambda::Function')) {
      const entry = r.Metadata?.['local:entry'];
      if (typeof entry !== 'string') continue; // CDK's own helper functions have no local entry
      const env = (props(r).Environment as Obj | undefined)?.Variables ?? {};
      model.functions.set(`${stack.stackName}/${id}`, {
        id: `${stack.stackName}/${id}`,
        entry,
        environment: Object.fromEntries(
          Object.entries(resolver.resolve(env, stack) as Obj).map(([k, v]) => [k, String(v)]),
        ),
        timeoutSeconds: Number(props(r).Timeout ?? 3),
      });
    }
    for (const [, r] of resourcesOf(stack, 'AWS::ApiGatewayV2::Route')) {
      const p = props(r);
      const integrationId = refOf(p.Target);
      const integration = integrationId ? stack.template.Resources[integrationId] : undefined;
      const targetId = integration ? refOf(integration.Properties?.IntegrationUri) : undefined;
      // A Lambda alias (the decision function's provisioned concurrency) runs its function.
      const target = targetId ? stack.template.Resources[targetId] : undefined;
      const fnLogicalId = target?.Type === 'AWS::Lambda::Alias' ? refOf(target.Properties?.FunctionName) : targetId;
      if (!fnLogicalId) throw new Error(`route ${String(p.RouteKey)} has no Lambda integration`);
      const [method = '', routePath = ''] = String(p.RouteKey).split(' ');
      let auth: LocalRoute['auth'] = { type: 'NONE' };
      if (p.AuthorizationType === 'JWT') {
        const authorizerId = refOf(p.AuthorizerId);
        const authorizer = authorizerId ? stack.template.Resources[authorizerId] : undefined;
        const jwt = resolver.resolve(authorizer?.Properties?.JwtConfiguration, stack) as Obj | undefined;
        if (!jwt) throw new Error(`route ${String(p.RouteKey)} has no JWT configuration`);
        auth = {
          type: 'JWT',
          issuer: String(jwt.Issuer),
          audience: (jwt.Audience as unknown[]).map(String),
          scopes: ((p.AuthorizationScopes as unknown[] | undefined) ?? []).map(String),
        };
      } else if (p.AuthorizationType === 'CUSTOM' && isOriginVerify(stack, p.AuthorizerId, resolver)) {
        // The origin-verify authorizer (docs/security/edge.md) only proves a request came through
        // CloudFront, which the local stack does not have: treated as satisfied, not emulated.
        auth = { type: 'NONE' };
      } else if (p.AuthorizationType && p.AuthorizationType !== 'NONE') {
        throw new Error(`the local gateway does not emulate ${String(p.AuthorizationType)} authorization`);
      }
      model.routes.push({
        method,
        path: routePath,
        routeKey: String(p.RouteKey),
        functionId: `${stack.stackName}/${fnLogicalId}`,
        auth,
      });
    }
    for (const [id, r] of resourcesOf(stack, 'AWS::StepFunctions::StateMachine')) {
      const definition = JSON.parse(String(resolver.resolve(props(r).DefinitionString, stack))) as {
        States: Record<string, Obj>;
      };
      const taskFunctions: Record<string, string> = {};
      const waitForTaskToken: string[] = [];
      const fnOf = (arn: unknown) => String(arn).match(/^arn:aws:local:::([^/]+)\/Arn$/)?.[1];
      const visit = (states: Record<string, Obj>) => {
        for (const [name, state] of Object.entries(states)) {
          // A Map's iterations run their own states (ItemProcessor, or Iterator in older definitions).
          const inner = ((state.ItemProcessor ?? state.Iterator) as Obj | undefined)?.States;
          if (state.Type === 'Map' && inner) visit(inner as Record<string, Obj>);
          if (state.Type !== 'Task') continue;
          const resource = String(state.Resource);
          const params = (state.Parameters ?? {}) as Obj;
          const fn = fnOf(resource) ?? fnOf(params.FunctionName);
          if (!fn) throw new Error(`state ${name}: the local runner only runs Lambda tasks (${resource})`);
          taskFunctions[name] = `${stack.stackName}/${fn}`;
          if (resource.endsWith('.waitForTaskToken')) waitForTaskToken.push(name);
        }
      };
      visit(definition.States);
      model.stateMachines.set(id, { logicalId: id, arn: id, definition, taskFunctions, waitForTaskToken });
    }
    for (const [, r] of resourcesOf(stack, 'AWS::Lambda::EventSourceMapping')) {
      const p = props(r);
      const fn = refOf(p.FunctionName);
      const queue = refOf(p.EventSourceArn);
      if (!fn || !queue) continue;
      const redrive = stack.template.Resources[queue]?.Properties?.RedrivePolicy as Obj | undefined;
      model.queueConsumers.push({
        queueLogicalId: queue,
        functionId: `${stack.stackName}/${fn}`,
        batchSize: Number(p.BatchSize ?? 10),
        maxReceiveCount: redrive ? Number(redrive.maxReceiveCount) : undefined,
        reportBatchItemFailures: ((p.FunctionResponseTypes as unknown[]) ?? []).includes('ReportBatchItemFailures'),
      });
    }
  }
  return model;
}
