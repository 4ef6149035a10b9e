/** Entry point of the `runas-bootstrapper` bin. */
export async function main(argv: string[]): Promise<void> {
  // Powertools reads these when the handler modules load, so set them before importing anything.
  // Handler logs are for Lambda; on a terminal only errors show unless --verbose.
  if (!argv.includes('--verbose')) process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // The SDK warns once that its 2027 releases need Node 22; the README says so instead.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { runProgram } = await import('./program.ts');
  await runProgram(argv);
}
