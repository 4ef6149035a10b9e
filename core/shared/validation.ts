import { en } from 'zod/locales';
import { config } from 'zod/mini';

/**
 * Lambda code validates with zod/mini: the same schemas and messages as classic zod at a sixth of
 * its bundled size, because mini's functional checks tree-shake. Mini loads no locale by itself,
 * so this module sets the English messages once. Every module that builds schemas imports it for
 * that effect, and imports `* as z from 'zod/mini'` directly: a re-exported namespace would defeat
 * tree-shaking and pull in every locale.
 */
config(en());
