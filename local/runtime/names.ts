/** The state machines' names on the local cloud (a light module: the CLI imports it at start-up). */
export const BOOTSTRAP_STATE_MACHINE = 'runas-bootstrapper-bootstrap';
export const SWEEP_STATE_MACHINE = 'runas-bootstrapper-sweep';
export const FOLLOW_UP_STATE_MACHINE = 'runas-bootstrapper-follow-up';
/** The vend ledger's table on the local cloud (in AWS, CloudFormation names it). */
export const VEND_LEDGER_TABLE = 'runas-bootstrapper-vend-ledger';
