// `npm run emulator`: serves the Runflow emulator on 127.0.0.1 until SIGINT/SIGTERM.
//   node dist-test/test/emulator/cli.js [--port 8787] [--storage-port 0] [--model-time 3000] [--latency 0]
import { startEmulator } from './index';

const USAGE = 'usage: cli.js [--port 8787] [--storage-port 0] [--model-time 3000] [--latency 0]';

function parseArgs(argv: string[]): Record<string, number> {
  const values: Record<string, number> = { port: 8787, 'storage-port': 0, 'model-time': 3000, latency: 0 };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const [flag, inline] = arg.split('=', 2);
    const name = flag.slice(2);
    if (!flag.startsWith('--') || !(name in values)) throw new Error(`unknown argument "${arg}"\n${USAGE}`);
    const raw = inline ?? argv[++i];
    const value = Number(raw);
    if (raw === undefined || !Number.isInteger(value) || value < 0) throw new Error(`${flag} needs a whole number, got "${raw}"\n${USAGE}`);
    values[name] = value;
  }
  return values;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const emulator = await startEmulator({
    port: args.port,
    storagePort: args['storage-port'],
    modelTimeMs: args['model-time'],
    latencyMs: args.latency,
  });
  console.log(`Runflow emulator listening on ${emulator.baseUrl} (storage ${emulator.storageUrl})`);
  console.log(`API key: ${emulator.apiKey}`);
  console.log(`RUNFLOW_EMULATOR_URL=${emulator.baseUrl}`);

  const stop = (signal: string) => {
    console.log(`${signal}: stopping`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
