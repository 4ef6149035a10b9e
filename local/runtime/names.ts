/** The state machines' and the ledger's names on the local cloud; the product's names live in core. */
export {
  BOOTSTRAP_STATE_MACHINE,
  FOLLOW_UP_STATE_MACHINE,
  SWEEP_STATE_MACHINE,
  VEND_LEDGER_TABLE,
} from '#core/names.ts';
