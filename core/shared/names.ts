/**
 * Names the product and its operators share: the stack outputs that name the state machines and
 * the vend ledger, and the fixed names they have on the local cloud. The CDK app exports its
 * outputs under these keys, and the local runtime deploys under these names.
 */

/** The stack output that names each state machine. */
export const BOOTSTRAP_STATE_MACHINE_OUTPUT = 'BootstrapStateMachineArn';
export const SWEEP_STATE_MACHINE_OUTPUT = 'SweepStateMachineArn';
export const FOLLOW_UP_STATE_MACHINE_OUTPUT = 'FollowUpStateMachineArn';
/** The stack output that names the vend ledger's table. */
export const VEND_LEDGER_TABLE_OUTPUT = 'VendLedgerTableName';

/** The state machines' names on the local cloud (in AWS, CloudFormation names them). */
export const BOOTSTRAP_STATE_MACHINE = 'runas-bootstrapper-bootstrap';
export const SWEEP_STATE_MACHINE = 'runas-bootstrapper-sweep';
export const FOLLOW_UP_STATE_MACHINE = 'runas-bootstrapper-follow-up';
/** The vend ledger's table on the local cloud (in AWS, CloudFormation names it). */
export const VEND_LEDGER_TABLE = 'runas-bootstrapper-vend-ledger';

/** A deployed state machine, as the CLI finds it: by its stack output key. */
export interface StateMachineRef {
  outputKey: string;
}

export const BOOTSTRAP_MACHINE: StateMachineRef = { outputKey: BOOTSTRAP_STATE_MACHINE_OUTPUT };
export const FOLLOW_UP_MACHINE: StateMachineRef = { outputKey: FOLLOW_UP_STATE_MACHINE_OUTPUT };
export const SWEEP_MACHINE: StateMachineRef = { outputKey: SWEEP_STATE_MACHINE_OUTPUT };

/** The per-account, per-region Session Manager preferences document. */
export const PREFERENCES_DOCUMENT_NAME = 'SSM-SessionManagerRunShell';
