// Times an ONNX model with ONNX Runtime (CPU, a given number of threads) on
// inputs from .npy files (int64 or float32), fed in the model's input order:
//   node ort.js MODEL.onnx THREADS RUNS INPUT.npy...
const fs = require('fs');
const ort = require(process.env.ORT_NODE || 'onnxruntime-node');

function readNpy(path) {
  const buf = fs.readFileSync(path);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter(s => s.trim()).map(Number);
  const bytes = buf.buffer.slice(buf.byteOffset + 10 + headerLen);
  if (header.includes("'<i8'"))
    return new ort.Tensor('int64', new BigInt64Array(bytes), shape);
  if (header.includes("'<f4'"))
    return new ort.Tensor('float32', new Float32Array(bytes), shape);
  throw new Error(`${path}: only <i8 and <f4 arrays are supported`);
}

(async () => {
  const [model, threads, runs, ...inputs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const feeds = {};
  session.inputNames.forEach((name, i) => { feeds[name] = readNpy(inputs[i]); });
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
