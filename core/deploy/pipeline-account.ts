/**
 * LZA with an external pipeline account (`useExternalPipelineAccount`, docs/organization-shapes.md):
 * the pipeline and its CodePipeline events live in another account. A small stack there forwards
 * the action events to the home bus and holds a read-only role for the pipeline history.
 */

/** The read-only role in the pipeline account that PlanFollowUp assumes to read the history. */
export const PIPELINE_READER_ROLE_NAME = 'runas-bootstrapper-pipeline-reader';

/** The stack id suffix of the pipeline account's stack. */
export const PIPELINE_ACCOUNT_SUFFIX = 'PipelineAccount';

/**
 * The external pipeline account, or undefined when the pipeline runs in the management account
 * (no pipelineAccountId, or the management account's own id).
 */
export function externalPipelineAccount(config: {
  managementAccountId?: string | undefined;
  lza: { pipelineAccountId?: string | undefined };
}): string | undefined {
  const account = config.lza.pipelineAccountId;
  return account && account !== config.managementAccountId ? account : undefined;
}

/** The reader role's ARN in the pipeline account. */
export function pipelineReaderRoleArn(partition: string, pipelineAccountId: string): string {
  return `arn:${partition}:iam::${pipelineAccountId}:role/${PIPELINE_READER_ROLE_NAME}`;
}
