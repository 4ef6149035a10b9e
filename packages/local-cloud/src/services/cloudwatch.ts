import { AwsServiceError } from '../aws-error.ts';
import { epochSeconds, optionalString, type ServiceDefinition } from '../service-definition.ts';

/**
 * CloudWatch (awsJson1_0, `GraniteServiceVersion20100801.<Op>`, as the current SDK speaks it):
 * the deployed alarms, which start OK; SetAlarmState changes one, as in AWS, until the next
 * evaluation (the local cloud evaluates no metrics, so the state stays).
 */
export const cloudWatchService: ServiceDefinition = {
  id: 'monitoring',
  protocol: 'json1.0',
  targetPrefix: 'GraniteServiceVersion20100801',
  accessDeniedStatus: 400,
  operations: {
    DescribeAlarms: {
      resource: (ctx) => `arn:aws:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:*`,
      handle(ctx, input) {
        const prefix = optionalString(input, 'AlarmNamePrefix') ?? '';
        const names = Array.isArray(input.AlarmNames) ? (input.AlarmNames as string[]) : undefined;
        const state = optionalString(input, 'StateValue');
        const alarms = (ctx.world.deployment?.alarms ?? []).filter(
          (a) =>
            a.region === ctx.region &&
            a.arn.split(':')[4] === ctx.accountId &&
            a.name.startsWith(prefix) &&
            (!names || names.includes(a.name)) &&
            (!state || a.state === state),
        );
        return {
          MetricAlarms: alarms.map((a) => ({
            AlarmName: a.name,
            AlarmArn: a.arn,
            StateValue: a.state,
            StateReason: a.reason,
            StateUpdatedTimestamp: epochSeconds(a.updatedMs),
          })),
          CompositeAlarms: [],
        };
      },
    },
    SetAlarmState: {
      resource: (ctx, input) =>
        `arn:aws:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${optionalString(input, 'AlarmName') ?? '*'}`,
      handle(ctx, input) {
        const name = optionalString(input, 'AlarmName');
        const value = optionalString(input, 'StateValue');
        const alarm = (ctx.world.deployment?.alarms ?? []).find(
          (a) => a.name === name && a.region === ctx.region,
        );
        if (!alarm) throw new AwsServiceError('ResourceNotFound', `Alarm ${name ?? ''} not found`, 404);
        if (value !== 'OK' && value !== 'ALARM' && value !== 'INSUFFICIENT_DATA')
          throw new AwsServiceError('InvalidFormat', `Unrecognized state value: ${value ?? ''}`);
        alarm.state = value;
        alarm.reason = optionalString(input, 'StateReason') ?? '';
        alarm.updatedMs = ctx.world.clock.nowMs();
        return {};
      },
    },
  },
};
