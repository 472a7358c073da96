import { handlerLogger } from '../../../lambda/shared/logger';

/**
 * Captures what is written to stdout and stderr while `act` runs (Powertools writes warnings and
 * errors to stderr; Lambda sends both streams to the function's log group).
 */
function outputOf(act: () => void): string {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    act();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return chunks.join('');
}

describe('handler logger', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('writes one JSON line per event with the Powertools keys and our fields', () => {
    // Prepare
    delete process.env.POWERTOOLS_SERVICE_NAME;
    delete process.env.POWERTOOLS_DEV;
    const logger = handlerLogger('drill');
    // Act
    const out = outputOf(() => {
      logger.info('drill passed', { drill: 'nightly', drillId: 'd-1', passed: true });
      logger.warn('drill failed', { drill: 'nightly', summary: ['line one', 'line two'] });
    });
    // Assess
    const lines = out.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first).toMatchObject({
      level: 'INFO',
      message: 'drill passed',
      service: 'cdk-s3-dr-drill',
      drill: 'nightly',
      drillId: 'd-1',
      passed: true,
    });
    expect(new Date(first.timestamp).toString()).not.toBe('Invalid Date');
    expect(first.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(second).toMatchObject({ level: 'WARN', message: 'drill failed', summary: ['line one', 'line two'] });
  });

  test('an error is logged with its name and message, on one line', () => {
    delete process.env.POWERTOOLS_DEV;
    const logger = handlerLogger('audit');
    const out = outputOf(() =>
      logger.error('audit could not complete', { audit: 'a', error: new Error('boom\nbang') }),
    );
    const lines = out.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ level: 'ERROR', message: 'audit could not complete', service: 'cdk-s3-dr-audit' });
    expect(line.error).toMatchObject({ name: 'Error', message: 'boom\nbang' });
  });

  test('the service name and level come from the Powertools environment variables', () => {
    process.env.POWERTOOLS_SERVICE_NAME = 'payments-dr';
    process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
    delete process.env.POWERTOOLS_DEV;
    delete process.env.AWS_LAMBDA_LOG_LEVEL;
    const logger = handlerLogger('probe');
    const out = outputOf(() => {
      logger.info('probe', { sourceAvailable: true });
      logger.warn('probe', { sourceAvailable: false });
    });
    const lines = out.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'WARN', service: 'payments-dr', sourceAvailable: false });
  });
});
