import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '#core/config/config.ts';
import { cli } from './helpers.ts';

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'config-validate-')), name);
  writeFileSync(path, text);
  return path;
}

describe('config validate', () => {
  it('passes the example production config in the repository, which the schema accepts too', async () => {
    // Act
    const { code, out } = await cli('config', 'validate', 'examples/prod.config.json');
    // Assess
    expect(code).toBe(0);
    expect(out).toBe('examples/prod.config.json: valid');
    const config = parseConfigText(readFileSync('examples/prod.config.json', 'utf8'), 'prod.config.json');
    expect(config.homeRegion).toBe('eu-west-1');
    expect(config.guardrail.scp.enabled).toBe(true);
  });

  it('reports a JSON syntax error by line and column, and exits 1', async () => {
    // Prepare
    const path = file(
      'bad.json',
      '{\n  "runAsDefaultUser": "ec2-user"\n  "governedRegions": ["us-east-1"]\n}\n',
    );
    // Act
    const { code, out } = await cli('config', 'validate', path);
    // Assess
    expect(code).toBe(1);
    expect(out.split('\n')).toEqual([`${path}:3:3: "," expected`, `1 problem(s) in ${path}.`]);
  });

  it('reports every bad field at its line and column, also as JSON', async () => {
    // Prepare
    const path = file(
      'fields.json',
      '{\n  "runAsDefaultUser": "ec2-user",\n  "governedRegions": ["us-east-1", "xx-yyy-1"],\n  "colour": 1\n}\n',
    );
    // Act
    const { code, out } = await cli('--json', 'config', 'validate', path);
    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(out)).toEqual({
      ok: false,
      command: 'config validate',
      exitCode: 1,
      file: path,
      valid: false,
      problems: [
        {
          line: 3,
          column: 36,
          field: 'governedRegions.1',
          message: '"xx-yyy-1" is not an AWS region name (not in the AWS SDK\'s partition table)',
        },
        { line: 4, column: 3, field: 'colour', message: 'unknown field' },
      ],
    });
  });

  it('every command reports malformed JSON in --config by line and column', async () => {
    // Prepare
    const path = file('broken.json', '{\n  "governedRegions": ["us-east-1",]\n}\n');
    // Act
    const { code, err } = await cli('--config', path, 'explain-event', '-');
    // Assess
    expect(code).toBe(2);
    expect(err).toBe(
      `error: Invalid configuration in ${path}: not valid JSON at line 2, column 35: a value expected`,
    );
  });

  it("each command's help shows the global options", async () => {
    // Act
    const { code, out } = await cli('plan', '--help');
    // Assess
    expect(code).toBe(0);
    expect(out).toContain('--all');
    const globals = out.slice(out.indexOf('Global Options:'));
    for (const option of ['--config', '--region', '--profile', '--endpoint-url', '--json', '--verbose'])
      expect(globals).toContain(option);
  });
});
