import type { Command } from 'commander';
import { BOOTSTRAP_STATE_MACHINE, SWEEP_STATE_MACHINE } from '#core/shared/names.ts';
import { type CliIo, type GlobalOptions, UserError } from '../io.ts';

export function registerLocalCloud(program: Command, io: CliIo): void {
  program
    .command('local-cloud')
    .description('Serve the local AWS-compatible cloud on 127.0.0.1, with the bootstrapper deployed on it')
    .option('--port <port>', 'TCP port (0 picks a free one)', '4566')
    .option('--scenario <file>', 'scenario file seeding the simulated organization')
    .option('--no-bootstrapper', 'serve the cloud alone, without the bootstrapper reacting to its events')
    .action(async (options: { port: string; scenario?: string; bootstrapper: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UserError(`--port ${options.port} is not a TCP port`);
      const [{ startLocalCloud }, { pipelineDefaultsFor }, { LocalRuntime }, { loadScenario }] =
        await Promise.all([
          import('@runas-bootstrapper/local-cloud'),
          import('#local/runtime/deployment.ts'),
          import('#local/runtime/runtime.ts'),
          import('../scenario-file.ts'),
        ]);
      const { scenario, config } = await loadScenario(
        options.scenario,
        globals.config ?? 'bootstrapper.config.json',
      );
      const cloud = await startLocalCloud({ port, scenario, pipelineDefaults: pipelineDefaultsFor(config) });
      const runtime = options.bootstrapper
        ? await LocalRuntime.start({
            host: cloud,
            config,
            managementAccountId: scenario.managementAccountId,
            homeRegion: scenario.homeRegion,
          })
        : undefined;
      cloud.startTimeline();
      io.out(
        `local cloud ready at ${cloud.url} (management account ${scenario.managementAccountId}, access key test/test)${runtime ? `; bootstrapper deployed, state machines ${runtime.stateMachineArn(BOOTSTRAP_STATE_MACHINE)} and ${runtime.stateMachineArn(SWEEP_STATE_MACHINE)}` : ''}`,
      );
      io.out(
        `try: runas-bootstrapper --endpoint-url ${cloud.url} --region ${scenario.homeRegion} doctor   (or export AWS_ENDPOINT_URL=${cloud.url} AWS_REGION=${scenario.homeRegion})`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      runtime?.stop();
      await cloud.close();
      io.out('local cloud stopped');
    });
}
