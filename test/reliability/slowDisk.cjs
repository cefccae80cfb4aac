// Preloaded into a language server by hangs.test.ts (`node --require slowDisk.cjs dist/server.js`): opening a file
// whose path contains BIONER_SLOW_NAME waits, as on a hung network disk, until the file BIONER_SLOW_RELEASE exists.
// The path BIONER_SLOW_RELEASE + '.started' is created when the first such open starts waiting.
// An asynchronous open (fs/promises) waits without holding the thread. A synchronous open holds it, as a read from a
// hung disk would, but for at most 5 s: a server that reads synchronously then fails the test instead of hanging it.
const fs = require('node:fs');

const name = process.env.BIONER_SLOW_NAME;
const release = process.env.BIONER_SLOW_RELEASE;
const slow = (path) => String(path).includes(name) && !fs.existsSync(release);
const started = () => fs.writeFileSync(`${release}.started`, '');

const open = fs.promises.open;
fs.promises.open = async function (path, ...rest) {
  if (slow(path)) started();
  while (slow(path)) await new Promise((resolve) => setTimeout(resolve, 10));
  return open.call(this, path, ...rest);
};

const openSync = fs.openSync;
fs.openSync = function (path, ...rest) {
  if (slow(path)) started();
  const until = Date.now() + 5000;
  while (slow(path) && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  return openSync.call(this, path, ...rest);
};
