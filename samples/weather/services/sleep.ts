// sleep: a pod that just stays up, so `weft exec deploy/sleep -- curl …` has somewhere to run.
const timer = setInterval(() => undefined, 1 << 30);
process.on('SIGTERM', () => clearInterval(timer));
console.log('sleep: ready');
