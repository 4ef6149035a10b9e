import {
  type CodePipelineClient,
  GetPipelineCommand,
  ListPipelinesCommand,
} from '@aws-sdk/client-codepipeline';
import { DescribeOrganizationCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import type { PipelineLayout } from '#core/organization-shape.ts';
import { hasName } from './aws-errors.ts';
import { allPages } from './pages.ts';

export interface OrganizationShapeClients {
  organizations: OrganizationsClient;
  codePipeline: CodePipelineClient;
}

/**
 * The read-only calls doctor makes to see the organization's shape: its management account and
 * the pipelines of the home region. SDK errors propagate: doctor reports them as AWS said them.
 */
export class OrganizationShapeReader {
  readonly #clients: OrganizationShapeClients;

  constructor(clients: OrganizationShapeClients) {
    this.#clients = clients;
  }

  /** DescribeOrganization's management account, or undefined when the caller is in no organization. */
  async managementAccountId(): Promise<string | undefined> {
    try {
      const { Organization } = await this.#clients.organizations.send(new DescribeOrganizationCommand({}));
      return Organization?.MasterAccountId;
    } catch (error) {
      if (hasName(error, 'AWSOrganizationsNotInUseException')) return undefined;
      throw error;
    }
  }

  /** Every pipeline name of the account and region, across pages. */
  async pipelineNames(): Promise<string[]> {
    return allPages(
      async (NextToken) => {
        const page = await this.#clients.codePipeline.send(
          new ListPipelinesCommand({ ...(NextToken ? { nextToken: NextToken } : {}) }),
        );
        return { ...page, NextToken: page.nextToken };
      },
      (page) => (page.pipelines ?? []).flatMap((p) => (p.name ? [p.name] : [])),
    );
  }

  /** A pipeline's stages and their action names. */
  async layout(name: string): Promise<PipelineLayout> {
    const { pipeline } = await this.#clients.codePipeline.send(new GetPipelineCommand({ name }));
    return {
      name,
      stages: (pipeline?.stages ?? []).map((stage) => ({
        name: stage.name ?? '',
        actions: (stage.actions ?? []).flatMap((a) => (a.name ? [a.name] : [])),
      })),
    };
  }
}
