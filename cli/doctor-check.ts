/** One line of doctor's report: what was checked, how it went, and what to do about it. */
export interface DoctorCheck {
  check: string;
  status: 'ok' | 'fail' | 'warn' | 'skip';
  detail: string;
  /** Present when status is fail or warn. */
  fix?: string;
}
