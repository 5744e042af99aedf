// Routes the canvas's edges off the main thread (see routing.ts): each message is the whole
// graph's boxes and ports; the answer holds the routes that changed, and how long they took.
import { Router, type RoutingInput } from "./routing";

const router = new Router();

self.onmessage = (event: MessageEvent<RoutingInput>) => {
  const started = performance.now();
  const result = router.update(event.data);
  self.postMessage({ ...result, milliseconds: performance.now() - started });
};
