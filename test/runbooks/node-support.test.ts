import { nodeSupportNote, SDK_NODE_WARNING_VARIABLE } from '../../runbooks/drill/node-support';

describe('the Node.js support note of the drill CLI', () => {
  test('GIVEN Node.js 20 THEN the SDK warning is turned off and one line of ours says what to use', () => {
    const env: NodeJS.ProcessEnv = {};

    const note = nodeSupportNote('v20.20.2', env);

    expect(note).toBe(
      'note: Node.js v20.20.2 is past its end of life (April 2026) and AWS SDK releases after ' +
        'the first week of January 2027 need Node.js 22+: use Node.js 22, 24 or 26',
    );
    expect(env[SDK_NODE_WARNING_VARIABLE]).toBe('true');
  });

  test.each(['v22.0.0', 'v24.11.1', 'v26.1.0'])(
    'GIVEN Node.js %s THEN nothing is printed and the variable is still set',
    (version) => {
      const env: NodeJS.ProcessEnv = {};

      expect(nodeSupportNote(version, env)).toBeUndefined();
      expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
    },
  );

  test('GIVEN Node.js 21 (below 22) THEN the note is printed', () => {
    expect(nodeSupportNote('v21.7.3', {})).toContain('note: Node.js v21.7.3 is past');
  });

  test('GIVEN the operator turned the SDK warning off THEN the CLI prints nothing either', () => {
    expect(nodeSupportNote('v20.20.2', { [SDK_NODE_WARNING_VARIABLE]: 'true' })).toBeUndefined();
  });

  test('GIVEN the jest set-up THEN the SDK warning is off in every test process', () => {
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
  });
});
