import { Match, Template } from 'aws-cdk-lib/assertions';
import { build } from './build-stacks';

function decisionFunction(t: Template) {
  return Object.values(
    t.findResources('AWS::Lambda::Function', { Metadata: { 'local:entry': 'functions/decision/decide-tokenization.ts' } }),
  )[0]?.Properties as Record<string, unknown>;
}

describe('infra', () => {
  describe('edge limits', () => {
    let stateless: Template;
    beforeAll(() => {
      stateless = Template.fromStack(build().stateless);
    });

    it('throttles each Pismo route on its own, below the stage default, after the routes exist', () => {
      const [stage] = Object.values(stateless.findResources('AWS::ApiGatewayV2::Stage'));
      expect(stage?.Properties).toMatchObject({
        DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
        RouteSettings: {
          'POST /pismo/tokenization-decisions': { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
          'POST /pismo/events': { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
        },
      });
      const routeIds = Object.entries(stateless.findResources('AWS::ApiGatewayV2::Route'))
        .filter(([, r]) => String(r.Properties.RouteKey).startsWith('POST /pismo/'))
        .map(([id]) => id);
      expect(routeIds).toHaveLength(2);
      expect(stage?.DependsOn).toEqual(expect.arrayContaining(routeIds));
    });

    it('reserves concurrency for the decision function only', () => {
      expect(decisionFunction(stateless)).toMatchObject({ ReservedConcurrentExecutions: 50 });
      const others = Object.values(
        stateless.findResources('AWS::Lambda::Function', { Metadata: { 'local:entry': Match.anyValue() } }),
      ).filter((f) => f.Properties.ReservedConcurrentExecutions !== undefined);
      expect(others).toHaveLength(1);
    });
  });

  describe('edge limit context', () => {
    it('takes the reserved concurrency and route throttles from context (0: no reservation)', () => {
      const t = Template.fromStack(
        build({
          'tokenization:decisionReservedConcurrency': '0',
          'tokenization:routeThrottles': JSON.stringify({
            'POST /pismo/tokenization-decisions': { rateLimit: 10, burstLimit: 20 },
          }),
        }).stateless,
      );
      expect(decisionFunction(t)).not.toHaveProperty('ReservedConcurrentExecutions');
      t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        RouteSettings: { 'POST /pismo/tokenization-decisions': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 } },
      });
    });

    it('refuses a throttle for a route the API does not have, and a negative reservation', () => {
      expect(() =>
        build({ 'tokenization:routeThrottles': { 'POST /pismo/nope': { rateLimit: 1, burstLimit: 1 } } }),
      ).toThrow(/unknown route POST \/pismo\/nope/);
      expect(() => build({ 'tokenization:decisionReservedConcurrency': '-1' })).toThrow(/decisionReservedConcurrency/);
    });
  });
});
