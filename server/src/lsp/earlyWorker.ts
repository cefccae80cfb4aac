// The model's worker thread, started as the server process starts (server.ts imports this module first, so it runs
// before the rest of the server's code is loaded): its thread boots and initialises the tfjs engine while this
// thread loads the server and waits for `initialize`, which names the model. Only the engine starts early; no model
// is loaded before a client asks for one.
import { WorkerTagger } from '../tagging/workerTagger';

export const earlyWorker = WorkerTagger.prepare();
