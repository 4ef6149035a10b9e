import { AwsServiceError } from '../aws-error.ts';
import {
  decodeToken,
  encodeToken,
  epochSeconds,
  type Input,
  type OperationContext,
  optionalString,
  type ServiceDefinition,
} from '../service-definition.ts';
import {
  convertContent,
  type DocumentRecord,
  type DocumentStore,
  type DocumentVersionRecord,
  parseContent,
} from '../ssm-documents.ts';

/** SSM document operations (awsJson1_1, `AmazonSSM.<Op>`), per account and region. */

const PLATFORMS: Record<string, string[]> = {
  Session: ['Windows', 'Linux', 'MacOS'],
  Command: ['Windows', 'Linux', 'MacOS'],
};

/** Accept a document name or its ARN in the caller's account and region. */
function documentName(ctx: OperationContext, input: Input): string {
  const name = optionalString(input, 'Name');
  if (!name)
    throw new AwsServiceError(
      'ValidationException',
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  const arn = /^arn:aws:ssm:([^:]+):(\d{12}):document\/(.+)$/.exec(name);
  if (!arn) return name;
  if (arn[1] !== ctx.region || arn[2] !== ctx.accountId)
    throw new AwsServiceError('InvalidDocument', `Document with name ${name} does not exist.`);
  return arn[3] as string;
}

function documentArn(ctx: OperationContext, input: Input): string {
  const raw = optionalString(input, 'Name') ?? '*';
  const name = raw.startsWith('arn:') ? raw.replace(/^.*:document\//, '') : raw;
  return `arn:aws:ssm:${ctx.region}:${ctx.accountId}:document/${name}`;
}

function parsedContent(record: DocumentVersionRecord): Record<string, unknown> | undefined {
  try {
    const format = record.documentFormat === 'YAML' ? 'YAML' : 'JSON';
    const value = parseContent(record.content, format);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function parameters(content: Record<string, unknown> | undefined): unknown[] {
  const params = content?.parameters;
  if (typeof params !== 'object' || params === null) return [];
  return Object.entries(params as Record<string, Record<string, unknown>>).map(([name, p]) => ({
    Name: name,
    Type: p?.type === 'StringList' ? 'StringList' : 'String',
    ...(typeof p?.description === 'string' ? { Description: p.description } : {}),
    ...(p?.default !== undefined ? { DefaultValue: String(p.default) } : {}),
  }));
}

function description(store: DocumentStore, doc: DocumentRecord, record: DocumentVersionRecord) {
  const content = parsedContent(record);
  return {
    Sha1: record.hash,
    Hash: record.hash,
    HashType: 'Sha256',
    Name: doc.name,
    ...(record.displayName ? { DisplayName: record.displayName } : {}),
    ...(record.versionName ? { VersionName: record.versionName } : {}),
    Owner: doc.accountId,
    CreatedDate: epochSeconds(record.createdMs),
    Status: store.versionStatus(doc, record),
    DocumentVersion: record.version,
    ...(typeof content?.description === 'string' ? { Description: content.description } : {}),
    Parameters: parameters(content),
    PlatformTypes: PLATFORMS[doc.documentType] ?? ['Windows', 'Linux', 'MacOS'],
    DocumentType: doc.documentType,
    ...(typeof content?.schemaVersion === 'string' ? { SchemaVersion: content.schemaVersion } : {}),
    LatestVersion: doc.latestVersion,
    DefaultVersion: doc.defaultVersion,
    DocumentFormat: record.documentFormat,
    ...(doc.targetType ? { TargetType: doc.targetType } : {}),
    Tags: doc.tags,
  };
}

function tagsOf(input: Input): { Key: string; Value: string }[] {
  const tags = input.Tags;
  if (!Array.isArray(tags)) return [];
  return tags
    .filter(
      (t): t is { Key: string; Value: string } => typeof t?.Key === 'string' && typeof t?.Value === 'string',
    )
    .map((t) => ({ Key: t.Key, Value: t.Value }));
}

function writer(ctx: OperationContext): string {
  return ctx.principal.arn;
}

/** `Content` is required by CreateDocument and UpdateDocument. */
function requiredContent(input: Record<string, unknown>): string {
  const content = input.Content;
  if (typeof content !== 'string') {
    throw new AwsServiceError(
      'ValidationException',
      "1 validation error detected: Value null at 'content' failed to satisfy constraint: Member must not be null",
    );
  }
  return content;
}

/** The optional string members of a request, renamed: `{ versionName: 'VersionName' }`. */
function optionalStrings(input: Input, members: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, member] of Object.entries(members)) {
    const value = optionalString(input, member);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

export const ssmService: ServiceDefinition = {
  id: 'ssm',
  protocol: 'json1.1',
  targetPrefix: 'AmazonSSM',
  accessDeniedStatus: 400,
  operations: {
    CreateDocument: {
      resource: documentArn,
      handle(ctx, input) {
        const store = ctx.world.documents;
        const content = requiredContent(input);
        const doc = store.create({
          accountId: ctx.accountId,
          region: ctx.region,
          name: documentName(ctx, input),
          content,
          documentType: optionalString(input, 'DocumentType') ?? 'Command',
          writer: writer(ctx),
          ...optionalStrings(input, {
            documentFormat: 'DocumentFormat',
            versionName: 'VersionName',
            displayName: 'DisplayName',
            targetType: 'TargetType',
          }),
          tags: tagsOf(input),
        });
        const record = doc.versions.get('1') as DocumentVersionRecord;
        return { DocumentDescription: { ...description(store, doc, record), Status: 'Creating' } };
      },
    },
    GetDocument: {
      resource: documentArn,
      handle(ctx, input) {
        const store = ctx.world.documents;
        const doc = store.get(ctx.accountId, ctx.region, documentName(ctx, input));
        const versionName = optionalString(input, 'VersionName');
        const record =
          versionName !== undefined && input.DocumentVersion === undefined
            ? [...doc.versions.values()].find((v) => v.versionName === versionName)
            : store.resolveVersion(doc, input.DocumentVersion);
        if (!record || (versionName !== undefined && record.versionName !== versionName)) {
          throw new AwsServiceError(
            'InvalidDocumentVersion',
            'The document version is not valid or does not exist.',
          );
        }
        // No DocumentFormat: the content as stored. With one: converted, as AWS does.
        const requested = optionalString(input, 'DocumentFormat');
        if (requested !== undefined && !['JSON', 'YAML', 'TEXT'].includes(requested)) {
          throw new AwsServiceError(
            'ValidationException',
            `1 validation error detected: Value '${requested}' at 'documentFormat' failed to satisfy constraint: Member must satisfy enum value set: [YAML, JSON, TEXT]`,
          );
        }
        if (requested === 'TEXT' && record.documentFormat !== 'TEXT') {
          throw new AwsServiceError(
            'InvalidDocumentOperation',
            `A ${record.documentFormat} document cannot be returned as TEXT.`,
          );
        }
        const format = requested ?? record.documentFormat;
        return {
          Name: doc.name,
          CreatedDate: epochSeconds(record.createdMs),
          ...(record.displayName ? { DisplayName: record.displayName } : {}),
          ...(record.versionName ? { VersionName: record.versionName } : {}),
          DocumentVersion: record.version,
          Status: store.versionStatus(doc, record),
          Content: convertContent(record.content, record.documentFormat, format),
          DocumentType: doc.documentType,
          DocumentFormat: format,
        };
      },
    },
    DescribeDocument: {
      resource: documentArn,
      handle(ctx, input) {
        const store = ctx.world.documents;
        const doc = store.get(ctx.accountId, ctx.region, documentName(ctx, input));
        const record = store.resolveVersion(doc, input.DocumentVersion);
        // Without a version, the document-level status follows the newest write; with one, that version's.
        const status =
          input.DocumentVersion === undefined ? store.status(doc) : store.versionStatus(doc, record);
        return { Document: { ...description(store, doc, record), Status: status } };
      },
    },
    UpdateDocument: {
      resource: documentArn,
      handle(ctx, input) {
        const store = ctx.world.documents;
        const content = requiredContent(input);
        const { doc, version } = store.update({
          accountId: ctx.accountId,
          region: ctx.region,
          name: documentName(ctx, input),
          content,
          writer: writer(ctx),
          ...optionalStrings(input, {
            documentVersion: 'DocumentVersion',
            documentFormat: 'DocumentFormat',
            versionName: 'VersionName',
            displayName: 'DisplayName',
          }),
        });
        return { DocumentDescription: { ...description(store, doc, version), Status: 'Updating' } };
      },
    },
    UpdateDocumentDefaultVersion: {
      resource: documentArn,
      handle(ctx, input) {
        const doc = ctx.world.documents.setDefault(
          ctx.accountId,
          ctx.region,
          documentName(ctx, input),
          input.DocumentVersion,
        );
        const record = doc.versions.get(doc.defaultVersion) as DocumentVersionRecord;
        return {
          Description: {
            Name: doc.name,
            DefaultVersion: doc.defaultVersion,
            ...(record.versionName ? { DefaultVersionName: record.versionName } : {}),
          },
        };
      },
    },
    ListDocumentVersions: {
      resource: documentArn,
      handle(ctx, input) {
        const store = ctx.world.documents;
        const doc = store.get(ctx.accountId, ctx.region, documentName(ctx, input));
        const max = input.MaxResults === undefined ? 50 : Number(input.MaxResults);
        if (!Number.isInteger(max) || max < 1 || max > 50) {
          throw new AwsServiceError(
            'ValidationException',
            `1 validation error detected: Value '${String(input.MaxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50`,
          );
        }
        const offset = input.NextToken === undefined ? 0 : decodeToken(input.NextToken);
        if (offset === undefined)
          throw new AwsServiceError('InvalidNextToken', "The specified token isn't valid.");
        const versions = [...doc.versions.values()].sort((a, b) => Number(a.version) - Number(b.version));
        const page = versions.slice(offset, offset + max);
        return {
          DocumentVersions: page.map((v) => ({
            Name: doc.name,
            ...(v.displayName ? { DisplayName: v.displayName } : {}),
            DocumentVersion: v.version,
            ...(v.versionName ? { VersionName: v.versionName } : {}),
            CreatedDate: epochSeconds(v.createdMs),
            IsDefaultVersion: v.version === doc.defaultVersion,
            DocumentFormat: v.documentFormat,
            Status: store.versionStatus(doc, v),
          })),
          ...(offset + max < versions.length ? { NextToken: encodeToken(offset + max) } : {}),
        };
      },
    },
    DeleteDocument: {
      resource: documentArn,
      handle(ctx, input) {
        ctx.world.documents.delete(
          ctx.accountId,
          ctx.region,
          documentName(ctx, input),
          optionalString(input, 'DocumentVersion'),
          optionalString(input, 'VersionName'),
        );
        return {};
      },
    },
  },
};
