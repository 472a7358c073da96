import { UsageError } from '../../../../lambda/shared/errors';
import { MRAP_CONTROL_REGIONS, parseFailoverConfig, parseFailoverEvent } from '../../../../lambda/failover/core/config';
import { parsePointerValue } from '../../../../lambda/failover/core/routing';

const base = {
  plan: 'pointer',
  mode: 'automatic',
  source: { bucket: 'data-src', region: 'eu-west-1' },
  replica: { bucket: 'data-rep', region: 'eu-central-1' },
  parameterName: '/app/s3-active',
  alarmName: 'app-s3-outage',
  probeName: 'app',
  reports: { bucket: 'app-reports', region: 'eu-central-1' },
};

describe('parseFailoverConfig', () => {
  test('applies defaults', () => {
    const c = parseFailoverConfig(base);
    expect(c.confirm).toEqual({ unavailable: { failing: 3, window: 5 } });
    expect(c.cooldownMinutes).toBe(60);
    expect(c.metricsRegion).toBe('eu-central-1');
    expect(c.reports.prefix).toBe('failover/decisions/');
    expect(c.controlRegions).toEqual(MRAP_CONTROL_REGIONS);
  });
  test('fails on an unknown plan, naming the value and the choices', () => {
    expect(() => parseFailoverConfig({ ...base, plan: 'dns' })).toThrow(
      /plan "dns" is unknown: use "pointer".*or "mrap"/,
    );
  });
  test('fails on an unknown mode', () => {
    expect(() => parseFailoverConfig({ ...base, mode: 'yolo' })).toThrow(/mode "yolo" is unknown/);
  });
  test('fails when the pointer plan has no parameter name', () => {
    expect(() => parseFailoverConfig({ ...base, parameterName: undefined })).toThrow(/parameterName is required/);
  });
  test('fails when the mrap plan has no ARN; takes the account from the ARN', () => {
    expect(() => parseFailoverConfig({ ...base, plan: 'mrap' })).toThrow(/mrapArn is required/);
    const c = parseFailoverConfig({
      ...base,
      plan: 'mrap',
      mrapArn: 'arn:aws:s3::123456789012:accesspoint/abc123.mrap',
    });
    expect(c.accountId).toBe('123456789012');
  });
  test('collects every problem into one usage error', () => {
    let err: unknown;
    try {
      parseFailoverConfig({
        plan: 'pointer',
        source: { bucket: 'Bad_Bucket', region: 'eu-west-1' },
        confirm: { failing: 6, window: 5 },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/source.bucket "Bad_Bucket" is not valid/);
    expect(msg).toMatch(/replica is required/);
    expect(msg).toMatch(/parameterName is required/);
    expect(msg).toMatch(/alarmName is required/);
    expect(msg).toMatch(/confirm.failing \(6\) is more than confirm.window \(5\)/);
  });
  test('fails when both sides are in one region', () => {
    expect(() => parseFailoverConfig({ ...base, replica: { bucket: 'data-rep', region: 'eu-west-1' } })).toThrow(
      /both "eu-west-1": failover needs two regions/,
    );
  });
});

describe('parseFailoverEvent', () => {
  test('accepts the alarm state change of the configured alarm', () => {
    const r = parseFailoverEvent(
      {
        source: 'aws.cloudwatch',
        'detail-type': 'CloudWatch Alarm State Change',
        detail: { alarmName: 'app-s3-outage', state: { value: 'ALARM' } },
      },
      'app-s3-outage',
    );
    expect(r).toMatchObject({ action: 'failover', force: false, dryRun: false });
    expect(r.trigger).toMatch(/changed to ALARM/);
  });
  test('fails on another alarm', () => {
    expect(() =>
      parseFailoverEvent(
        { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: { alarmName: 'x' } },
        'app-s3-outage',
      ),
    ).toThrow(/alarm "x", not the configured alarm "app-s3-outage"/);
  });
  test('fails on another detail-type', () => {
    expect(() => parseFailoverEvent({ 'detail-type': 'Object Created' }, 'a')).toThrow(
      /detail-type "Object Created" is not handled/,
    );
  });
  test('direct invocations', () => {
    expect(parseFailoverEvent({ action: 'failover', dryRun: true, force: true }, 'a')).toMatchObject({
      dryRun: true,
      force: true,
    });
    expect(parseFailoverEvent({ action: 'status' }, 'a').action).toBe('status');
    expect(() => parseFailoverEvent({ action: 'explode' }, 'a')).toThrow(/action "explode" is unknown/);
    expect(() => parseFailoverEvent({ action: 'failover', force: 'yes' }, 'a')).toThrow(/force must be true or false/);
  });
});

describe('parsePointerValue', () => {
  test('round trip and errors', () => {
    expect(parsePointerValue('{"bucket":"b","region":"r","since":"s","reason":"x"}')).toEqual({
      bucket: 'b',
      region: 'r',
      since: 's',
      reason: 'x',
    });
    expect(parsePointerValue('nope')).toMatch(/not JSON/);
    expect(parsePointerValue('{"bucket":"b"}')).toMatch(/no string field "region"/);
  });
});
