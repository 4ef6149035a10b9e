import {
  type CodePipelineClient,
  GetPipelineCommand,
  ListPipelinesCommand,
} from '@aws-sdk/client-codepipeline';
import { DescribeOrganizationCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { hasLzaStages, isLzaPipelineName, type PipelineLayout } from '#core/deploy/organization-shape.ts';
import { hasName } from './aws-errors.ts';
import { allPages } from './pages.ts';

export interface OrganizationShapeClients {
  organizations: OrganizationsClient;
  codePipeline: CodePipelineClient;
}

/** The account's pipelines and their layouts, read-only: where LZA's pipeline may hide under another name. */
export class PipelineLayouts {
  readonly #codePipeline: CodePipelineClient;

  constructor(codePipeline: CodePipelineClient) {
    this.#codePipeline = codePipeline;
  }

  /** Every pipeline name of the account and region, across pages. */
  async pipelineNames(): Promise<string[]> {
    return allPages(
      async (NextToken) => {
        const page = await this.#codePipeline.send(
          new ListPipelinesCommand({ ...(NextToken ? { nextToken: NextToken } : {}) }),
        );
        return { ...page, NextToken: page.nextToken };
      },
      (page) => (page.pipelines ?? []).flatMap((p) => (p.name ? [p.name] : [])),
    );
  }

  /** A pipeline's stages and their action names. */
  async layout(name: string): Promise<PipelineLayout> {
    const { pipeline } = await this.#codePipeline.send(new GetPipelineCommand({ name }));
    return {
      name,
      stages: (pipeline?.stages ?? []).map((stage) => ({
        name: stage.name ?? '',
        actions: (stage.actions ?? []).flatMap((a) => (a.name ? [a.name] : [])),
      })),
    };
  }

  /**
   * The one detector of LZA's pipeline under any name (doctor and the follow-up share it): the
   * pipelines whose name LZA's installer could have given (`<qualifier>-pipeline`) and whose
   * stages are LZA's (`hasLzaStages`), and every other pipeline name. A listing or a layout that
   * cannot be read counts as no pipeline: this only ever adds a finding.
   */
  async lzaShaped(): Promise<{ found: string[]; others: string[] }> {
    const names = await this.pipelineNames().catch(() => [] as string[]);
    const found: string[] = [];
    for (const candidate of names.filter(isLzaPipelineName)) {
      const layout = await this.layout(candidate).catch(() => undefined);
      if (layout && hasLzaStages(layout)) found.push(candidate);
    }
    return { found, others: names.filter((n) => !found.includes(n)) };
  }
}

/**
 * The read-only calls doctor makes to see the organization's shape: its management account and
 * the pipelines of the home region. SDK errors propagate: doctor reports them as AWS said them.
 */
export class OrganizationShapeReader extends PipelineLayouts {
  readonly #clients: OrganizationShapeClients;

  constructor(clients: OrganizationShapeClients) {
    super(clients.codePipeline);
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
}
