// Times an ONNX model with ONNX Runtime (CPU, a given number of threads) on
// int64 ids from a .npy file: node ort.js MODEL.onnx IDS.npy THREADS RUNS
const fs = require('fs');
const ort = require(process.env.ORT_NODE || 'onnxruntime-node');

function readNpyInt64(path) {
  const buf = fs.readFileSync(path);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter(s => s.trim()).map(Number);
  const data = new BigInt64Array(buf.buffer.slice(buf.byteOffset + 10 + headerLen));
  return { shape, data };
}

(async () => {
  const [model, idsPath, threads, runs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const ids = readNpyInt64(idsPath);
  const feeds = { ids: new ort.Tensor('int64', ids.data, ids.shape) };
  await session.run(feeds); // warm-up
  const times = [];
  for (let i = 0; i < Number(runs); ++i) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`ort: ${runs} runs, min ${times[0].toFixed(3)} ms, median ${times[times.length >> 1].toFixed(3)} ms, max ${times[times.length - 1].toFixed(3)} ms`);
})().catch(e => { console.error(e.message); process.exit(1); });
