/** The per-account, per-region Session Manager preferences document. */
export const PREFERENCES_DOCUMENT_NAME = 'SSM-SessionManagerRunShell';
