// Entry point of a child worker process (see workers.ts).
import { serveWorker } from './workers.js';

serveWorker(Number(process.argv[2] ?? 5000), JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>);
