/** The state machines' names on the local cloud (a light module: the CLI imports it at start-up). */
export const BOOTSTRAP_STATE_MACHINE = 'runas-bootstrapper-bootstrap';
export const SWEEP_STATE_MACHINE = 'runas-bootstrapper-sweep';
