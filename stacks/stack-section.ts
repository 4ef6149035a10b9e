import { type CfnElement, Names } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * A part of a stack (a workflow, the ledger) grouped under one construct that stays out of the
 * logical IDs of what it holds: in a stack that allocates them with `logicalIdOutsideSections`,
 * `<stack>/SweepWorkflow/Sweep/Resource` gets the ID that `<stack>/Sweep/Resource` would. So
 * regrouping a deployed stack renames, and so replaces, none of its resources.
 *
 * Its children share the stack's IDs: two sections holding a child of the same id would make
 * one logical ID twice, which CDK refuses when it synthesizes the template.
 */
export class StackSection extends Construct {}

/**
 * CDK's logical ID of an element (`Names.uniqueId`: its path below the stack, readable part and
 * hash), computed over the path with every StackSection left out.
 */
export function logicalIdOutsideSections(element: CfnElement): string {
  const scopes = element.node.scopes;
  const ids = scopes
    .slice(scopes.indexOf(element.stack) + 1)
    .filter((scope) => !(scope instanceof StackSection))
    .map((scope) => scope.node.id);
  // The same path in a throwaway tree: Names.uniqueId reads every id below its root.
  let path = new Construct(undefined as unknown as Construct, '');
  for (const id of ids) path = new Construct(path, id);
  return Names.uniqueId(path);
}
