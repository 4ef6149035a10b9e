import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventTimestamp } from '#core/vend/event-time.ts';

describe('parseEventTimestamp', () => {
  it.each([
    ['ISO with Z', '2020-09-16T21:20:53Z', '2020-09-16T21:20:53.000Z'],
    ['ISO with milliseconds', '2020-09-16T21:20:53.123Z', '2020-09-16T21:20:53.123Z'],
    ['ISO with microseconds (truncated)', '2020-09-16T21:20:53.123456Z', '2020-09-16T21:20:53.123Z'],
    ['offset without colon', '2019-11-15T11:45:18+0000', '2019-11-15T11:45:18.000Z'],
    ['positive offset without colon', '2019-11-15T13:45:18+0200', '2019-11-15T11:45:18.000Z'],
    ['negative offset with colon', '2019-11-15T06:45:18-05:00', '2019-11-15T11:45:18.000Z'],
    ['offset crossing midnight', '2019-12-31T23:30:00-01:00', '2020-01-01T00:30:00.000Z'],
    ['locale PM', 'Sep 16, 2020 9:20:53 PM', '2020-09-16T21:20:53.000Z'],
    ['locale AM', 'Sep 16, 2020 9:20:53 AM', '2020-09-16T09:20:53.000Z'],
    ['locale 12 AM is midnight', 'Jan 1, 2021 12:00:01 AM', '2021-01-01T00:00:01.000Z'],
    ['locale 12 PM is noon', 'Jan 1, 2021 12:00:01 PM', '2021-01-01T12:00:01.000Z'],
    ['locale two-digit day', 'Dec 31, 2021 11:59:59 PM', '2021-12-31T23:59:59.000Z'],
    ['locale with a narrow no-break space', 'Sep 16, 2020 9:20:53\u202fPM', '2020-09-16T21:20:53.000Z'],
    ['locale leap day', 'Feb 29, 2024 1:02:03 AM', '2024-02-29T01:02:03.000Z'],
  ])('reads %s', (_name, input, expected) => {
    // Act
    const parsed = parseEventTimestamp(input);
    // Assess
    expect(parsed).toBe(expected);
  });

  it.each([
    ['ISO without a zone (would be local time)', '2020-09-16T21:20:53'],
    ['a date only', '2020-09-16'],
    ['an impossible date', '2021-02-29T00:00:00Z'],
    ['an impossible locale date', 'Feb 30, 2021 1:00:00 AM'],
    ['hour 13 in a 12-hour clock', 'Sep 16, 2020 13:20:53 PM'],
    ['hour 0 in a 12-hour clock', 'Sep 16, 2020 0:20:53 AM'],
    ['an unknown month', 'Sept 16, 2020 9:20:53 PM'],
    ['hour 24', '2020-09-16T24:00:00Z'],
    ['a bad offset', '2020-09-16T21:20:53+2500'],
    ['Arabic-Indic digits', '٢٠٢٠-09-16T21:20:53Z'],
    ['an empty string', ''],
    ['free text', 'Not Available'],
  ])('refuses %s', (_name, input) => {
    // Act
    const parsed = parseEventTimestamp(input);
    // Assess
    expect(parsed).toBeUndefined();
  });

  it.each([[1600291253], [null], [{ time: '2020-09-16T21:20:53Z' }], [undefined]])(
    'refuses the non-string %j',
    (input) => {
      // Act
      const parsed = parseEventTimestamp(input);
      // Assess
      expect(parsed).toBeUndefined();
    },
  );

  it('round-trips any ISO instant', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (date) => {
          expect(parseEventTimestamp(date.toISOString())).toBe(date.toISOString());
        },
      ),
    );
  });
});
