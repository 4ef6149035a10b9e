/**
 * Why each cdk-nag finding of the stacks is acknowledged, in one place: each reason names its
 * compensating control, and the table of acknowledgements in docs/deploy.md lists the same.
 */
export const NAG_REASONS = {
  runtime:
    'nodejs24.x is the newest Node.js runtime Lambda offers and is supported until 2028-04-30 (nodejs22.x is ' +
    'deprecated on 2027-04-30, blocks new functions from 2027-06-01 and updates from 2027-07-01). The bundles ' +
    'target node24. Compensating control: every dependency is bundled from package-lock.json, and the stack ' +
    'tests pin the runtime, so the next move is a reviewed one-line change.',
  xray:
    'Resource "*" only for xray:PutTraceSegments and xray:PutTelemetryRecords (added by Tracing.ACTIVE): X-Ray ' +
    'supports no resource-level permissions. Compensating control: write-only telemetry actions; every other ' +
    'statement of this role names its resources.',
  stateMachineTelemetry:
    'Resource "*" only for the CloudWatch Logs vended-delivery actions (logs:CreateLogDelivery and friends) that ' +
    'Step Functions logging requires, and for X-Ray tracing: neither supports resource-level permissions. ' +
    'Compensating control: the role is assumable only by states.amazonaws.com and its lambda:InvokeFunction ' +
    'statement names its task functions exactly.',
  sweepChildExecutions:
    'states:DescribeExecution and states:StopExecution on execution:<sweep state machine name>/*, and ' +
    "states:RedriveExecution on execution:<name>/<map label>:*: the Distributed Map's child executions get " +
    'generated names. Compensating control: the ARNs are pinned to this state machine, and StartExecution ' +
    'names the state machine itself.',
  vendOwnerExecutions:
    "states:DescribeExecution on execution:<bootstrap state machine name>:*, for ResolveRequest: a vend's owner " +
    'execution has a generated name, and a later trigger asks whether it still runs so that it can take the vend ' +
    "over. Compensating control: read-only, and pinned to this stack's bootstrap state machine.",
  listAccounts:
    'organizations:ListAccounts supports no resource-level permissions, so its resource is "*". Compensating ' +
    'control: read-only, and the only Organizations action of the role.',
  listPipelines:
    'codepipeline:ListPipelines supports no resource-level permissions, so its resource is "*": with lza.measureGap ' +
    'auto, a missing LZA pipeline is told from one installed under another name. Compensating control: read-only; ' +
    "the role reads no pipeline history but the configured pipeline's.",
  lzaShapedPipelines:
    "codepipeline:GetPipeline on <name>-pipeline / <name>-Pipeline in this account and region: the names LZA's " +
    'installer gives (a qualifier is not in the config when it is misnamed). Compensating control: read-only ' +
    "(a pipeline's layout), and only names of that shape.",
  memberRole:
    'sts:AssumeRole on one configured member role name in any account: vended accounts do not exist at deploy ' +
    'time, so their ids cannot be listed. Compensating controls: only the configured role names (never "*"), ' +
    'account ids validated as 12 digits (replays also as members of this organization), and an inline session policy that ' +
    'limits every session to the SSM document actions on SSM-SessionManagerRunShell.',
  deadLetterQueue:
    'This queue IS the dead-letter queue of EventBridge rule targets (RetryPolicy + DeadLetterConfig); ' +
    'a DLQ for a DLQ adds nothing. Compensating control: 14-day retention, and the sweep re-checks every account.',
  describeAccount:
    'organizations:DescribeAccount on accounts of this organization (account/o-*/*): the organization id is not ' +
    'configured. Compensating control: read-only, and the ARN is pinned to the management account that owns it.',
} as const;
