import { ConfigError } from '../../../constructs/handlers/health';
import { ItemsConfigError } from '../../../constructs/handlers/items';
import { envReader, json, lazyHandler } from '../../../constructs/handlers/lambda-http';

describe('what the service functions share', () => {
  test('GIVEN an unset, an empty and a set variable THEN the reader collects one problem per missing one', () => {
    const { problems, value, required } = envReader({ A: ' x ', B: '  ' });
    expect(value('A')).toBe('x');
    expect(value('B')).toBeUndefined();
    expect(required('B', 'a name')).toBe('');
    expect(required('C', 'a port')).toBe('');
    expect(problems).toEqual(['B is not set: set it to a name', 'C is not set: set it to a port']);
  });

  test('GIVEN a configuration error THEN its name is a literal (the bundle is minified) and its message lists every problem', () => {
    const health = new ConfigError(['A is not set', 'B is wrong']);
    const items = new ItemsConfigError(['C is not set']);
    expect([health.name, health.message]).toEqual([
      'ConfigError',
      'health check configuration is invalid: A is not set; B is wrong',
    ]);
    expect([items.name, items.message]).toEqual([
      'ItemsConfigError',
      'items function configuration is invalid: C is not set',
    ]);
  });

  test('GIVEN a bad configuration THEN every request answers 500 with the problems, and a fixed one is served', async () => {
    let env: Record<string, string> = {};
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const handler = lazyHandler({
      build: () => {
        const { problems, required } = envReader(env);
        const name = required('NAME', 'a name');
        if (problems.length > 0) throw new ConfigError(problems);
        return { name };
      },
      handle: async (service, event: string) => json(200, { hello: `${event} ${service.name}` }),
      configError: ConfigError,
      failure: 'request failed',
    });
    const bad = await handler('hi');
    expect([bad.statusCode, JSON.parse(bad.body)]).toEqual([
      500,
      {
        error: 'health check configuration is invalid: NAME is not set: set it to a name',
        problems: ['NAME is not set: set it to a name'],
      },
    ]);
    env = { NAME: 'you' };
    const good = await handler('hi');
    expect([good.statusCode, good.headers, JSON.parse(good.body)]).toEqual([
      200,
      { 'content-type': 'application/json', 'cache-control': 'no-store' },
      { hello: 'hi you' },
    ]);
    errors.mockRestore();
  });
});
