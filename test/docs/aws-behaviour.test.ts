import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * docs/aws-behaviour.md holds every AWS fact the product and the local cloud rely on, each with
 * its source; code and docs cite its headings' anchors. This keeps those citations resolvable.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PAGE = 'aws-behaviour.md';
/** The name of the team file the citations used to point at, outside the repository. */
const OLD_FACTS_FILE = ['aws', 'facts'].join('-');
const CITATION = /aws-behaviour\.md#([\w-]+)/g;
const NOT_SCANNED = /(^|\/)(node_modules|cdk\.out|\.git)\/|^(reports|coverage|dist)\//;
const BINARY = /\.(png|jpe?g|gif|ico|zip|gz|tgz|woff2?)$/;

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

interface Section {
  heading: string;
  level: number;
  body: string;
}

function sections(markdown: string): Section[] {
  const found: Section[] = [];
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = inFence ? null : /^(#{1,6}) (.+)$/.exec(line);
    const last = found.at(-1);
    if (heading?.[1] && heading[2]) found.push({ level: heading[1].length, heading: heading[2], body: '' });
    else if (last) last.body += `${line}\n`;
  }
  return found;
}

/** The page's anchors; GitHub suffixes a repeated one with -1, -2, … */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const { heading } of sections(markdown)) {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** A source is an https URL, or a backticked repository path with a version, tag or commit. */
const URL_SOURCE = /https:\/\/\S+/;
const REPOSITORY_SOURCE = /`[\w@.-]+\/[\w@./-]+`[\s\S]*?(\bv\d+\.\d+|\bcommit [0-9a-f]{7,}|\b\d+\.\d+\.\d+)/;

/** The facts (`###` sections) that have no `Source:` line naming a URL or a versioned path. */
function factsWithoutSource(markdown: string): string[] {
  return sections(markdown)
    .filter((s) => s.level === 3)
    .filter((s) => {
      const source = /^Sources?:[\s\S]*/m.exec(s.body)?.[0];
      return source === undefined || !(URL_SOURCE.test(source) || REPOSITORY_SOURCE.test(source));
    })
    .map((s) => s.heading);
}

/** The anchors cited in `text` (the page name, `#`, the anchor) that are not in `known`. */
function brokenCitations(text: string, known: Set<string>): string[] {
  return [...text.matchAll(CITATION)].flatMap((m) => (m[1] === undefined || known.has(m[1]) ? [] : [m[1]]));
}

function trackedFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
  } catch {
    // Not a git checkout (an exported tree): every file but the generated and installed ones.
    return walk('');
  }
}

function walk(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
    if (NOT_SCANNED.test(`${path}/`)) return [];
    return entry.isDirectory() ? walk(path) : [path];
  });
}

function readTracked(): { file: string; text: string }[] {
  return trackedFiles()
    .filter((file) => !NOT_SCANNED.test(file) && !BINARY.test(file))
    .flatMap((file) => {
      try {
        return [{ file, text: readFileSync(join(ROOT, file), 'utf8') }];
      } catch {
        return []; // a file deleted but not yet staged
      }
    });
}

describe('docs/aws-behaviour.md', () => {
  const page = readFileSync(join(ROOT, 'docs', PAGE), 'utf8');

  it('names a source for every fact', () => {
    // Prepare: the page. Act
    const missing = factsWithoutSource(page);

    // Assess
    expect(sections(page).filter((s) => s.level === 3).length).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });

  it('resolves its own links to its headings', () => {
    // Prepare
    const known = anchors(page);

    // Act
    const broken = [...page.matchAll(/\]\(#([\w-]+)\)/g)].flatMap((m) =>
      m[1] === undefined || known.has(m[1]) ? [] : [m[1]],
    );

    // Assess
    expect(broken).toEqual([]);
  });

  it('has no heading twice, so every anchor is stable', () => {
    // Prepare
    const headings = sections(page).map((s) => slug(s.heading));

    // Act
    const repeated = headings.filter((h, i) => headings.indexOf(h) !== i);

    // Assess
    expect(repeated).toEqual([]);
  });

  it('resolves every citation of its anchors in the tracked files', () => {
    // Prepare
    const known = anchors(page);
    const files = readTracked();

    // Act
    const broken = files.flatMap(({ file, text }) => brokenCitations(text, known).map((a) => `${file}#${a}`));
    const citing = files.filter(({ text }) => brokenCitations(text, new Set()).length > 0);

    // Assess
    expect(broken).toEqual([]);
    expect(citing.length).toBeGreaterThan(20);
  });

  it('leaves no tracked file citing the facts file outside the repository', () => {
    // Prepare
    const files = readTracked();

    // Act
    const mentioning = files.filter(({ text }) => text.includes(OLD_FACTS_FILE)).map(({ file }) => file);

    // Assess
    expect(mentioning).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('compute GitHub anchors from headings', () => {
    // Prepare
    const headings = [
      '### Node.js runtimes',
      '### `$LATEST` and CreateAccountResult',
      '### Run as',
      '### Run as',
    ];

    // Act
    const result = anchors(headings.join('\n'));

    // Assess
    expect([...result]).toEqual(['nodejs-runtimes', 'latest-and-createaccountresult', 'run-as', 'run-as-1']);
  });

  it('find a citation of an anchor that does not exist', () => {
    // Prepare: one good and one planted bad citation, as code and a relative doc link cite them
    const known = new Set(['createaccountresult-event']);
    const text = `// (docs/${PAGE}#createaccountresult-event)\nsee [x](${PAGE}#no-such-fact)`;

    // Act
    const broken = brokenCitations(text, known);

    // Assess
    expect(broken).toEqual(['no-such-fact']);
  });

  it('find a fact without a source', () => {
    // Prepare
    const markdown = [
      '## Service',
      '### Sourced by a page',
      'A fact.',
      'Source: a guide, https://docs.aws.amazon.com/x.html.',
      '### Sourced by a repository',
      'Source: owner/repo, `src/file.ts`, tag v1.2.3.',
      '### Unsourced',
      'A fact with a link in its text, https://example.com, and no source line.',
      '### Unversioned',
      'Source: owner/repo, `src/file.ts`.',
    ].join('\n');

    // Act
    const missing = factsWithoutSource(markdown);

    // Assess
    expect(missing).toEqual(['Unsourced', 'Unversioned']);
  });
});
