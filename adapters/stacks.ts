import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { hasName } from './aws-errors.ts';

/** What the CLI reads of a deployed stack. */
export interface StackDescription {
  name: string;
  status: string;
  /** Output key → value. */
  outputs: Record<string, string>;
}

/** Reads CloudFormation stacks in one region. SDK errors propagate, so callers can report them as AWS said them. */
export class StackReader {
  readonly #client: CloudFormationClient;

  constructor(client: CloudFormationClient) {
    this.#client = client;
  }

  async describe(stackName: string): Promise<StackDescription> {
    const { Stacks } = await this.#client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    const outputs: Record<string, string> = {};
    for (const output of stack?.Outputs ?? []) {
      if (output.OutputKey && output.OutputValue !== undefined)
        outputs[output.OutputKey] = output.OutputValue;
    }
    return { name: stack?.StackName ?? stackName, status: stack?.StackStatus ?? 'UNKNOWN', outputs };
  }
}

/** CloudFormation answers DescribeStacks for a stack that does not exist with ValidationError. */
export function isStackMissing(error: unknown): boolean {
  return hasName(error, 'ValidationError');
}

/** An endpoint that does not serve CloudFormation at all (another emulator) rejects the operation. */
export function isServiceNotServed(error: unknown): boolean {
  return hasName(error, 'UnknownOperationException', 'InvalidAction');
}
